import { Manifest, validateManifests } from './support/kube-schema';
import { findObject, synthesizeExample, synthesizeOne } from './support/example';
import { joinPaths } from '../lib/config/paths';
import { toYamlStream } from '../lib/output/manifests';

const example = synthesizeExample();

describe('example installations', () => {
  test.each(example.map(s => [s.installation.name, s] as const))('%s matches its snapshot', (_name, s) => {
    expect(toYamlStream(s.objects)).toMatchSnapshot();
  });

  test.each(example.map(s => [s.installation.name, s] as const))('%s: every object is valid against the Kubernetes and prometheus-operator schemas, '
    + 'strictly', (_name, s) => {
    expect(validateManifests(s.objects as Manifest[])).toEqual([]);
  });

  test('synthesis is deterministic', () => {
    const again = synthesizeExample();
    expect(again.map(s => toYamlStream(s.objects))).toEqual(example.map(s => toYamlStream(s.objects)));
  });

  test('every object carries the recommended labels, and no label or selector carries a construct-path hash', () => {
    for (const s of example) {
      for (const obj of s.objects) {
        const labels = obj.metadata.labels ?? {};
        expect(labels).toMatchObject({
          'app.kubernetes.io/name': 'analytics-panel-server',
          'app.kubernetes.io/instance': s.installation.name,
          'app.kubernetes.io/part-of': 'grafana-analytics',
          'app.kubernetes.io/managed-by': 'cdk8s',
          'grafana-analytics/installation': s.installation.name,
        });
        expect(labels['app.kubernetes.io/component']).toMatch(/^(server|monitoring|ingress|auth|network-policy|dashboard)$/);
      }
      expect(JSON.stringify(s.objects)).not.toMatch(/cdk8s\.io\/metadata\.addr/);
    }
  });
});

describe('schema validation can fail', () => {
  const objects = synthesizeOne();

  test('fails on a field Kubernetes does not define', () => {
    const deployment = findObject(objects, 'Deployment');
    const broken = { ...deployment, spec: { ...deployment.spec, replicaz: 2 } };
    expect(validateManifests([broken])).toEqual([expect.stringMatching(/unknown field spec\.replicaz/)]);
  });

  test('fails on a field the ServiceMonitor CRD does not define', () => {
    const sm = findObject(objects, 'ServiceMonitor');
    const broken = { ...sm, spec: { ...sm.spec, endpoints: [{ ...sm.spec.endpoints[0], metricRelabellings: [] }] } };
    expect(validateManifests([broken])).toEqual([expect.stringMatching(/unknown field spec\.endpoints\[0\]\.metricRelabellings/)]);
  });

  test('fails on a wrong type', () => {
    const service = findObject(objects, 'Service');
    const broken = { ...service, spec: { ...service.spec, ports: [{ port: 'eighty' }] } };
    expect(validateManifests([broken])).toEqual([expect.stringMatching(/schema:/)]);
  });
});

describe('analytics server', () => {
  const objects = synthesizeOne();
  const deployment = findObject(objects, 'Deployment', 'test-analytics');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  test('runs the pinned image once, pulled only when missing', () => {
    expect(container.image).toBe('docker.io/macropower/analytics-panel-server:0.0.1');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(deployment.spec.replicas).toBe(1);
  });

  test('privacy flags are on by default', () => {
    expect(container.args).toEqual([
      '--disable-user-metrics', '--disable-session-log', '--disable-variable-log', '--log-format=json', '--max-cache-size=4096',
    ]);
  });

  test('listens on port 8080 named web, checked by TCP probes', () => {
    expect(container.ports).toEqual([{ containerPort: 8080, name: 'web' }]);
    expect(container.readinessProbe.tcpSocket).toEqual({ port: 8080 });
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 8080 });
    expect(container.readinessProbe.httpGet).toBeUndefined();
  });

  test('has small resources by default', () => {
    expect(container.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } });
  });

  test('meets the restricted Pod Security Standard', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65534,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  test('mounts no service-account token', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(findObject(objects, 'ServiceAccount', 'test-analytics').automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('test-analytics');
  });

  test('selects its pods with stable labels, and the Service with the same', () => {
    const selector = { 'app.kubernetes.io/name': 'analytics-panel-server', 'grafana-analytics/installation': 'test' };
    expect(deployment.spec.selector).toEqual({ matchLabels: selector });
    expect(deployment.spec.template.metadata.labels).toMatchObject(selector);
    const service = findObject(objects, 'Service', 'test-analytics');
    expect(service.spec).toMatchObject({ type: 'ClusterIP', selector, ports: [{ name: 'web', port: 8080, targetPort: 8080 }] });
  });

  test('is scheduled on amd64 by default, or where the config says', () => {
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/arch': 'amd64' });
    const multiArch = findObject(synthesizeOne({ server: { nodeSelector: { 'kubernetes.io/os': 'linux' } } }), 'Deployment');
    expect(multiArch.spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
  });

  test('image, replicas and resources are overridable', () => {
    const d = findObject(synthesizeOne({
      server: {
        image: 'registry.example.com/analytics:1.2.3',
        replicas: 0,
        resources: { requests: { cpu: '0.5', memory: '256Ki' }, limits: { cpu: '1', memory: '512Ki' } },
      },
    }), 'Deployment');
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe('registry.example.com/analytics:1.2.3');
    expect(d.metadata.labels['app.kubernetes.io/version']).toBe('1.2.3');
    expect(d.spec.replicas).toBe(0);
    expect(c.resources).toEqual({ requests: { cpu: '0.5', memory: '256Ki' }, limits: { cpu: '1', memory: '512Ki' } });
    // The cache is sized to the memory limit: 512Ki / 2 / (2 x 8k).
    expect(c.args).toContain('--max-cache-size=16');
  });

  test('the cache size follows the memory limit and the body limit unless set', () => {
    const args = (server: object, ingress: object = {}) =>
      findObject(synthesizeOne({ server, ingress }), 'Deployment').spec.template.spec.containers[0].args;
    expect(args({ resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '1', memory: '1Gi' } } })).toContain(
      '--max-cache-size=32768',
    );
    expect(args({}, { maxBodySize: '4k' })).toContain('--max-cache-size=8192');
    expect(args({ maxCacheSize: 7 })).toContain('--max-cache-size=7');
  });

  test('the identity opt-in removes only --disable-user-metrics; the session log has its own opt-in', () => {
    const identity = findObject(synthesizeOne({ server: { storeUserIdentityInMetrics: true } }), 'Deployment');
    expect(identity.spec.template.spec.containers[0].args).toEqual([
      '--disable-session-log', '--disable-variable-log', '--log-format=json', '--max-cache-size=4096',
    ]);
    const sessions = findObject(synthesizeOne({ server: { logSessions: true } }), 'Deployment');
    expect(sessions.spec.template.spec.containers[0].args).toEqual([
      '--disable-user-metrics', '--disable-variable-log', '--log-format=json', '--max-cache-size=4096',
    ]);
  });
});

describe('ServiceMonitor', () => {
  test('scrapes port web at /metrics and drops user identity labels', () => {
    const sm = findObject(synthesizeOne({ serviceMonitor: { interval: '1m', labels: { release: 'kps' } } }), 'ServiceMonitor');
    expect(sm.metadata.labels.release).toBe('kps');
    expect(sm.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'analytics-panel-server', 'grafana-analytics/installation': 'test' });
    expect(sm.spec.endpoints).toEqual([{
      port: 'web',
      path: '/metrics',
      interval: '1m',
      metricRelabelings: [{ action: 'labeldrop', regex: 'user_(login|name|email)' }],
    }]);
  });

  test('with the identity opt-in, drops nothing (labeldrop would corrupt per-user counts)', () => {
    const sm = findObject(synthesizeOne({ server: { storeUserIdentityInMetrics: true } }), 'ServiceMonitor');
    expect(sm.spec.endpoints[0].metricRelabelings).toBeUndefined();
  });

  test('the example installations carry the release label from the defaults', () => {
    for (const s of example) expect(findObject(s.objects, 'ServiceMonitor').metadata.labels.release).toBe('kube-prometheus-stack');
  });
});

describe('auth ingresses', () => {
  const annotation = (ingress: any, name: string) => ingress.metadata.annotations[`nginx.ingress.kubernetes.io/${name}`];

  test("in-cluster: write path at the root, auth against Grafana's Service by its fully qualified name", () => {
    const objects = synthesizeOne({ grafana: { host: 'g.example.com', service: { name: 'graf', namespace: 'obs', port: 3000 } } });
    const write = findObject(objects, 'Ingress', 'test-analytics-write');
    expect(write.spec.rules).toEqual([
      {
        host: 'g.example.com',
        http: {
          paths: [{ path: '/analytics-plugin/write', pathType: 'Prefix', backend: { service: { name: 'test-analytics', port: { number: 8080 } } } }],
        },
      },
    ]);
    expect(write.spec.ingressClassName).toBe('nginx');
    expect(write.spec.tls).toBeUndefined();
    expect(annotation(write, 'auth-url')).toBe('http://graf.obs.svc.cluster.local:3000/api/user');
    expect(annotation(write, 'auth-method')).toBe('GET');
    expect(annotation(write, 'rewrite-target')).toBe('/write');
    expect(objects.filter(o => o.kind === 'Ingress')).toHaveLength(1);
  });

  test('in-cluster under a sub-path: write path and auth URL include it; cluster domain is configurable', () => {
    const objects = synthesizeOne({ grafana: { host: 'g.example.com', subPath: '/ops/grafana' }, auth: { clusterDomain: 'c.example' } });
    const write = findObject(objects, 'Ingress', 'test-analytics-write');
    expect(write.spec.rules[0].http.paths[0].path).toBe('/ops/grafana/analytics-plugin/write');
    expect(annotation(write, 'auth-url')).toBe('http://grafana.monitoring.svc.c.example:80/ops/grafana/api/user');
  });

  test("under a sub-path without serve_from_sub_path, Grafana's API is at /api/user", () => {
    const write = findObject(synthesizeOne({ grafana: { host: 'g.example.com', subPath: '/grafana', serveFromSubPath: false } }), 'Ingress');
    expect(annotation(write, 'auth-url')).toBe('http://grafana.monitoring.svc.cluster.local:80/api/user');
  });

  test("via-ingress: auth through the public host, with a second Ingress in Grafana's namespace to /api/user", () => {
    const objects = synthesizeOne({
      namespace: 'analytics',
      grafana: { host: 'g.example.com', subPath: '/grafana', service: { name: 'graf', namespace: 'obs', port: 3000 } },
      auth: { mode: 'via-ingress' },
      ingress: { tlsSecretName: 'g-tls', className: 'public' },
    });
    const write = findObject(objects, 'Ingress', 'test-analytics-write');
    expect(write.metadata.namespace).toBe('analytics');
    expect(annotation(write, 'auth-url')).toBe('https://$host/grafana/grafana-auth');
    expect(write.spec.tls).toEqual([{ hosts: ['g.example.com'], secretName: 'g-tls' }]);
    const auth = findObject(objects, 'Ingress', 'test-analytics-grafana-auth');
    expect(auth.metadata.namespace).toBe('obs');
    expect(auth.spec.ingressClassName).toBe('public');
    expect(auth.spec.rules[0].http.paths).toEqual([
      {
        path: '/grafana/grafana-auth',
        pathType: 'Prefix',
        backend: { service: { name: 'graf', port: { number: 3000 } } },
      },
    ]);
    expect(annotation(auth, 'rewrite-target')).toBe('/grafana/api/user');
  });

  test('via-ingress without TLS asks over http', () => {
    const write = findObject(synthesizeOne({ auth: { mode: 'via-ingress' } }), 'Ingress', 'test-analytics-write');
    expect(annotation(write, 'auth-url')).toBe('http://$host/grafana-auth');
  });

  test('bounds what a signed-in browser can send: body size and per-IP rate', () => {
    const write = findObject(synthesizeOne(), 'Ingress');
    expect(annotation(write, 'proxy-body-size')).toBe('8k');
    expect(annotation(write, 'limit-rpm')).toBe('300');
    const custom = findObject(synthesizeOne({ ingress: { maxBodySize: '16k', rateLimitPerMinute: 0, writePath: '/beacon' } }), 'Ingress');
    expect(annotation(custom, 'proxy-body-size')).toBe('16k');
    expect(annotation(custom, 'limit-rpm')).toBeUndefined();
    expect(custom.spec.rules[0].http.paths[0].path).toBe('/beacon');
  });

  test('no snippet annotation anywhere', () => {
    for (const s of example) {
      for (const ingress of s.objects.filter(o => o.kind === 'Ingress')) {
        expect(Object.keys(ingress.metadata.annotations ?? {}).filter(k => k.endsWith('-snippet'))).toEqual([]);
      }
    }
  });
});

describe('NetworkPolicy', () => {
  test('admits the ingress controller and Prometheus on the server port only, and allows no egress', () => {
    const np = findObject(synthesizeOne({ networkPolicy: { ingressControllerNamespace: 'ingress', prometheusNamespace: 'prom' } }), 'NetworkPolicy');
    expect(np.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'analytics-panel-server', 'grafana-analytics/installation': 'test' });
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([{
      from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prom' } } },
      ],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
    expect(np.spec.egress ?? []).toEqual([]);
  });

  test('can be switched off', () => {
    expect(synthesizeOne({ networkPolicy: { enabled: false } }).filter(o => o.kind === 'NetworkPolicy')).toEqual([]);
  });
});

describe('joinPaths', () => {
  test.each([
    [['/', '/analytics-plugin/write'], '/analytics-plugin/write'],
    [['/grafana', '/analytics-plugin/write'], '/grafana/analytics-plugin/write'],
    [['/a/b', '/c'], '/a/b/c'],
    [['/', '/'], '/'],
    [['/grafana/', '//api/user'], '/grafana/api/user'],
  ])('joinPaths(%j) is %s', (parts, expected) => {
    expect(joinPaths(...parts)).toBe(expected);
  });
});
