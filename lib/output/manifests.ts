import { Document, isPair, isScalar, isSeq, isMap } from 'yaml';
import { KubeObject, SynthesizedInstallation } from '../constructs/synth';
import { OutputFile } from './files';

// Plain scalars go-yaml turns into numbers beyond YAML 1.1's own (Go's ParseInt base 0 after
// dropping '_': 0o7, 0b1, 0x1F, 1_000), e.g. a ConfigMap value "0o7" would become 7.
const GO_NUMBER = /^[-+]?(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|\.[0-9]+([eE][-+]?[0-9]+)?)$/;

/** Quotes every string go-yaml (kubectl, helm: YAML 1.1 and Go number syntax) would read as something else. */
export function quoteGoNumbers(doc: Document): void {
  quoteNode(doc.contents);
}

// A plain recursive walk: yaml's `visit` costs about a tenth of a large synth (paths, frozen arrays).
function quoteNode(node: unknown): void {
  if (isScalar(node)) {
    if (typeof node.value === 'string' && looksLikeGoNumber(node.value)) node.type = 'QUOTE_DOUBLE';
  } else if (isMap(node) || isSeq(node)) {
    for (const item of node.items) {
      if (isPair(item)) {
        quoteNode(item.key);
        quoteNode(item.value);
      } else quoteNode(item);
    }
  }
}

function looksLikeGoNumber(value: string): boolean {
  // What the test sees starts with a sign, a digit, a dot or an underscore: most strings stop at the first character.
  const first = value.charCodeAt(0);
  const maybe = first === 43 || first === 45 || first === 46 || first === 95 || (first >= 48 && first <= 57);
  return maybe && GO_NUMBER.test(value.replace(/_/g, ''));
}

/**
 * YAML as Kubernetes tools read it: YAML 1.1 (so `yes`, `on`, `y` are quoted and stay strings)
 * with Go-number-like strings quoted.
 */
export function kubeYaml(value: unknown): string {
  // Objects from JSON share no references: skip the search for repeated ones (anchors).
  const doc = new Document(value, { version: '1.1', aliasDuplicateObjects: false });
  quoteGoNumbers(doc);
  return doc.toString(TO_STRING_OPTIONS);
}

/**
 * How every output file's YAML is written: long lines are never folded, and no %YAML/%TAG lines
 * (`directives: false`: deciding on them walks the whole tree, 15 % of yaml's stringify time).
 */
export const TO_STRING_OPTIONS = { lineWidth: 0, directives: false } as const;

/**
 * Paths the Helm chart writer replaces (labels, and the fields its values own). Each object is
 * serialized once with a hole at each of these paths: the plain manifest and the Helm template
 * fill the holes with their own values, so no object is serialized twice.
 */
const HOLE_PATHS: readonly (readonly (string | '*')[])[] = [
  ['metadata', 'labels'],
  ['spec', 'replicas'],
  ['spec', 'template', 'metadata', 'labels'],
  ['spec', 'template', 'spec', 'containers', '*', 'image'],
  ['spec', 'template', 'spec', 'containers', '*', 'resources'],
];
const HOLE = '__kube_yaml_hole_';

/** A hole of a skeleton: its dot path, the value it holds in the object, the indentation of a block value. */
interface Hole {
  readonly path: string;
  readonly value: unknown;
  readonly pad: string;
}

/**
 * One object's YAML cut at its holes: `parts[i]` ends with the `key:` whose value hole `i` is,
 * `parts[i + 1]` starts with the line break after it. Holes are in text order.
 */
interface Skeleton {
  readonly parts: readonly string[];
  readonly holes: readonly Hole[];
}

const skeletons = new WeakMap<object, Skeleton | null>();

/** `kubeYaml(object)`, serialized once per object whatever the number of outputs that want it. */
export function objectYaml(object: KubeObject): string {
  return kubeYamlWith(object, new Map());
}

/**
 * `kubeYaml` of `object` with the values at some hole paths (dot-joined, e.g. `metadata.labels`,
 * `spec.template.spec.containers.0.image`) replaced. Replacements elsewhere, or a path the object
 * lacks, serialize a modified copy instead.
 */
export function kubeYamlWith(object: KubeObject, replacements: ReadonlyMap<string, unknown>): string {
  let skeleton = skeletons.get(object);
  if (skeleton === undefined) {
    skeleton = makeSkeleton(object);
    skeletons.set(object, skeleton);
  }
  const fits = skeleton && [...replacements.keys()].every(k => skeleton!.holes.some(h => h.path === k));
  return (fits && fillHoles(skeleton!, replacements)) || kubeYaml(withValues(object, replacements));
}

function makeSkeleton(object: KubeObject): Skeleton | null {
  const values = new Map<string, unknown>();
  // Copies only the maps and lists on the way to a hole; the rest (dashboard JSON) is shared.
  const dig = (node: unknown, path: readonly string[], at: readonly string[]): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    const record = node as Record<string, unknown>;
    const [key, ...rest] = path;
    let copy = record;
    for (const k of key === '*' ? (Array.isArray(node) ? Object.keys(node) : []) : [key]) {
      if (!Object.prototype.hasOwnProperty.call(record, k)) continue;
      let next: unknown;
      if (rest.length > 0) {
        next = dig(record[k], rest, [...at, k]);
      } else {
        next = `${HOLE}${values.size}__`;
        values.set([...at, k].join('.'), record[k]);
      }
      if (next === record[k]) continue;
      if (copy === record) copy = (Array.isArray(node) ? [...node] : { ...record }) as Record<string, unknown>;
      copy[k] = next;
    }
    return copy;
  };
  const copy = HOLE_PATHS.reduce<unknown>((node, path) => dig(node, path as string[], []), object);
  return values.size === 0 ? null : cutAtHoles(kubeYaml(copy), [...values]);
}

/**
 * Finds each hole token at the end of a `key: token` line. Null when the text has them elsewhere
 * or more often (the object itself contained the marker): the object is then always serialized as
 * a modified copy.
 */
function cutAtHoles(text: string, values: readonly (readonly [string, unknown])[]): Skeleton | null {
  const parts: string[] = [];
  const holes: Hole[] = [];
  const seen = new Set<number>();
  let partStart = 0;
  for (let at = text.indexOf(HOLE); at >= 0; at = text.indexOf(HOLE, at + 1)) {
    const lineStart = text.lastIndexOf('\n', at) + 1;
    const lineEnd = text.indexOf('\n', at);
    const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
    const index = Number(line.slice(at - lineStart + HOLE.length, -2));
    const token = `${HOLE}${index}__`;
    if (!line.endsWith(`: ${token}`) || !(index < values.length) || seen.has(index)) return null;
    seen.add(index);
    const column = line.search(/\S/) + (line.trimStart().startsWith('- ') ? 2 : 0);
    parts.push(text.slice(partStart, lineStart + line.length - token.length - 1));
    holes.push({ path: values[index][0], value: values[index][1], pad: ' '.repeat(column + 2) });
    partStart = lineStart + line.length;
  }
  parts.push(text.slice(partStart));
  return holes.length === values.length ? { parts, holes } : null;
}

function valueAt(object: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, k) => (node as Record<string, unknown>)[k], object);
}

function withValues(object: KubeObject, replacements: ReadonlyMap<string, unknown>): KubeObject {
  if (replacements.size === 0) return object;
  const copy = structuredClone(object) as unknown as Record<string, unknown>;
  for (const [key, value] of replacements) {
    const path = key.split('.');
    const parent = valueAt(copy, path.slice(0, -1)) as Record<string, unknown>;
    parent[path[path.length - 1]] = value;
  }
  return copy as unknown as KubeObject;
}

/**
 * Puts each value's YAML where its hole is: after `key:`, or, for a map or list, on the lines
 * below it, indented one level deeper than the key (block style, as yaml writes nested
 * collections). Undefined when a value's YAML cannot go there as is (a multi-line scalar, an
 * empty line inside a block scalar): the caller then serializes a copy.
 */
function fillHoles(skeleton: Skeleton, replacements: ReadonlyMap<string, unknown>): string | undefined {
  let text = skeleton.parts[0];
  for (let i = 0; i < skeleton.holes.length; i++) {
    const hole = skeleton.holes[i];
    const value = replacements.has(hole.path) ? replacements.get(hole.path) : hole.value;
    const yaml = holeYaml(value);
    if (typeof value === 'object' && value !== null && Object.keys(value).length > 0) {
      if (yaml.includes('\n\n')) return undefined;
      text += `\n${hole.pad}${yaml.replace(/\n/g, `\n${hole.pad}`)}`;
    } else {
      if (yaml.includes('\n')) return undefined;
      text += ` ${yaml}`;
    }
    text += skeleton.parts[i + 1];
  }
  return text;
}

/**
 * Values computed once per distinct JSON of their input (JSON-equal inputs give equal output
 * here), at most `size` of them: the cache is emptied when full.
 */
export class JsonCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly size: number) {}

  get(input: unknown, compute: () => V): V {
    const key = JSON.stringify(input);
    let value = this.entries.get(key);
    if (value === undefined) {
      if (this.entries.size >= this.size) this.entries.clear();
      value = compute();
      this.entries.set(key, value);
    }
    return value;
  }
}

// Hole values repeat: most labels are the same in every installation, the Helm tokens repeat per
// chart. Each distinct value is serialized once instead of in a small yaml Document per hole (that
// was a quarter of the Helm writer's time); a label map is the lines of its entries (a block map
// of single-line strings is its entries' lines: yaml neither aligns nor wraps them at lineWidth 0),
// so only the per-installation entries are new.
const holeYamlCache = new JsonCache<string>(10_000);

function holeYaml(value: unknown): string {
  if (isLabelMap(value)) return Object.entries(value).map(entry => cachedYaml(Object.fromEntries([entry]))).join('\n');
  return cachedYaml(value);
}

function cachedYaml(value: unknown): string {
  return holeYamlCache.get(value, () => kubeYaml(value).slice(0, -1));
}

function isLabelMap(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return entries.length > 0 && entries.every(([k, v]) => typeof v === 'string' && !v.includes('\n') && !k.includes('\n'));
}

/** Serializes objects as a multi-document YAML stream, the way `kubectl apply -f` reads it. */
export function toYamlStream(objects: readonly KubeObject[]): string {
  return objects.map(objectYaml).join('---\n');
}

/** `<name>.k8s.yaml` per installation: the plain manifests. */
export function manifestFiles(installations: readonly SynthesizedInstallation[]): OutputFile[] {
  return installations.map(s => ({ path: `${s.installation.name}.k8s.yaml`, content: toYamlStream(s.objects) }));
}
