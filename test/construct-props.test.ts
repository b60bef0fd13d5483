/**
 * Every construct checks its props when it is built, with the config's schema, rules and
 * messages, and defaults or derives what it is not given as the config does.
 */
import { App, Chart, Testing } from 'cdk8s';
import {
  AnalyticsDashboards,
  AnalyticsInstallationChart,
  AnalyticsNetworkPolicy,
  AnalyticsPrometheusRule,
  AnalyticsServer,
  AnalyticsServiceMonitor,
  GrafanaDashboardConfigMap,
  GrafanaOperatorDashboard,
  IngressNginxAuthFront,
  PropsError,
  ProxyAuthFront,
  TraefikAuthFront,
  WriteRoute,
} from '../lib';
import { PLUGIN_ID } from '../lib/config/constants';
import { goJsonBytes, GZIP_JSON_THRESHOLD_BYTES } from '../lib/config/operator-dashboards';
import { resolveOne } from './support/example';
import { validateManifests } from './support/kube-schema';

const IMAGE = "allowed: an image reference such as docker.io/macropower/analytics-panel-server:0.0.1 (lower-case repository, optional :tag and "
  + "@sha256: digest)";
const NAME = "allowed: a DNS-1035 label (lower-case letters, digits and '-', starting with a letter) of at most 40 characters";
const NAMESPACE = "allowed: a Kubernetes namespace name (DNS-1123 label: lower-case letters, digits and '-', at most 63 characters)";

function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'custom', { namespace, disableResourceNameHashes: true });
}

/** The message a construct throws, or a test failure. */
function failure(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(PropsError);
    return (e as Error).message;
  }
  throw new Error('expected the construct to throw');
}

describe('AnalyticsServer', () => {
  test('fails naming every bad prop, the value received and what is allowed', () => {
    expect(
      failure(
        () =>
          new AnalyticsServer(chart('observability'), 'Server', {
            installation: 'Prod_EU',
            replicas: -3,
            image: 'Registry.example.com/Server:latest',
          }),
      ),
    ).toBe(
      [
        'invalid AnalyticsServer props at custom/Server (3 problems):',
        `  - installation: got "Prod_EU"; ${NAME}`,
        `  - image: got "Registry.example.com/Server:latest"; ${IMAGE}`,
        '  - replicas: got -3; allowed: an integer from 0 to 100',
      ].join('\n'),
    );
  });

  test('fails on resources and node selectors the config rejects, with the config\'s rules', () => {
    const message = failure(() => new AnalyticsServer(chart('observability'), 'Server', {
      installation: 'custom',
      resources: { requests: { cpu: '10 cores', memory: '32Mi' }, limits: { cpu: '1', memory: '1G' } },
    }));
    expect(message).toContain('  - resources.requests.cpu: got "10 cores"; allowed: a CPU quantity such as 100m or 0.5');
    expect(message).toContain('  - resources.limits.memory: got "1G"; allowed: a memory quantity in Ki, Mi or Gi, such as 64Mi');
    const longPrefix = Array(5).fill('a'.repeat(60)).join('.');
    const nodeSelector = { [`${longPrefix}/arch`]: 'amd64' };
    expect(failure(() => new AnalyticsServer(chart('observability'), 'Server', { installation: 'custom', nodeSelector })))
      .toMatch(new RegExp(/^invalid AnalyticsServer props at custom\/Server \(1 problem\):\n {2}/.source
        + /- nodeSelector: got key "a{60}\.a{60}\..*"; allowed: a label key prefix of at most 253 characters$/.source));
  });

  test('fails when a JavaScript caller leaves out the installation', () => {
    expect(failure(() => new AnalyticsServer(chart('observability'), 'Server', {} as never))).toContain(`  - installation: is required; ${NAME}`);
  });
});

describe('IngressNginxAuthFront', () => {
  test('fails on a host with scheme and slash, an IP host, a bad port and sub-path', () => {
    const build = (host: string) => () => {
      const c = chart('observability');
      new IngressNginxAuthFront(c, 'AuthFront', {
        installation: 'custom',
        server: new AnalyticsServer(c, 'Server', { installation: 'custom' }),
        host,
        grafanaServicePort: 0,
        subPath: '/grafana/',
      });
    };
    expect(failure(build('https://grafana.example.com/'))).toBe([
      'invalid IngressNginxAuthFront props at custom/AuthFront (3 problems):',
      '  - host: got "https://grafana.example.com/"; allowed: a lower-case DNS host name without scheme, port or path, e.g. grafana.example.com',
      '  - subPath: got "/grafana/"; allowed: \'/\' or a path like /grafana: a leading \'/\', no trailing \'/\', segments of letters, digits, \'_\' '
        + 'and \'-\'',
      '  - grafanaServicePort: got 0; allowed: an integer from 1 to 65535',
    ].join('\n'));
  });

  test("applies the config's rules, in the props' own names", () => {
    const c = chart('observability');
    const server = new AnalyticsServer(c, 'Server', { installation: 'custom' });
    expect(
      failure(
        () =>
          new IngressNginxAuthFront(c, 'A', { installation: 'custom', server, host: '10.0.0.1', serveFromSubPath: true, viaIngressPath: '/auth' }),
      ),
    ).toBe(
      [
        'invalid IngressNginxAuthFront props at custom/A (3 problems):',
        '  - host: got "10.0.0.1"; allowed: a DNS host name, not an IP address (an Ingress host cannot be one)',
        '  - serveFromSubPath: got true while subPath is "/"; allowed: true only with a sub-path such as /grafana',
        '  - viaIngressPath: got "/auth" while mode is "in-cluster"; allowed: only with mode "via-ingress" (remove it or set mode: via-ingress)',
      ].join('\n'),
    );
  });

  test('Grafana\'s Service defaults as in the config: grafana, port 80, in the Chart\'s namespace', () => {
    const c = chart('observability');
    const front = new IngressNginxAuthFront(c, 'AuthFront', {
      installation: 'custom', server: new AnalyticsServer(c, 'Server', { installation: 'custom' }), host: 'grafana.example.com',
    });
    expect(front.authUrl).toBe('http://grafana.observability.svc.cluster.local:80/api/user');
    expect(validateManifests(c.toJson())).toEqual([]);
  });

  test('used alone, derives the write path, auth path and auth URL as resolveConfig does', () => {
    // GIVEN a sub-path Grafana serves from, via-ingress mode with TLS
    const settings = { subPath: '/ops/grafana', mode: 'via-ingress' as const, viaIngressPath: '/auth', tlsSecretName: 'tls' };
    const resolved = resolveOne({
      grafana: { host: 'grafana.example.com', subPath: settings.subPath },
      auth: { mode: settings.mode, viaIngressPath: settings.viaIngressPath },
      ingress: { tlsSecretName: settings.tlsSecretName },
    });
    const c = chart('monitoring');
    // WHEN
    const front = new IngressNginxAuthFront(c, 'AuthFront', {
      installation: 'custom', server: new AnalyticsServer(c, 'Server', { installation: 'custom' }), host: 'grafana.example.com', ...settings,
    });
    // THEN
    expect(front.writePath).toBe(resolved.ingress.publicWritePath);
    expect(front.authUrl).toBe(resolved.auth.url);
    expect(front.authIngress?.toJson()).toMatchObject({
      metadata: { annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': resolved.grafana.apiUserPath } },
      spec: { rules: [{ http: { paths: [{ path: resolved.auth.viaIngressPublicPath }] } }] },
    });
  });

  test('reads the derived values it is given instead of deriving them', () => {
    const c = chart('monitoring');
    const front = new IngressNginxAuthFront(c, 'AuthFront', {
      installation: 'custom', server: new AnalyticsServer(c, 'Server', { installation: 'custom' }), host: 'grafana.example.com',
      mode: 'via-ingress', publicWritePath: '/given/write', viaIngressPublicPath: '/given/auth', apiUserPath: '/given/api/user',
      authUrl: 'https://$host/given/auth',
    });
    expect(front.writePath).toBe('/given/write');
    expect(front.authUrl).toBe('https://$host/given/auth');
    expect(front.writeIngress.toJson()).toMatchObject({ spec: { rules: [{ http: { paths: [{ path: '/given/write' }] } }] } });
    expect(front.authIngress?.toJson()).toMatchObject({
      metadata: { annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/given/api/user' } },
      spec: { rules: [{ http: { paths: [{ path: '/given/auth' }] } }] },
    });
  });

  test('fails without grafanaServiceNamespace when the Chart sets no namespace', () => {
    const c = chart();
    expect(failure(() => new IngressNginxAuthFront(c, 'AuthFront', {
      installation: 'custom', server: new AnalyticsServer(c, 'Server', { installation: 'custom' }), host: 'grafana.example.com',
    }))).toBe(`invalid IngressNginxAuthFront props at custom/AuthFront (1 problem):\n  - grafanaServiceNamespace: is required when the Chart sets `
      + `no namespace; ${NAMESPACE}`);
  });
});

describe('TraefikAuthFront, ProxyAuthFront and WriteRoute', () => {
  const grafana = { name: 'grafana', namespace: 'monitoring', port: 80, clusterDomain: 'cluster.local', subPath: '/', serveFromSubPath: false };

  test("fail on the props the config would reject, with the config's rules about their front", () => {
    const c = chart('observability');
    const server = new AnalyticsServer(c, 'Server', { installation: 'custom' });
    expect(
      failure(
        () =>
          new TraefikAuthFront(c, 'Traefik', {
            installation: 'custom',
            namespace: 'Observability',
            server,
            host: 'https://grafana.example.com/',
            grafana,
            maxBodySize: '8 kB',
          }),
      ),
    ).toBe(
      [
        'invalid TraefikAuthFront props at custom/Traefik (3 problems):',
        `  - namespace: got "Observability"; ${NAMESPACE}`,
        '  - host: got "https://grafana.example.com/"; allowed: a lower-case DNS host name without scheme, port or path, e.g. grafana.example.com',
        '  - maxBodySize: got "8 kB"; allowed: an nginx size such as 8k or 1m',
      ].join('\n'),
    );
    expect(
      failure(() => new ProxyAuthFront(c, 'Proxy', { installation: 'custom', server, host: 'grafana.example.com', grafana, image: 'Nginx' })),
    ).toBe(
      'invalid ProxyAuthFront props at custom/Proxy (1 problem):\n  - image: got "Nginx"; allowed: an image reference such as ' +
        'docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine (lower-case repository, optional :tag and @sha256: digest)',
    );
    // As in the config, the rules between settings apply once every setting has its form.
    expect(
      failure(
        () =>
          new ProxyAuthFront(c, 'Proxy2', {
            installation: 'custom',
            server,
            host: 'grafana.example.com',
            grafana,
            routeKind: 'httproute',
            tlsSecretName: 'tls',
            gateway: { name: 'gw', namespace: 'gateways' },
          }),
      ),
    ).toBe(
      'invalid ProxyAuthFront props at custom/Proxy2 (1 problem):\n  - tlsSecretName: got "tls" while routeKind is "httproute"; allowed: ' +
        "nothing (TLS belongs to the Gateway's listener)",
    );
    expect(
      failure(
        () =>
          new WriteRoute(c, 'Route', {
            installation: 'custom',
            kind: 'ingress',
            host: 'grafana.example.com',
            path: '/write/',
            serviceName: 'custom-analytics',
            servicePort: 70000,
          }),
      ),
    ).toBe(
      [
        'invalid WriteRoute props at custom/Route (2 problems):',
        "  - path: got \"/write/\"; allowed: a path like /analytics-plugin/write: a leading '/', no trailing '/', segments of letters, digits, " +
          "'_' and '-'",
        '  - servicePort: got 70000; allowed: an integer from 1 to 65535',
      ].join('\n'),
    );
  });
  test('derive the write path and auth URL as resolveConfig does when used alone, and read them when given', () => {
    // GIVEN a sub-path Grafana serves from
    const resolved = resolveOne({ grafana: { host: 'grafana.example.com', subPath: '/grafana' }, auth: { front: 'traefik' } });
    const served = { ...grafana, ...resolved.grafana.service, subPath: '/grafana', serveFromSubPath: true };
    const c = chart('monitoring');
    const server = new AnalyticsServer(c, 'Server', { installation: 'custom' });
    const base = { installation: 'custom', server, host: 'grafana.example.com', grafana: served };
    // WHEN
    const fronts = [new TraefikAuthFront(c, 'Traefik', { ...base, namespace: 'monitoring' }), new ProxyAuthFront(c, 'Proxy', base)];
    const given = { ...base, publicWritePath: '/given/write', authUrl: 'http://auth.monitoring.svc.cluster.local:80/given' };
    const givenFronts = [new TraefikAuthFront(c, 'TraefikGiven', { ...given, namespace: 'monitoring' }), new ProxyAuthFront(c, 'ProxyGiven', given)];
    // THEN
    for (const front of fronts) expect([front.writePath, front.authUrl]).toEqual([resolved.ingress.publicWritePath, resolved.auth.url]);
    for (const front of givenFronts) expect([front.writePath, front.authUrl]).toEqual([given.publicWritePath, given.authUrl]);
  });
});

describe('AnalyticsServiceMonitor and AnalyticsNetworkPolicy', () => {
  test('fail on a bad interval, labels and namespaces', () => {
    const c = chart('observability');
    const server = new AnalyticsServer(c, 'Server', { installation: 'custom' });
    expect(
      failure(
        () =>
          new AnalyticsServiceMonitor(c, 'ServiceMonitor', {
            installation: 'custom',
            server,
            interval: '30 seconds',
            labels: { release: 'kube prometheus' },
          }),
      ),
    ).toBe(
      [
        'invalid AnalyticsServiceMonitor props at custom/ServiceMonitor (2 problems):',
        '  - interval: got "30 seconds"; allowed: a Prometheus duration such as 30s or 1m',
        "  - labels.release: got \"kube prometheus\"; allowed: a Kubernetes label value: at most 63 letters, digits, '-', '_' and '.', starting " +
          'and ending with a letter or digit',
      ].join('\n'),
    );
    expect(failure(() => new AnalyticsNetworkPolicy(c, 'NetworkPolicy', { installation: 'custom', server, prometheusNamespace: 'Monitoring' }))).toBe(
      `invalid AnalyticsNetworkPolicy props at custom/NetworkPolicy (1 problem):\n  - prometheusNamespace: got "Monitoring"; ${NAMESPACE}`,
    );
  });
});

describe('AnalyticsPrometheusRule', () => {
  test('the server\'s namespace and Grafana\'s up selector derive from the server\'s Chart', () => {
    const c = chart('observability');
    const server = new AnalyticsServer(c, 'Server', { installation: 'custom' });
    const rule = new AnalyticsPrometheusRule(c, 'PrometheusRule', { installation: 'custom', server });
    const expr = JSON.stringify(rule.resource.toJson());
    expect(expr).toContain('up{namespace=\\"observability\\", job=\\"custom-analytics\\"}');
    expect(expr).toContain('min_over_time(up{job=\\"grafana\\",namespace=\\"observability\\"}');
  });

  test('fails on bad settings, and without serverNamespace when the server\'s Chart sets no namespace', () => {
    const c = chart();
    const server = new AnalyticsServer(c, 'Server', { installation: 'custom' });
    expect(
      failure(
        () =>
          new AnalyticsPrometheusRule(c, 'PrometheusRule', {
            installation: 'custom',
            server,
            noBeaconFor: '0',
            grafanaUpSelector: '{job="grafana"}',
          }),
      ),
    ).toBe(
      [
        'invalid AnalyticsPrometheusRule props at custom/PrometheusRule (3 problems):',
        '  - grafanaUpSelector: got "{job=\\"grafana\\"}"; allowed: comma-separated PromQL label matchers without braces, e.g. ' +
          'job="grafana",namespace="monitoring"',
        '  - noBeaconFor: got "0"; allowed: a non-zero Prometheus duration such as 6h or 1d',
        `  - serverNamespace: is required when the server's Chart sets no namespace; ${NAMESPACE}`,
      ].join('\n'),
    );
  });
});

describe('AnalyticsDashboards and GrafanaDashboardConfigMap', () => {
  test('the namespaces and the write path default as the config does', () => {
    const c = chart('observability');
    const server = new AnalyticsServer(c, 'Server', { installation: 'custom' });
    const dashboards = new AnalyticsDashboards(c, 'Dashboards', { installation: 'custom', server });
    expect(dashboards.usageConfigMap!.resource.toJson().metadata.namespace).toBe('observability');
    expect(dashboards.panel.options.analyticsOptions.server).toBe('/analytics-plugin/write');
    expect(JSON.stringify(dashboards.usageConfigMap!.resource.toJson())).toContain('namespace=\\\\\\"observability\\\\\\"');
  });

  test('fails on bad settings and on a dashboard that is not a provisionable model', () => {
    const c = chart();
    const server = new AnalyticsServer(c, 'Server', { installation: 'custom' });
    expect(failure(() => new AnalyticsDashboards(c, 'Dashboards', {
      installation: 'custom', server, serverNamespace: 'monitoring', heartbeatIntervalSeconds: 1, writePath: 'analytics/write',
      dashboards: [{ name: 'home', dashboard: { uid: 'has spaces', title: 'Home' } }],
    }))).toBe([
      'invalid AnalyticsDashboards props at custom/Dashboards (4 problems):',
      '  - writePath: got "analytics/write"; allowed: a path like /analytics-plugin/write: a leading \'/\', no trailing \'/\', segments of letters, '
        + 'digits, \'_\' and \'-\'',
      '  - heartbeatIntervalSeconds: got 1; allowed: an integer from 5 to 3600',
      `  - namespace: is required when the Chart sets no namespace; ${NAMESPACE}`,
      '  - dashboards[0].dashboard: "uid" got "has spaces"; allowed: 1 to 40 letters, digits, \'-\' and \'_\' (a provisioned dashboard needs a '
        + 'stable uid)',
    ].join('\n'));
    expect(
      failure(
        () =>
          new GrafanaDashboardConfigMap(c, 'ConfigMap', {
            installation: 'custom',
            name: 'Home',
            namespace: 'monitoring',
            fileName: 'home.yaml',
            dashboard: {},
          }),
      ),
    ).toBe(
      [
        'invalid GrafanaDashboardConfigMap props at custom/ConfigMap (2 problems):',
        "  - name: got \"Home\"; allowed: a Kubernetes object name (DNS-1123 subdomain: lower-case letters, digits, '-' and '.')",
        "  - fileName: got \"home.yaml\"; allowed: letters, digits, '-', '_' and '.', ending in .json",
      ].join('\n'),
    );
  });
});

describe('AnalyticsInstallationChart', () => {
  test('fails on an installation built by hand that the config would reject, in the config\'s terms', () => {
    const inst = resolveOne();
    const bad = { ...inst, name: 'Prod_EU', server: { ...inst.server, replicas: -3 }, grafana: { ...inst.grafana, host: '10.0.0.1' } };
    expect(failure(() => new AnalyticsInstallationChart(new App(), 'prod', bad))).toBe([
      'invalid AnalyticsInstallationChart props at prod (2 problems):',
      `  - name: got "Prod_EU"; ${NAME}`,
      '  - server.replicas: got -3; allowed: an integer from 0 to 100',
    ].join('\n'));
    expect(failure(() => new AnalyticsInstallationChart(new App(), 'prod', { ...inst, grafana: { ...inst.grafana, host: '10.0.0.1' } })))
      .toContain('  - grafana.host: got "10.0.0.1"; allowed: a DNS host name, not an IP address');
  });

  test('parts a subclass adds after the installation\'s own are checked again', () => {
    class WithSecondServer extends AnalyticsInstallationChart {
      constructor() {
        super(new App(), 'prod', resolveOne());
        new AnalyticsServer(this, 'Second', { installation: 'second', replicas: -3 });
      }
    }
    expect(failure(() => new WithSecondServer())).toBe('invalid AnalyticsServer props at prod/Second (1 problem):\n  - replicas: got -3; allowed: '
      + 'an integer from 0 to 100');
  });
});

describe('GrafanaOperatorDashboard and AnalyticsDashboards props', () => {
  const SMALL = { uid: 'small', title: 'Small', panels: [{ id: 1, type: 'stat', title: 's', gridPos: { h: 4, w: 24, x: 0, y: 0 } }] };
  const SELECTOR = { dashboards: 'grafana' };
  const valid = { installation: 'custom', name: 'custom-dashboard', namespace: 'grafana', instanceSelector: SELECTOR, dashboard: SMALL };

  test('declares the plugin only for a dashboard that carries the hidden panel', () => {
    const c = chart('grafana');
    const plain = new GrafanaOperatorDashboard(c, 'Plain', valid);
    const withPanel = new GrafanaOperatorDashboard(c, 'WithPanel', {
      ...valid, name: 'with-panel', dashboard: { ...SMALL, panels: [{ type: PLUGIN_ID, gridPos: {} }] },
    });
    expect(plain.resource.toJson().spec.plugins).toBeUndefined();
    expect(withPanel.resource.toJson().spec.plugins).toEqual([{ name: PLUGIN_ID, version: '2.1.0' }]);
  });

  test('gzips from one byte above the threshold', () => {
    // GIVEN dashboards whose JSON takes the threshold and one byte more in the annotation
    const sized = (bytes: number) => {
      const base = { ...SMALL, description: '' };
      return { ...base, description: 'd'.repeat(bytes - goJsonBytes(`${JSON.stringify(base, null, 2)}\n`)) };
    };
    const c = chart('grafana');
    const at = new GrafanaOperatorDashboard(c, 'At', { ...valid, name: 'at', dashboard: sized(GZIP_JSON_THRESHOLD_BYTES) });
    const above = new GrafanaOperatorDashboard(c, 'Above', { ...valid, name: 'above', dashboard: sized(GZIP_JSON_THRESHOLD_BYTES + 1) });
    // THEN
    expect(goJsonBytes(at.resource.toJson().spec.json)).toBe(GZIP_JSON_THRESHOLD_BYTES);
    expect([at.gzipped, above.gzipped]).toEqual([false, true]);
  });

  test('fails on bad props with the config\'s rules, naming every prop', () => {
    expect(failure(() => new GrafanaOperatorDashboard(chart('grafana'), 'D', {
      ...valid, namespace: 'Grafana', instanceSelector: {}, folder: '', resyncPeriod: '3000000h',
    }))).toBe([
      'invalid GrafanaOperatorDashboard props at custom/D (3 problems):',
      '  - namespace: got "Grafana"; allowed: a Kubernetes namespace name (DNS-1123 label: lower-case letters, digits and \'-\', at most 63 '
        + 'characters)',
      '  - instanceSelector: got {}; allowed: a mapping of at least one Kubernetes label key ([prefix/]name, name at most 63 characters) to a '
        + 'label value, e.g. dashboards: grafana (an empty selector would match every Grafana of the namespace)',
      '  - folder: got ""; allowed: a folder title of 1 to 189 characters, not only white space',
    ].join('\n'));
    expect(failure(() => new GrafanaOperatorDashboard(chart('grafana'), 'D', { ...valid, resyncPeriod: '3000000h' }))).toBe([
      'invalid GrafanaOperatorDashboard props at custom/D (1 problem):',
      '  - resyncPeriod: got "3000000h": it is longer than 2562047h (Go\'s time.Duration holds about 292 years); '
        + 'allowed: a Go duration of at most 2562047h, such as 10m or 1h30m',
    ].join('\n'));
  });

  test('AnalyticsDashboards with operator needs a selector and refuses the sidecar\'s settings', () => {
    const c = chart('grafana');
    const server = new AnalyticsServer(c, 'Server', { installation: 'custom' });
    const withSidecarKey = { installation: 'custom', server, provisioning: 'operator' as const, labelKey: 'x' };
    expect(failure(() => new AnalyticsDashboards(c, 'Dashboards', withSidecarKey))).toBe([
      'invalid AnalyticsDashboards props at custom/Dashboards (2 problems):',
      '  - instanceSelector: is required; allowed: the labels of the Grafana CRs the GrafanaDashboards go to, e.g. dashboards: grafana '
        + '(provisioning is "operator")',
      '  - labelKey: got "x" while provisioning is "operator"; allowed: nothing (the Grafana Operator reads GrafanaDashboards, not sidecar '
        + 'ConfigMaps: remove it or set provisioning: sidecar)',
    ].join('\n'));
    const dashboards = new AnalyticsDashboards(c, 'Operator', {
      installation: 'custom', server, provisioning: 'operator', instanceSelector: SELECTOR,
    });
    const usageNamespace = (dashboards.usageGrafanaDashboard?.resource.toJson() as { metadata: { namespace: string } }).metadata.namespace;
    expect([usageNamespace, dashboards.usageConfigMap, dashboards.dashboardConfigMaps]).toEqual(['grafana', undefined, []]);
  });
});
