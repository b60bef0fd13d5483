import * as path from 'path';
import { Value } from '@sinclair/typebox/value';
import { ConfigError, DEFAULTS, loadConfigFile, parseConfigYaml, resolveConfig, resolveAnalyticsConfig } from '../lib';
import { ResolvedInstallationSchema } from '../lib/config/resolved-schema';
import { FRONTS_CONFIG } from './support/fronts';
import { resolveOne, untyped } from './support/example';

const valid = (overrides: Record<string, unknown> = {}) => ({ name: 'prod', grafana: { host: 'grafana.example.com' }, ...overrides });

/** The problems of a config that must fail, as `path: message` lines. */
function problemsOf(config: unknown): string[] {
  try {
    resolveAnalyticsConfig(config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map(p => `${p.path}: ${p.message}`);
  }
  throw new Error('expected the config to be rejected');
}

describe('resolving a config', () => {
  test('applies every library default', () => {
    const inst = resolveOne();
    expect(inst).toEqual({
      name: 'test',
      namespace: DEFAULTS.namespace,
      grafana: {
        host: 'grafana.example.com',
        subPath: '/',
        serveFromSubPath: false,
        service: { ...DEFAULTS.grafana.service, namespace: DEFAULTS.namespace },
        version: DEFAULTS.grafana.version,
        chart: DEFAULTS.grafana.chart,
        // Derived once, here: the constructs and the outputs read these.
        apiUserPath: '/api/user',
      },
      panel: DEFAULTS.panel,
      dashboards: [],
      dashboardSidecar: { ...DEFAULTS.dashboardSidecar, namespace: DEFAULTS.namespace },
      alerts: { ...DEFAULTS.alerts, grafanaUpSelector: 'job="grafana",namespace="monitoring"', labels: {} },
      server: DEFAULTS.server,
      serviceMonitor: DEFAULTS.serviceMonitor,
      // The ingress-nginx front's per-front defaults.
      ingress: { ...DEFAULTS.ingress, className: 'nginx', publicWritePath: '/analytics-plugin/write' },
      route: DEFAULTS.route,
      proxy: DEFAULTS.proxy,
      auth: { ...DEFAULTS.auth, viaIngressPublicPath: '/grafana-auth', url: 'http://grafana.monitoring.svc.cluster.local:80/api/user' },
      networkPolicy: { ...DEFAULTS.networkPolicy, ingressControllerNamespace: 'ingress-nginx' },
    });
  });

  test.each([
    ['ingress-nginx', 'nginx', 'ingress-nginx'],
    ['traefik', 'traefik', 'traefik'],
    ['proxy', undefined, undefined],
  ] as const)('auth.front %s: ingress.className defaults to %s, networkPolicy.ingressControllerNamespace to %s', (front, className, namespace) => {
    const inst = resolveOne({ auth: { front }, networkPolicy: { enabled: false } });
    expect(inst.ingress.className).toBe(className);
    expect(inst.networkPolicy.ingressControllerNamespace).toBe(namespace);
    // An explicit value wins over the front's default.
    const own = resolveOne({ auth: { front }, ingress: { className: 'internal' }, networkPolicy: { ingressControllerNamespace: 'lb' } });
    expect([own.ingress.className, own.networkPolicy.ingressControllerNamespace]).toEqual(['internal', 'lb']);
  });

  test('serveFromSubPath defaults to true under a sub-path; Grafana\'s namespace to the installation\'s', () => {
    const inst = resolveOne({ namespace: 'obs', grafana: { host: 'g.example.com', subPath: '/grafana' } });
    expect(inst.grafana.serveFromSubPath).toBe(true);
    expect(inst.grafana.service.namespace).toBe('obs');
  });

  test('derives the public paths and the auth URL once, from the sub-path and serveFromSubPath', () => {
    const served = resolveOne({
      namespace: 'obs',
      grafana: { host: 'g.example.com', subPath: '/ops/grafana' },
      auth: { clusterDomain: 'k8s.internal' },
    });
    expect(served.ingress.publicWritePath).toBe('/ops/grafana/analytics-plugin/write');
    expect(served.grafana.apiUserPath).toBe('/ops/grafana/api/user');
    expect(served.auth.url).toBe('http://grafana.obs.svc.k8s.internal:80/ops/grafana/api/user');
    const stripped = resolveOne({ grafana: { host: 'g.example.com', subPath: '/grafana', serveFromSubPath: false } });
    expect(stripped.grafana.apiUserPath).toBe('/api/user');
    expect(stripped.ingress.publicWritePath).toBe('/grafana/analytics-plugin/write');
    const via = resolveOne({
      grafana: { host: 'g.example.com', subPath: '/grafana' },
      auth: { mode: 'via-ingress' },
      ingress: { tlsSecretName: 'tls' },
    });
    expect(via.auth.viaIngressPublicPath).toBe('/grafana/grafana-auth');
    expect(via.auth.url).toBe('https://$host/grafana/grafana-auth');
  });

  test('every resolved installation of the example, GitOps and auth-fronts configs has the shape of ResolvedInstallationSchema', () => {
    const installations = [
      ...loadConfigFile(path.join(__dirname, '..', 'config', 'installations.yaml')),
      ...loadConfigFile(path.join(__dirname, 'gitops', 'installations.yaml')),
      ...resolveConfig(FRONTS_CONFIG),
    ];
    for (const inst of installations) expect([...Value.Errors(ResolvedInstallationSchema, inst)]).toEqual([]);
  });

  test('config defaults < installation: objects merge key by key, maps are replaced whole', () => {
    const [a, b] = resolveConfig({
      defaults: {
        namespace: 'shared',
        serviceMonitor: { interval: '1m', labels: { release: 'kps', team: 'obs' } },
        server: { nodeSelector: { 'kubernetes.io/arch': 'arm64' } },
      },
      installations: [
        valid({ name: 'a' }),
        valid({ name: 'b', namespace: 'own', serviceMonitor: { labels: { release: 'other' } }, grafana: { host: 'b.example.com' } }),
      ],
    });
    expect(a.namespace).toBe('shared');
    expect(a.serviceMonitor).toEqual({ interval: '1m', labels: { release: 'kps', team: 'obs' } });
    expect(a.server.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    expect(b.namespace).toBe('own');
    expect(b.serviceMonitor).toEqual({ interval: '1m', labels: { release: 'other' } });
  });

  test('the input is not modified', () => {
    const config = { defaults: { server: { replicas: 2 } }, installations: [valid()] };
    const copy = JSON.parse(JSON.stringify(config));
    resolveConfig(config);
    expect(config).toEqual(copy);
  });
});

describe('bad configs', () => {
  test('fails when a key is unknown, and suggests the near one', () => {
    expect(problemsOf({ installations: [valid({ grafana: { host: 'g.example.com', subpath: '/x' } })] })).toEqual([
      expect.stringMatching(/^installations\[0\]\.grafana\.subpath: unknown key: "subpath" is not allowed here; did you mean "subPath"\?/),
    ]);
    expect(problemsOf({ installations: [valid()], defaults: { severs: {} } })).toEqual([
      expect.stringMatching(/^defaults\.severs: unknown key: .*did you mean "server"\?/),
    ]);
  });

  test('fails when the host is missing', () => {
    expect(problemsOf({ installations: [{ name: 'a', grafana: {} }] })).toEqual([
      'installations[0].grafana.host: is required; allowed: a lower-case DNS host name without scheme, port or path, e.g. grafana.example.com',
    ]);
  });

  test('fails when the installation list is empty or missing', () => {
    expect(problemsOf({ installations: [] })).toEqual([
      expect.stringMatching(/^installations: got \[\]; allowed: a list of at least one installation/),
    ]);
    expect(problemsOf({})).toEqual(['installations: is required; allowed: a list of at least one installation']);
  });

  test('fails when a name is not a DNS-1035 label or too long', () => {
    expect(problemsOf({ installations: [valid({ name: 'Prod_EU' })] })).toEqual([
      expect.stringMatching(/^installations\[0\]\.name: got "Prod_EU"; allowed: a DNS-1035 label/),
    ]);
    expect(problemsOf({ installations: [valid({ name: 'a'.repeat(41) })] })).toEqual([
      expect.stringMatching(/^installations\[0\]\.name: got "a{41}"; allowed: .*at most 40 characters/),
    ]);
  });

  test('fails when the host has a scheme, a path or upper case', () => {
    for (const host of ['https://g.example.com', 'g.example.com/grafana', 'G.example.com', 'g.example.com:443']) {
      expect(problemsOf({ installations: [valid({ grafana: { host } })] })).toEqual([
        `installations[0].grafana.host: got ${JSON.stringify(host)}; allowed: a lower-case DNS host name without scheme, port or path, e.g. `
          + `grafana.example.com`,
      ]);
    }
  });

  test('fails when a sub-path has no leading slash or a trailing one', () => {
    for (const subPath of ['grafana', '/grafana/', '//grafana', '/gra fana']) {
      expect(problemsOf({ installations: [valid({ grafana: { host: 'g.example.com', subPath } })] })).toEqual([
        expect.stringMatching(/^installations\[0\]\.grafana\.subPath: got ".*"; allowed: '\/' or a path like \/grafana/),
      ]);
    }
  });

  test('fails when a port is out of range or not an integer', () => {
    for (const port of [0, 65536, 80.5, '80']) {
      expect(problemsOf({ installations: [valid({ grafana: { host: 'g.example.com', service: { port } } })] })).toEqual([
        `installations[0].grafana.service.port: got ${JSON.stringify(port)}; allowed: an integer from 1 to 65535`,
      ]);
    }
  });

  test('fails when installation names repeat', () => {
    expect(problemsOf({ installations: [valid(), valid({ grafana: { host: 'other.example.com' } })] })).toEqual([
      'installations[1].name: got "prod"; allowed: a name no other installation has (installations[0] has it)',
    ]);
  });

  test('fails when two installations claim the same host and write path', () => {
    expect(problemsOf({ installations: [valid({ name: 'a' }), valid({ name: 'b' })] })).toEqual([
      'installations[1].ingress.writePath: got "/analytics-plugin/write" on host "grafana.example.com"; allowed: a host and path nothing else '
        + 'claims (installations[0].ingress.writePath has it)',
    ]);
  });

  test('fails when the auth mode is not one of the known ones', () => {
    expect(problemsOf({ installations: [valid({ auth: { mode: 'oauth' } })] })).toEqual([
      'installations[0].auth.mode: got "oauth"; allowed: one of "in-cluster", "via-ingress"',
    ]);
  });

  test('fails when label keys or values are not valid Kubernetes labels', () => {
    expect(problemsOf({ installations: [valid({ serviceMonitor: { labels: { release: 'kube prometheus' } } })] })).toEqual([
      expect.stringMatching(/^installations\[0\]\.serviceMonitor\.labels\.release: got "kube prometheus"; allowed: a Kubernetes label value/),
    ]);
    expect(problemsOf({ installations: [valid({ serviceMonitor: { labels: { '-bad': 'x' } } })] }).join('\n'))
      .toMatch(/installations\[0\]\.serviceMonitor\.labels(\["-bad"\])?: /);
  });

  test('fails when the image is not an image reference', () => {
    expect(problemsOf({ installations: [valid({ server: { image: 'Docker.io/Foo:bar baz' } })] })).toEqual([
      expect.stringMatching(/^installations\[0\]\.server\.image: got "Docker.io\/Foo:bar baz"; allowed: an image reference/),
    ]);
  });

  test('lists every problem at once', () => {
    const problems = problemsOf({
      installations: [
        { name: 'ok', grafana: { host: 'bad host', subPath: 'nope' }, server: { replicas: -1 } },
        { name: 'UPPER', grafana: { host: 'g.example.com', service: { port: 99999 } } },
      ],
    });
    expect(problems.map(p => p.split(':')[0])).toEqual([
      'installations[0].grafana.host',
      'installations[0].grafana.subPath',
      'installations[0].server.replicas',
      'installations[1].name',
      'installations[1].grafana.service.port',
    ]);
  });

  test('the error message names the source and every problem', () => {
    expect(() => resolveConfig(untyped({ installations: [{ name: 'a', grafana: {} }] }), 'my.yaml'))
      .toThrow(new RegExp(/^invalid configuration in my\.yaml \(1 problem\):\n {2}/.source
        + /- installations\[0\]\.grafana\.host: is required; allowed: a lower-case DNS host name.*$/.source));
  });

  test('fails on YAML syntax errors with line and column', () => {
    expect(() => parseConfigYaml('installations:\n  - name: a\n   grafana: [\n', 'bad.yaml'))
      .toThrow(/invalid configuration in bad\.yaml.*\n.*YAML syntax error at line \d+, column \d+/);
  });

  test('fails on duplicate YAML keys', () => {
    expect(() => parseConfigYaml('installations: []\ninstallations: []\n')).toThrow(/YAML syntax error at line 2, column 1/);
  });
});
