import { KubeObject } from '../lib';
import { kubeYaml, objectYaml } from '../lib/output/manifests';
import { synthesizeExample } from './support/example';

describe('objectYaml (an object as the YAML of its top-level entries, each shared value serialized once)', () => {
  test('GIVEN the example objects THEN it writes what kubeYaml writes of the whole object', () => {
    for (const o of synthesizeExample().flatMap(s => s.objects)) expect(objectYaml(o)).toBe(kubeYaml(o));
  });

  test('GIVEN a value shared under another key, or a multi-line and a quoted entry THEN each entry is still its own', () => {
    const shared = { a: 'yes', note: 'line one\n\nline three\n' };
    const first = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: shared } as KubeObject;
    const second = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' }, binaryData: shared } as KubeObject;
    expect(objectYaml(first)).toBe(kubeYaml(first));
    expect(objectYaml(second)).toBe(kubeYaml(second));
    expect(objectYaml(second)).toContain('binaryData:\n  a: "yes"\n');
  });
});
