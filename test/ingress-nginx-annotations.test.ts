import { annotationProblems, annotationRisk } from './support/ingress-nginx-annotations';
import { synthesizeExample, synthesizeOne } from './support/example';
import { Manifest } from './support/kube-schema';

const ingresses = (objects: readonly object[]) => (objects as Manifest[]).filter(o => o.kind === 'Ingress') as any[];

const variants: [string, Manifest[]][] = [
  ...synthesizeExample().map(s => [`example ${s.installation.name}`, s.objects as Manifest[]] as [string, Manifest[]]),
  ['via-ingress under a sub-path with TLS', synthesizeOne({
    grafana: { host: 'g.example.com', subPath: '/a/b' }, auth: { mode: 'via-ingress' }, ingress: { tlsSecretName: 'tls', maxBodySize: '1m' },
  })],
  ['in-cluster, custom cluster domain, no '
    + 'rate limit', synthesizeOne({ auth: { clusterDomain: 'k8s.internal' }, ingress: { rateLimitPerMinute: 0 } })],
];

describe('ingress-nginx annotation validation at the controller defaults', () => {
  test.each(variants)('%s: every annotation passes', (_name, objects) => {
    const annotations = ingresses(objects).map(i => i.metadata.annotations);
    expect(annotations.length).toBeGreaterThan(0);
    for (const a of annotations) expect(annotationProblems(a)).toEqual([]);
  });

  test('body and rate limits use only low- or medium-risk annotations', () => {
    for (const name of ['proxy-body-size', 'limit-rpm']) {
      expect(['Low', 'Medium']).toContain(annotationRisk(`nginx.ingress.kubernetes.io/${name}`));
    }
  });

  test('the check rejects what the controller rejects', () => {
    const p = 'nginx.ingress.kubernetes.io/';
    expect(annotationProblems({ [`${p}proxy-body-size`]: '8 KiB' })).toEqual([expect.stringMatching(/does not match/)]);
    expect(annotationProblems({ [`${p}auth-url`]: 'http://grafana"evil' })).toEqual([expect.stringMatching(/does not match/)]);
    expect(annotationProblems({ [`${p}auth-url`]: '/api/user' })).toEqual([expect.stringMatching(/not a URL with scheme and host/)]);
    expect(annotationProblems({ [`${p}limit-rpm`]: '10/m' })).toEqual([expect.stringMatching(/not an integer/)]);
    expect(annotationProblems({ [`${p}auth-methd`]: 'GET' })).toEqual([expect.stringMatching(/unknown to ingress-nginx/)]);
    expect(annotationProblems({ [`${p}configuration-snippet`]: 'return 200;' })).toEqual([
      expect.stringMatching(/snippet annotations are rejected/),
      expect.stringMatching(/risk Critical is above the allowed High/),
    ]);
  });
});
