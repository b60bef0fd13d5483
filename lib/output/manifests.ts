import { Document, isPair, isScalar, isSeq, isMap } from 'yaml';
import { KubeObject, SynthesizedInstallation } from '../synth';
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
  return doc.toString({ lineWidth: 0 });
}

/** Serializes objects as a multi-document YAML stream, the way `kubectl apply -f` reads it. */
export function toYamlStream(objects: readonly KubeObject[]): string {
  return objects.map(kubeYaml).join('---\n');
}

/** `<name>.k8s.yaml` per installation: the plain manifests. */
export function manifestFiles(installations: readonly SynthesizedInstallation[]): OutputFile[] {
  return installations.map(s => ({ path: `${s.installation.name}.k8s.yaml`, content: toYamlStream(s.objects) }));
}
