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
import { ConfigError, nginxAuthProxyConf, resolveAnalyticsConfig, synthesize } from '../../lib';
import { MAX_ROUTE_PATH_LENGTH, quantityValue } from '../../lib/config/consumer-rules';
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

const proxyFront = (trustedProxies: string[]) => ({ auth: { front: 'proxy' }, networkPolicy: { ingressControllerNamespace: 'ingress' }, proxy: { trustedProxies } });

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
  test.each(TRUSTED_PROXIES.map(([cidr, ok]) => [cidr, ok ? 'accepts' : 'refuses'] as const))('%j: synth %s it, and nginx -t takes every config synth writes', (cidr, verdict) => {
    const ok = verdict === 'accepts';
    // GIVEN the value as the only trusted proxy of a proxy front
    const problems = problemsOf(proxyFront([cidr]));
    // THEN synth accepts exactly the addresses, naming the path otherwise
    // (the schema's pattern refuses some at the item, the address rule the others at the list, with the index)
    expect(problems.map(p => p.path)).toEqual(ok ? [] : [expect.stringMatching(/^installations\[0\]\.proxy\.trustedProxies(\[0\])?$/)]);
    if (!ok) expect([`got ${JSON.stringify(cidr)} at [0]: `, `got ${JSON.stringify(cidr)}; allowed: `].some(start => problems[0].message.startsWith(start))).toBe(true);
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
      message: 'got "fd00::1::2/64" at [1]: "fd00::1::2" is not an IPv6 address; allowed: an IPv4 or IPv6 address or CIDR, such as 10.0.0.0/8 or fd00::/8 (nginx refuses the proxy\'s set_real_ip_from otherwise)',
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
    expect(problems).toEqual([{ path: `installations[0].${part}.resources`, message: `got ${says}; allowed: requests at most their limits (the API server refuses the Deployment otherwise)` }]);
  });

  test('a request equal to its limit in another unit passes, and lands as written', () => {
    const equal = { requests: { cpu: '1', memory: '1024Ki' }, limits: { cpu: '1000m', memory: '1Mi' } };
    expect(problemsOf({ server: { resources: equal } })).toEqual([]);
    expect([quantityValue('0.5'), quantityValue('500m'), quantityValue('0.05'), quantityValue('1Gi')]).toEqual([500n, 500n, 50n, 1073741824n]);
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

  test.each([['httproute', httpRoute(segments(600), segments(MAX_ROUTE_PATH_LENGTH - 599))], ['ingress', { grafana: { host: 'grafana.example.com', subPath: segments(2000) } }]] as const)(
    'one character more (route.kind %s): refused at the write path, with the length',
    (_kind, extra) => {
      const problems = problemsOf(extra);
      expect(problems).toEqual([{ path: 'installations[0].ingress.writePath', message: expect.stringMatching(new RegExp(`which makes the public path \\d+ characters long with grafana\\.subPath; allowed: at most ${MAX_ROUTE_PATH_LENGTH} `)) }]);
    },
  );

  test('the via-ingress auth path is bounded too', () => {
    const problems = problemsOf({ grafana: { host: 'grafana.example.com', subPath: segments(1000) }, ingress: { writePath: '/w' }, auth: { mode: 'via-ingress', viaIngressPath: segments(100) } });
    expect(problems.map(p => p.path)).toEqual(['installations[0].auth.viaIngressPath']);
  });
});
