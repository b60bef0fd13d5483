import { DEFAULT_SCHEMA, dump, DumpOptions, Type } from 'js-yaml';
import { KubeObject, SynthesizedInstallation } from '../constructs';
import { OutputFile } from './files';

// Plain scalars go-yaml reads as numbers (Go's ParseInt base 0 and ParseFloat after dropping '_':
// 0o7, 0X1F, 1_000, 1.5_0), some beyond js-yaml's schema: a ConfigMap value "1_000" would become 1000.
const GO_NUMBER = /^[-+]?(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|\.[0-9]+([eE][-+]?[0-9]+)?)$/;
const goNumber = new Type('tag:yaml.org,2002:go-number', {
  kind: 'scalar',
  resolve: (text: string) => /^[-+._0-9]/.test(text) && GO_NUMBER.test(text.replace(/_/g, '')),
});

/**
 * How every YAML output is written, for go-yaml (kubectl, helm), which reads YAML 1.1. js-yaml
 * quotes every string its schema would read as another type (YAML 1.2 and 1.1 forms of ints,
 * floats, timestamps, the merge key) and, in its default compat mode, YAML 1.1's booleans
 * (`yes`, `on`, `y`...). Strings holding characters it does not print raw (C0 and C1 controls,
 * NEL, LS, PS, the BOM, U+FFFE/U+FFFF) are double-quoted with escapes, never put in a `|` block
 * where go-yaml would end the block at a YAML 1.1 line break. bench/README.md: why js-yaml.
 */
const DUMP_OPTIONS: DumpOptions = {
  // A string the schema's implicit types would resolve is quoted: add Go's numbers.
  schema: DEFAULT_SCHEMA.extend({ implicit: [goNumber] }),
  // Long lines stay whole (folding would also rewrite dashboard JSON lines).
  lineWidth: -1,
  // Objects from JSON share nothing: no search for repeated ones, no anchors.
  noRefs: true,
  quotingType: '"',
};

/** YAML as Kubernetes tools read it (see DUMP_OPTIONS); `forceQuotes` double-quotes every string value. */
export function kubeYaml(value: unknown, options?: { readonly forceQuotes?: boolean }): string {
  return dump(value, options ? { ...DUMP_OPTIONS, ...options } : DUMP_OPTIONS);
}

// The YAML of each top-level entry whose value is an object, by that object: a Helm template is a
// copy of its object that shares every value Helm does not change (`data`, most `spec`s).
const entryYaml = new WeakMap<object, { readonly key: string; readonly text: string }>();

/**
 * `kubeYaml(object)` of a Kubernetes object, written as the YAML of its top-level entries (a block
 * mapping is its entries' text, one after the other), each shared value serialized once.
 */
export function objectYaml(object: KubeObject): string {
  return Object.entries(object).map(([key, value]) => {
    if (typeof value !== 'object' || value === null) return kubeYaml({ [key]: value });
    const cached = entryYaml.get(value);
    if (cached?.key === key) return cached.text;
    const text = kubeYaml({ [key]: value });
    entryYaml.set(value, { key, text });
    return text;
  }).join('');
}

/** `text` as YAML comment lines, `pad` before each. */
export function yamlComment(text: string, pad = ''): string {
  return text.split('\n').map(line => `${pad}#${line}\n`).join('');
}

/** Serializes objects as a multi-document YAML stream, the way `kubectl apply -f` reads it. */
export function toYamlStream(objects: readonly KubeObject[]): string {
  return objects.map(objectYaml).join('---\n');
}

/** `<name>.k8s.yaml` per installation: the plain manifests. */
export function manifestFiles(installations: readonly SynthesizedInstallation[]): OutputFile[] {
  return installations.map(s => ({ path: `${s.installation.name}.k8s.yaml`, content: toYamlStream(s.objects) }));
}
