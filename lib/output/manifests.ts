import { stringify } from 'yaml';
import { KubeObject, SynthesizedInstallation } from '../synth';
import { OutputFile } from './files';

/** Serializes objects as a multi-document YAML stream, the way `kubectl apply -f` reads it. */
export function toYamlStream(objects: readonly KubeObject[]): string {
  return objects.map(o => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** `<name>.k8s.yaml` per installation: the plain manifests. */
export function manifestFiles(installations: readonly SynthesizedInstallation[]): OutputFile[] {
  return installations.map(s => ({ path: `${s.installation.name}.k8s.yaml`, content: toYamlStream(s.objects) }));
}
