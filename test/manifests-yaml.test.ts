import { KubeObject } from '../lib';
import { JsonCache, kubeYaml, kubeYamlWith, objectYaml } from '../lib/output/manifests';

/** What kubeYamlWith must equal: the modified copy serialized on its own. */
function expected(object: KubeObject, replacements: Map<string, unknown>): string {
  const copy = structuredClone(object) as unknown as Record<string, unknown>;
  for (const [key, value] of replacements) {
    const path = key.split('.');
    const parent = path.slice(0, -1).reduce<Record<string, unknown>>((n, k) => n[k] as Record<string, unknown>, copy);
    parent[path[path.length - 1]] = value;
  }
  return kubeYaml(copy);
}

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', labels: { app: 'x', 'yes': 'on' }, annotations: { note: 'line one\n\nline three\n' } },
  spec: {
    replicas: 1,
    template: {
      metadata: { labels: { app: 'x' } },
      spec: { containers: [{ name: 'c', image: 'repo:1.0', resources: { limits: { cpu: '1', memory: '0x10' } } }, { name: 's', image: 'side' }] },
    },
  },
});

describe('kubeYamlWith (one serialization for the plain manifest and the Helm template)', () => {
  test('GIVEN no replacement THEN it writes what kubeYaml writes', () => {
    const object = deployment();
    expect(objectYaml(object)).toBe(kubeYaml(object));
  });

  test.each([
    ['labels', new Map<string, unknown>([['metadata.labels', { a: 'b', 'helm.sh/chart': 'x-0.1.0', z: '007' }]])],
    ['labels that YAML 1.1 or Go would misread, or that need quotes', new Map<string, unknown>([['metadata.labels', {
      yes: 'on', empty: '', 'with: colon': 'a: b', '#': '#x', long: 'k'.repeat(1100), n: 'null', octal: '0o7', under: '1_000', '?': '- x',
    }]])],
    ['empty labels', new Map<string, unknown>([['metadata.labels', {}]])],
    ['labels of the pod template and a container', new Map<string, unknown>([
      ['spec.template.metadata.labels', { app: 'x', instance: 'TOKEN' }],
      ['spec.replicas', 'REPLICAS'],
      ['spec.template.spec.containers.0.image', 'IMAGE'],
      ['spec.template.spec.containers.1.resources', 'absent: serialized as a copy'],
      ['spec.template.spec.containers.0.resources', { requests: { cpu: '1' } }],
    ])],
    ['a value that is a multi-line string', new Map<string, unknown>([['spec.replicas', 'a\n\nb']])],
    ['a map holding a multi-line string', new Map<string, unknown>([['metadata.labels', { note: 'a\n\nb\n' }]])],
    ['a path that is not a hole', new Map<string, unknown>([['metadata.name', 'other']])],
  ])('GIVEN a replacement of %s THEN it writes what serializing the changed copy writes', (_, replacements) => {
    const object = deployment();
    expect(kubeYamlWith(object, replacements)).toBe(expected(object, replacements));
    // The object is not modified, and its own text stays the plain one.
    expect(objectYaml(object)).toBe(kubeYaml(deployment()));
  });

  test('GIVEN an object whose text contains the hole marker THEN it still writes what kubeYaml writes', () => {
    const object = { ...deployment(), data: { key: 'x: __kube_yaml_hole_0__' } } as KubeObject;
    expect(objectYaml(object)).toBe(kubeYaml(object));
    const replacements = new Map<string, unknown>([['metadata.labels', { a: 'b' }]]);
    expect(kubeYamlWith(object, replacements)).toBe(expected(object, replacements));
  });
});

describe('JsonCache (hole values, values.yaml)', () => {
  test('computes once per distinct JSON, and again after it was emptied for being full', () => {
    const cache = new JsonCache<string>(2);
    const computed: string[] = [];
    const get = (input: unknown) => cache.get(input, () => {
      computed.push(JSON.stringify(input));
      return `v${computed.length}`;
    });
    expect([get({ a: 1 }), get({ a: 1 }), get(['x']), get({ a: 1 })]).toEqual(['v1', 'v1', 'v2', 'v1']);
    // full at 2 entries: the third distinct input empties it
    expect(get('third')).toBe('v3');
    expect(get({ a: 1 })).toBe('v4');
    expect(computed).toEqual(['{"a":1}', '["x"]', '"third"', '{"a":1}']);
  });
});
