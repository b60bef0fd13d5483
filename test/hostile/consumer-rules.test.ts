/**
 * Values of the auth fronts and routes that the schema's patterns accept but a consumer refuses
 * (issue 22): trusted proxies nginx cannot read, requests above their limits, paths longer than an
 * HTTPRoute takes. nginx runs for real (`nginx -t` on the generated nginx.conf); the API server
 * and the Gateway API CRD cannot run here, so their rules are checked through the CRD file and the
 * API server's documented validation, named in each test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { ConfigError, KubeObject, loadConfigFile, nginxAuthProxyConf, resolveAnalyticsConfig, synthesize } from '../../lib';
import { MAX_INSTALLATION_NAME_LENGTH } from '../../lib/config/installation-schema';
import { gitopsFiles } from '../../lib/output/gitops';
import { toYamlStream } from '../../lib/output/manifests';
import { MAX_ROUTE_PATH_LENGTH, quantityValue } from '../../lib/config/internal/consumer-rules';
import { GITOPS_CONFIG } from '../support/gitops';
import { FRONTS_CONFIG } from '../support/fronts';
import { celRuleProblems } from '../support/cel-rules';
import { describeWithPrograms, findProgram } from '../support/e2e/tools';
import { validateManifests } from '../support/kube-schema';
import { nginxTest } from '../support/nginx-check';
import { sharedPath } from '../support/shared';

type Json = Record<string, any>;

/** Every problem of a one-installation config with `extra` merged into the installation (none: it synthesizes). */
function problemsOf(extra: Json): { path: string; message: string }[] {
  try {
    synthesize(resolveAnalyticsConfig({ installations: [{ name: 'prod', grafana: { host: 'grafana.example.com' }, ...extra }] }).installations);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
}

const proxyFront = (trustedProxies: string[]) => ({ auth: { front: 'proxy' }, networkPolicy: { ingressControllerNamespace: 'ingress' },
  proxy: { trustedProxies } });

const TRUSTED_PROXIES: readonly [string, boolean][] = [
  ['10.0.0.0/8', true], ['192.168.1.1', true], ['0.0.0.0/0', true],
  ['fd00::/8', true], ['::1', true], ['::', true], ['::/0', true], ['1:2:3:4:5:6:7:8', true], ['1:2:3:4:5:6:7::', true],
  ['::2:3:4:5:6:7:8', true], ['1::2:3:4:5:6:7', true], ['fd00:0000::ABCD/128', true],
  [':::', false], ['1:::2', false], ['1::2::3', false], ['1:2', false], ['1:2:3:4:5:6:7', false], ['1:2:3:4:5:6:7:8:9', false],
  ['fd00:/8', false], ['1:2:3:4:5:6::7:8', false], ['::::/64', false],
  // nginx takes these two, Node's (stricter) parser does not: refused, and said so.
  [':1::2', false], ['1::2:', false],
];

describeWithPrograms('proxy.trustedProxies as nginx reads them', { nginx: findProgram('nginx', ['/usr/sbin/nginx']) }, ({ nginx }) => {
  test.each(TRUSTED_PROXIES.map(([cidr, ok]) => [cidr, ok ? 'accepts' : 'refuses'] as const))('%j: synth %s it, and nginx -t takes every config '
    + 'synth writes', (cidr, verdict) => {
    const ok = verdict === 'accepts';
    // GIVEN the value as the only trusted proxy of a proxy front
    const problems = problemsOf(proxyFront([cidr]));
    // THEN synth accepts exactly the addresses, naming the path otherwise
    // (the schema's pattern refuses some at the item, the address rule the others at the list, with the index)
    expect(problems.map(p => p.path)).toEqual(ok ? [] : [expect.stringMatching(/^installations\[0\]\.proxy\.trustedProxies(\[0\])?$/)]);
    if (!ok) expect([`got ${JSON.stringify(cidr)} at [0]: `, `got ${JSON.stringify(cidr)}; allowed: `
      + ``].some(start => problems[0].message.startsWith(start))).toBe(true);
    // AND the nginx.conf it would write is one nginx -t takes (accepted), or that the stricter rule stands in front of
    const conf = nginxAuthProxyConf({
      listenPort: 8081, writePath: '/w', serverUrl: 'http://127.0.0.1:8080/write', authUrl: 'http://grafana.monitoring.svc.cluster.local:80/api/user',
      maxBodySize: '8k', rateLimitPerMinute: 300, trustedProxies: [cidr], runDir: '/tmp/nginx-auth-proxy',
    });
    const nginxSays = nginxTest(nginx, conf);
    if (ok) expect(nginxSays).toEqual({ ok: true, messages: '' });
    else if ([':1::2', '1::2:'].includes(cidr)) expect(nginxSays.ok).toBe(true);
    else expect(nginxSays.messages).toMatch(/set_real_ip_from/);
  });

  test('the message names the entry, its index and what nginx would do', () => {
    expect(problemsOf(proxyFront(['10.0.0.0/8', 'fd00::1::2/64']))).toEqual([{
      path: 'installations[0].proxy.trustedProxies',
      message: 'got "fd00::1::2/64" at [1]: "fd00::1::2" is not an IPv6 address; allowed: an IPv4 or IPv6 address or CIDR, such as 10.0.0.0/8 or '
        + 'fd00::/8 (nginx refuses the proxy\'s set_real_ip_from otherwise)',
    }]);
  });
});

describe('resources as the API server validates them', () => {
  // kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidateResourceRequirements: for each
  // resource in both, `requests` must be <= `limits` ("must be less than or equal to cpu limit").
  test.each([
    ['server', { requests: { cpu: '2' }, limits: { cpu: '1' } }, 'requests.cpu "2" above limits.cpu "1"'],
    ['server', { requests: { cpu: '250m' }, limits: { cpu: '0.2' } }, 'requests.cpu "250m" above limits.cpu "0.2"'],
    ['server', { requests: { memory: '256Mi' } }, 'requests.memory "256Mi" above limits.memory "128Mi"'],
    ['server', { limits: { cpu: '5m' } }, 'requests.cpu "10m" above limits.cpu "5m"'],
    ['proxy', { requests: { memory: '1Gi' }, limits: { memory: '1023Mi' } }, 'requests.memory "1Gi" above limits.memory "1023Mi"'],
    ['proxy', { requests: { cpu: '0.201' } }, 'requests.cpu "0.201" above limits.cpu "200m"'],
  ] as const)('%s.resources %j: refused, naming the path and both quantities', (part, resources, says) => {
    const front = part === 'proxy' ? proxyFront(['10.0.0.0/8']) : {};
    const problems = problemsOf({ ...front, [part]: { ...(front as Json)[part], resources } });
    expect(problems).toEqual([{ path: `installations[0].${part}.resources`, message: `got ${says}; allowed: requests at most their limits (the `
      + `API server refuses the Deployment otherwise)` }]);
  });

  test('a request equal to its limit in another unit passes, and lands as written', () => {
    const equal = { requests: { cpu: '1', memory: '1024Ki' }, limits: { cpu: '1000m', memory: '1Mi' } };
    expect(problemsOf({ server: { resources: equal } })).toEqual([]);
    expect([quantityValue('0.5'), quantityValue('500m'), quantityValue('0.05'), quantityValue('1Gi')]).toEqual([500n, 500n, 50n, 1073741824n]);
  });
});

describe('the body limit as the Traefik Middleware CRD holds it', () => {
  // traefik.io_middlewares.yaml: buffering.maxRequestBodyBytes is `format: int64`, written as a JSON number.
  test.each([['8589934591m', true], ['9007199254740991', true], ['8589934592m', false], ['9223372036854775807', false]] as const)(
    'ingress.maxBodySize %s with auth.front traefik: %s, and what is written is the exact byte count',
    (size, ok) => {
      const problems = problemsOf({ auth: { front: 'traefik' }, ingress: { maxBodySize: size } });
      expect(problems.map(p => p.path)).toEqual(ok ? [] : ['installations[0].ingress.maxBodySize']);
      if (!ok) return;
      const objects = synthesize(resolveAnalyticsConfig({ installations: [{ name: 'prod', grafana: { host: 'grafana.example.com' },
        auth: { front: 'traefik' }, ingress: { maxBodySize: size } }] }).installations)[0].objects;
      const body = objects.find(o => o.kind === 'Middleware' && (o as Json).spec.buffering) as Json;
      const bytes = BigInt(size.replace(/m$/, '')) * (size.endsWith('m') ? 1048576n : 1n);
      expect(toYamlStream([body as KubeObject])).toContain(`maxRequestBodyBytes: ${bytes}\n`);
    },
  );

  test('the ingress-nginx front takes the larger sizes nginx takes', () => {
    expect(problemsOf({ ingress: { maxBodySize: '9223372036854775807' } })).toEqual([]);
  });
});

describe('paths as the Gateway API CRD bounds them', () => {
  const crd = parse(fs.readFileSync(path.join(sharedPath('crds'), 'gateway.networking.k8s.io_httproutes.yaml'), 'utf8'));
  const v1 = crd.spec.versions.find((v: Json) => v.name === 'v1').schema.openAPIV3Schema;
  const pathMatch = v1.properties.spec.properties.rules.items.properties.matches.items.properties.path.properties.value;
  const httpRoute = (subPath: string, writePath: string) => ({
    grafana: { host: 'grafana.example.com', subPath },
    ingress: { writePath },
    auth: { front: 'proxy' },
    route: { kind: 'httproute', gateway: { name: 'gw', namespace: 'gateways' } },
    networkPolicy: { ingressControllerNamespace: 'gateways' },
  });
  const segments = (length: number) => `/${'a'.repeat(length - 1)}`;

  test('the limit is the CRD\'s maxLength of HTTPPathMatch.value', () => {
    expect(pathMatch.maxLength).toBe(MAX_ROUTE_PATH_LENGTH);
  });

  test(`sub-path and write path of ${MAX_ROUTE_PATH_LENGTH} characters in all: an HTTPRoute its CRD schema and CEL rules accept`, () => {
    const config = { installations: [{ name: 'prod', ...httpRoute(segments(500), segments(MAX_ROUTE_PATH_LENGTH - 500)) }] };
    const objects = synthesize(resolveAnalyticsConfig(config).installations)[0].objects;
    const route = objects.find(o => o.kind === 'HTTPRoute') as Json;
    expect(route.spec.rules[0].matches[0].path.value).toHaveLength(MAX_ROUTE_PATH_LENGTH);
    expect([...validateManifests(objects), ...celRuleProblems(objects)]).toEqual([]);
  });

  test.each([['httproute', httpRoute(segments(600), segments(MAX_ROUTE_PATH_LENGTH - 599))], ['ingress', { grafana: { host: 'grafana.example.com',
    subPath: segments(2000) } }]] as const)(
    'one character more (route.kind %s): refused at the write path, with the length',
    (_kind, extra) => {
      const problems = problemsOf(extra);
      expect(problems).toEqual([{ path: 'installations[0].ingress.writePath', message: expect.stringMatching(new RegExp(`which makes the public `
        + `path \\d+ characters long with grafana\\.subPath; allowed: at most ${MAX_ROUTE_PATH_LENGTH} `)) }]);
    },
  );

  test('the via-ingress auth path is bounded too', () => {
    const problems = problemsOf({ grafana: { host: 'grafana.example.com', subPath: segments(1000) }, ingress: { writePath: '/w' },
      auth: { mode: 'via-ingress', viaIngressPath: segments(100) } });
    expect(problems.map(p => p.path)).toEqual(['installations[0].auth.viaIngressPath']);
  });
});

/**
 * Config limits derived from the CRDs, not a schema check at synth time: checking every object
 * against its schema in synth would take about 3 s of CPU per 1000 installations (measured: 0.6 s
 * for the 1,671 objects of 200 bench installations, where synthesizing them takes 1.1 s), and would
 * ship ajv and the Kubernetes models with the library. Instead each CRD constraint our values meet
 * is bounded by a config limit, listed here; a constrained field missing from the list fails.
 */
describe('every CRD constraint the outputs meet is bounded by a config limit', () => {
  const crdSchemas = new Map<string, Json>();
  for (const file of fs.readdirSync(sharedPath('crds')).filter(f => f.endsWith('.yaml'))) {
    const crd = parse(fs.readFileSync(path.join(sharedPath('crds'), file), 'utf8'));
    for (const v of crd.spec.versions) crdSchemas.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
  }
  const name = MAX_INSTALLATION_NAME_LENGTH;
  /** Field -> the longest value the config allows there (for maxLength), and which limit makes it so. */
  const BOUNDS: Record<string, { readonly longest?: number; readonly by: string }> = {
    'GitRepository.spec.interval': { by: 'gitops.interval: the schema\'s pattern is the CRD\'s' },
    'GitRepository.spec.url': { by: 'gitops.repoURL: http(s):// or ssh:// only' },
    'HTTPRoute.spec.hostnames[]': { longest: 253, by: 'grafana.host: a DNS name of at most 253' },
    'HTTPRoute.spec.parentRefs[].group': { longest: 25, by: 'a constant' },
    'HTTPRoute.spec.parentRefs[].kind': { longest: 7, by: 'a constant' },
    'HTTPRoute.spec.parentRefs[].name': { longest: 253, by: 'route.gateway.name: an object name of at most 253' },
    'HTTPRoute.spec.parentRefs[].namespace': { longest: 63, by: 'route.gateway.namespace: a namespace' },
    'HTTPRoute.spec.parentRefs[].sectionName': { longest: 253, by: 'route.gateway.sectionName: the CRD\'s pattern, at most 253' },
    'HTTPRoute.spec.rules[].backendRefs[].group': { longest: 0, by: 'a constant' },
    'HTTPRoute.spec.rules[].backendRefs[].kind': { longest: 7, by: 'a constant' },
    'HTTPRoute.spec.rules[].backendRefs[].name': { longest: name + '-analytics'.length, by: 'the installation name' },
    'HTTPRoute.spec.rules[].backendRefs[].port': { by: 'the proxy port, a constant' },
    'HTTPRoute.spec.rules[].matches[].path.type': { by: 'a constant' },
    'HTTPRoute.spec.rules[].matches[].path.value': { longest: MAX_ROUTE_PATH_LENGTH, by: 'MAX_ROUTE_PATH_LENGTH (sub-path and write path)' },
    'HelmRelease.spec.chart.spec.chart': { longest: 1024 + '/helm/'.length + name, by: 'gitops.path (at most 1024) and the installation name' },
    'HelmRelease.spec.chart.spec.reconcileStrategy': { by: 'a constant' },
    'HelmRelease.spec.chart.spec.sourceRef.kind': { by: 'a constant' },
    'HelmRelease.spec.chart.spec.sourceRef.name': { longest: 253, by: 'gitops.flux.sourceName: an object name' },
    'HelmRelease.spec.interval': { by: 'gitops.interval: the schema\'s pattern is the CRD\'s' },
    'HelmRelease.spec.releaseName': { longest: name, by: 'the installation name, at most 40' },
    'HelmRelease.spec.targetNamespace': { longest: 63, by: 'namespace' },
    'Kustomization.spec.interval': { by: 'gitops.interval' },
    'Kustomization.spec.sourceRef.kind': { by: 'a constant' },
    'Middleware.spec.buffering.maxRequestBodyBytes': { by: 'ingress.maxBodySize: at most 2^53-1 bytes with the traefik front' },
    'Middleware.spec.rateLimit.average': { by: 'ingress.rateLimitPerMinute: at most MAX_RATE_LIMIT_PER_MINUTE' },
    'Middleware.spec.rateLimit.burst': { by: 'five times ingress.rateLimitPerMinute, within int64' },
    'PrometheusRule.spec.groups[].interval': { by: 'serviceMonitor.interval: a non-zero Prometheus duration' },
    'PrometheusRule.spec.groups[].name': { by: 'derived from the installation name' },
    'PrometheusRule.spec.groups[].rules[].for': { by: 'alerts.noBeaconFor: a non-zero Prometheus duration' },
    'ServiceMonitor.spec.endpoints[].interval': { by: 'serviceMonitor.interval: the schema\'s pattern is the CRD\'s' },
    'ServiceMonitor.spec.endpoints[].metricRelabelings[].action': { by: 'a constant' },
  };
  const CONSTRAINTS = ['maxLength', 'minLength', 'pattern', 'enum', 'maximum', 'minimum', 'format'];

  test('on the fronts and GitOps configs', () => {
    const gitops = loadConfigFile(GITOPS_CONFIG);
    const fronts = synthesize(resolveAnalyticsConfig(FRONTS_CONFIG).installations).flatMap(s => s.objects);
    const resolved = resolveAnalyticsConfig(parse(fs.readFileSync(GITOPS_CONFIG, 'utf8')), GITOPS_CONFIG);
    const gitopsObjects = gitopsFiles(resolved).flatMap(f => f.content.split(/^---$/m).map(d => parse(d) as Json | null))
      .filter((d): d is Json => Boolean(d?.kind) && d?.apiVersion !== 'kustomize.config.k8s.io/v1beta1');
    const seen = new Map<string, Json>();
    const walk = (value: unknown, schema: Json | undefined, at: string) => {
      if (!schema || value === undefined || value === null) return;
      if (typeof value !== 'object') {
        if (CONSTRAINTS.some(c => schema[c] !== undefined)) seen.set(at, schema);
        return;
      }
      if (Array.isArray(value)) {
        value.forEach(v => walk(v, schema.items, `${at}[]`));
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        if (at.indexOf('.') < 0 && k === 'metadata') continue;
        const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties as Json : undefined;
        walk(v, schema.properties ? schema.properties[k] as Json : additional, `${at}.${k}`);
      }
    };
    for (const o of [...fronts, ...synthesize(gitops).flatMap(s => s.objects), ...gitopsObjects] as Json[]) walk(o,
      crdSchemas.get(`${o.apiVersion}/${o.kind}`), o.kind);
    expect([...seen.keys()].filter(k => !(k in BOUNDS))).toEqual([]);
    for (const [field, schema] of seen) {
      if (schema.maxLength !== undefined) expect({ field, longest: BOUNDS[field].longest }).toEqual({ field, longest: expect.any(Number) });
      if (schema.maxLength !== undefined) expect({ field, fits: BOUNDS[field].longest! <= schema.maxLength }).toEqual({ field, fits: true });
    }
    expect(seen.size).toBeGreaterThan(25);
  });
});
