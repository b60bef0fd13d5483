/**
 * The three auth fronts and two route kinds: snapshot, strict schema (CRDs included) and CEL rules
 * for every allowed combination, then what each front must emit.
 */
import { createHash } from 'crypto';
import { nginxAuthProxyConf, resolveConfig, synthesize } from '../lib';
import { PROXY_CONFIG_CHECKSUM_ANNOTATION } from '../lib/constructs/auth/proxy-auth-front';
import { TRAEFIK_MIDDLEWARES_ANNOTATION } from '../lib/constructs/auth/traefik-auth-front';
import { toYamlStream } from '../lib/output/manifests';
import { celRuleProblems } from './support/cel-rules';
import { findObject, synthesizeOne } from './support/example';
import { FRONTS_CONFIG } from './support/fronts';
import { Manifest, validateManifests } from './support/kube-schema';

const fronts = synthesize(resolveConfig(FRONTS_CONFIG));
const byName = (name: string) => fronts.find(s => s.installation.name === name)!.objects as Manifest[];

describe.each(fronts.map(s => [s.installation.name, s] as const))('%s', (_name, s) => {
  const objects = s.objects as Manifest[];

  test('matches its snapshot', () => {
    expect(toYamlStream(s.objects)).toMatchSnapshot();
  });

  test('every object is valid against its schema, strictly, and passes the CEL rules that apply', () => {
    expect(validateManifests(objects)).toEqual([]);
    expect(celRuleProblems(objects)).toEqual([]);
  });

  test('the hidden panel posts to the one path the route serves', () => {
    const route = objects.find(o => o.metadata?.name === `${s.installation.name}-analytics-write`) as any;
    const paths: string[] = route.kind === 'HTTPRoute'
      ? route.spec.rules.flatMap((r: any) => r.matches.map((m: any) => m.path.value))
      : route.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.path));
    const dashboards = objects.filter(o => o.kind === 'ConfigMap' && (o.metadata as any).labels?.grafana_dashboard === '1') as any[];
    expect(dashboards.length).toBeGreaterThan(0);
    const servers = dashboards.flatMap(d => Object.values(d.data as Record<string, string>))
      .flatMap(json => JSON.parse(json).panels.filter((p: any) => p.type === 'macropower-analytics-panel'))
      .map((p: any) => p.options.analyticsOptions.server);
    expect(new Set(servers)).toEqual(new Set(paths));
    expect(paths).toHaveLength(1);
  });
});

describe('schema and CEL checks can fail', () => {
  const route = findObject(byName('proxy-httproute'), 'HTTPRoute');
  const middleware = findObject(byName('traefik-ingress'), 'Middleware', 'traefik-ingress-analytics-forward-auth');

  test('a field the Middleware CRD does not define', () => {
    const broken = { ...middleware, spec: { forwardAuth: { ...middleware.spec.forwardAuth, authRequestHeader: ['Cookie'] } } };
    expect(validateManifests([broken])).toEqual([expect.stringMatching(/unknown field spec\.forwardAuth\.authRequestHeader$/)]);
  });

  test('a wrong type in a Middleware', () => {
    const broken = { ...middleware, spec: { buffering: { maxRequestBodyBytes: '8k' } } };
    expect(validateManifests([broken])).toEqual([expect.stringMatching(/schema: \/spec\/buffering\/maxRequestBodyBytes must be integer/)]);
  });

  test('an HTTPRoute path the CEL rules reject, a duplicate parent and a Service backend without port', () => {
    const { port: _port, ...withoutPort } = route.spec.rules[0].backendRefs[0];
    const broken = {
      ...route,
      spec: {
        ...route.spec,
        parentRefs: [route.spec.parentRefs[0], route.spec.parentRefs[0]],
        rules: [{ matches: [{ path: { type: 'Exact', value: '/a//b' } }], backendRefs: [withoutPort] }],
      },
    };
    expect(validateManifests([broken])).toEqual([]);
    expect(celRuleProblems([broken])).toEqual([
      expect.stringMatching(/^HTTPRoute\/proxy-httproute-analytics-write\.spec\.parentRefs: CEL rule fails: self\.all\(p1, self\.exists_one/),
      expect.stringMatching(/\.spec\.rules\[0\]\.matches\[0\]\.path: CEL rule fails: .*contains\('\/\/'\)/),
      expect.stringMatching(/\.spec\.rules\[0\]\.backendRefs\[0\]: CEL rule fails: \(size\(self\.group\) == 0/),
    ]);
  });

  test('an HTTPRoute filter is reported as unchecked, never passed silently', () => {
    const broken = {
      ...route,
      spec: {
        ...route.spec,
        rules: [
          { ...route.spec.rules[0], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/write' } } }] },
        ],
      },
    };
    expect(celRuleProblems([broken]).filter(p => p.includes('unchecked CEL rule')).length).toBeGreaterThan(0);
  });
});

describe('auth.front proxy', () => {
  const objects = byName('proxy-ingress');
  const deployment = findObject(objects, 'Deployment');
  const pod = deployment.spec.template.spec;
  const proxy = pod.containers.find((c: any) => c.name === 'auth-proxy');
  const configMap = findObject(objects, 'ConfigMap', 'proxy-ingress-analytics-auth-proxy');
  const conf: string = configMap.data['nginx.conf'];

  test('a second container: pinned unprivileged nginx started directly, read-only root, pid and temp paths in an emptyDir', () => {
    expect(pod.containers.map((c: any) => c.name)).toEqual(['server', 'auth-proxy']);
    expect(proxy.image).toBe('docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine');
    expect(proxy.command).toEqual(['nginx']);
    expect(proxy.args).toEqual(['-c', '/etc/nginx-auth-proxy/nginx.conf', '-e', 'stderr', '-g', 'daemon off;']);
    expect(proxy.ports).toEqual([{ containerPort: 8081, name: 'http' }]);
    expect(proxy.securityContext).toEqual({
      allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true,
      runAsGroup: 101, runAsNonRoot: true, runAsUser: 101,
    });
    expect(proxy.resources).toEqual({ limits: { cpu: '200m', memory: '64Mi' }, requests: { cpu: '10m', memory: '16Mi' } });
    expect(proxy.volumeMounts).toEqual([
      { mountPath: '/etc/nginx-auth-proxy', name: 'auth-proxy-config', readOnly: true },
      { mountPath: '/tmp/nginx-auth-proxy', name: 'auth-proxy-run' },
    ]);
    expect(pod.volumes).toEqual([
      { configMap: { name: 'proxy-ingress-analytics-auth-proxy' }, name: 'auth-proxy-config' },
      { emptyDir: { medium: 'Memory', sizeLimit: '16Mi' }, name: 'auth-proxy-run' },
    ]);
    // Every path nginx writes is in the emptyDir.
    const written = [...conf.matchAll(/^\s*(pid|\w+_temp_path) (\S+);$/gm)].map(m => [m[1], m[2]]);
    expect(written.map(([d]) => d).sort()).toEqual([
      'client_body_temp_path',
      'fastcgi_temp_path',
      'pid',
      'proxy_temp_path',
      'scgi_temp_path',
      'uwsgi_temp_path',
    ]);
    expect(written.filter(([, p]) => !p.startsWith('/tmp/nginx-auth-proxy/'))).toEqual([]);
    expect(conf).toMatch(/^\s*access_log off;$/m);
  });

  test('nginx.conf asks Grafana\'s in-cluster /api/user under the sub-path and bounds body and rate as the Ingress does', () => {
    expect(conf).toContain('proxy_pass http://grafana.monitoring.svc.cluster.local:80/grafana/api/user;');
    expect(conf).toContain('location = /grafana/analytics-plugin/write {');
    expect(conf).toContain('proxy_pass http://127.0.0.1:8080/write;');
    expect(conf).toContain('client_max_body_size 8k;');
    expect(conf).toContain('limit_req_zone $binary_remote_addr zone=beacons:5m rate=300r/m;');
    expect(conf).toContain('limit_req zone=beacons burst=1500 nodelay;');
    expect(conf).toContain('limit_req_status 429;');
    expect([...conf.matchAll(/set_real_ip_from (\S+);/g)].map(m => m[1])).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
    expect(byName('proxy-ingress-open').map(o => JSON.stringify(o)).join()).not.toContain('limit_req');
  });

  test('a changed nginx.conf rolls the Pod: the template carries its sha256', () => {
    const annotation = deployment.spec.template.metadata.annotations[PROXY_CONFIG_CHECKSUM_ANNOTATION];
    expect(annotation).toBe(createHash('sha256').update(conf).digest('hex'));
    const other = findObject(
      synthesizeOne({ auth: { front: 'proxy' }, networkPolicy: { enabled: false }, ingress: { maxBodySize: '16k' } }),
      'Deployment',
    );
    const same = findObject(synthesizeOne({ auth: { front: 'proxy' }, networkPolicy: { enabled: false } }), 'Deployment');
    expect(other.spec.template.metadata.annotations[PROXY_CONFIG_CHECKSUM_ANNOTATION])
      .not.toBe(same.spec.template.metadata.annotations[PROXY_CONFIG_CHECKSUM_ANNOTATION]);
  });

  test('the Service keeps web for the ServiceMonitor and gets http for the proxy; the Ingress targets http, with no controller annotation', () => {
    expect(findObject(objects, 'Service').spec.ports).toEqual([
      { name: 'web', port: 8080, targetPort: 8080 },
      { name: 'http', port: 8081, targetPort: 8081 },
    ]);
    expect(findObject(objects, 'ServiceMonitor').spec.endpoints[0].port).toBe('web');
    const ingress = findObject(objects, 'Ingress');
    expect(ingress.metadata.annotations).toBeUndefined();
    expect(ingress.spec.ingressClassName).toBeUndefined();
    expect(ingress.spec.tls).toEqual([{ hosts: ['d.example.com'], secretName: 'd-tls' }]);
    expect(ingress.spec.rules[0].http.paths).toEqual([{
      path: '/grafana/analytics-plugin/write', pathType: 'Exact',
      backend: { service: { name: 'proxy-ingress-analytics', port: { number: 8081 } } },
    }]);
    expect(findObject(byName('proxy-ingress-open'), 'Ingress').spec.ingressClassName).toBe('nginx-internal');
  });

  test('NetworkPolicy: the controller reaches only http, Prometheus only web; egress only DNS and Grafana\'s pods on their port', () => {
    const policy = findObject(byName('proxy-httproute'), 'NetworkPolicy');
    const ns = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
    expect(policy.spec.ingress).toEqual([
      { from: [ns('envoy-gateway-system')], ports: [{ port: 8081, protocol: 'TCP' }] },
      { from: [ns('monitoring')], ports: [{ port: 8080, protocol: 'TCP' }] },
    ]);
    expect(policy.spec.egress).toEqual([
      { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
      { to: [{ ...ns('grafana'), podSelector: { matchLabels: { app: 'grafana' } } }], ports: [{ port: 3001, protocol: 'TCP' }] },
    ]);
    expect(byName('proxy-httproute-open').filter(o => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('route.kind httproute: a Gateway API v1 HTTPRoute with Core fields only, to the http port', () => {
    const route = findObject(byName('proxy-httproute'), 'HTTPRoute');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'eg', namespace: 'envoy-gateway-system', sectionName: 'https' }],
      hostnames: ['f.example.com'],
      rules: [{
        matches: [{ path: { type: 'Exact', value: '/ops/grafana/analytics-plugin/write' } }],
        backendRefs: [{ group: '', kind: 'Service', name: 'proxy-httproute-analytics', port: 8081 }],
      }],
    });
    expect(findObject(byName('proxy-httproute-open'), 'HTTPRoute').spec.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shared', namespace: 'gateways' },
    ]);
    expect(byName('proxy-httproute').filter(o => o.kind === 'Ingress')).toEqual([]);
  });

  test('the generator refuses a value that could change nginx.conf\'s structure', () => {
    const base = {
      listenPort: 8081, writePath: '/w', serverUrl: 'http://127.0.0.1:8080/write', authUrl: 'http://g.m.svc.cluster.local:80/api/user',
      maxBodySize: '8k', rateLimitPerMinute: 1, trustedProxies: ['10.0.0.0/8'], runDir: '/tmp/x',
    };
    expect(() => nginxAuthProxyConf(base)).not.toThrow();
    expect(() => nginxAuthProxyConf({ ...base, trustedProxies: ['10.0.0.0/8; allow all'] })).toThrow(
      /trusted proxy "10.0.0.0\/8; allow all" may hold only/,
    );
    expect(() => nginxAuthProxyConf({ ...base, writePath: '/w { }' })).toThrow(/writePath/);
    expect(() => nginxAuthProxyConf({ ...base, authUrl: 'http://$host/api/user' })).toThrow(/authUrl/);
    expect(() => nginxAuthProxyConf({ ...base, maxBodySize: '8k;' })).toThrow(/maxBodySize/);
    expect(() => nginxAuthProxyConf({ ...base, rateLimitPerMinute: -1 })).toThrow(/rateLimitPerMinute/);
    expect(() => nginxAuthProxyConf({ ...base, listenPort: 70000 })).toThrow(/listenPort/);
  });
});

describe('auth.front traefik', () => {
  const objects = byName('traefik-ingress');
  const middleware = (suffix: string) => findObject(objects, 'Middleware', `traefik-ingress-analytics-${suffix}`);

  test('Middlewares: ForwardAuth to Grafana\'s in-cluster /api/user with the Cookie only, body limit in bytes, rate limit with burst 5x, '
    + 'replacePath /write', () => {
    expect(middleware('forward-auth').spec).toEqual({
      forwardAuth: {
        address: 'http://kube-prometheus-stack-grafana.monitoring.svc.cluster.local:80/grafana/api/user',
        authRequestHeaders: ['Cookie'],
      },
    });
    expect(middleware('body-size').spec).toEqual({ buffering: { maxRequestBodyBytes: 8192 } });
    expect(middleware('rate-limit').spec).toEqual({ rateLimit: { average: 300, period: '1m', burst: 1500 } });
    expect(middleware('replace-path').spec).toEqual({ replacePath: { path: '/write' } });
  });

  test('attached to the write Ingress in order, ForwardAuth first, as <namespace>-<name>@kubernetescrd; the Ingress targets the server', () => {
    const ingress = findObject(objects, 'Ingress');
    expect(ingress.metadata.annotations).toEqual({
      [TRAEFIK_MIDDLEWARES_ANNOTATION]: ['forward-auth', 'body-size', 'rate-limit', 'replace-path']
        .map(m => `monitoring-traefik-ingress-analytics-${m}@kubernetescrd`).join(','),
    });
    expect(ingress.spec.ingressClassName).toBe('traefik');
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'traefik-ingress-analytics', port: { number: 8080 } } });
    const open = findObject(byName('traefik-ingress-open'), 'Ingress');
    expect(open.metadata.annotations[TRAEFIK_MIDDLEWARES_ANNOTATION]).toBe(['forward-auth', 'body-size', 'replace-path']
      .map(m => `analytics-traefik-ingress-open-analytics-${m}@kubernetescrd`).join(','));
    expect(open.spec.ingressClassName).toBe('traefik-internal');
  });

  test('NetworkPolicy: the traefik namespace by default, no egress (Traefik asks Grafana, not the Pod)', () => {
    const policy = findObject(objects, 'NetworkPolicy');
    expect(policy.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
    expect(policy.spec.egress).toEqual([]);
    expect(findObject(objects, 'Deployment').spec.template.spec.containers).toHaveLength(1);
  });

  test('ingress.maxBodySize in bytes: k and m are 1024 and 1024²', () => {
    const bytes = (maxBodySize: string) =>
      findObject(synthesizeOne({ auth: { front: 'traefik' }, ingress: { maxBodySize } }), 'Middleware', 'test-analytics-body-size').spec.buffering
        .maxRequestBodyBytes;
    expect(['512', '8k', '1m'].map(bytes)).toEqual([512, 8192, 1048576]);
  });
});
