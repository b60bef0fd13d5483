/** library defaults < config `defaults` < installation < explicit construct props (README "Where a value comes from"). */
import { App, Chart } from 'cdk8s';
import { AnalyticsInstallationChart, AnalyticsServer, DEFAULTS, resolveConfig } from '../lib';

const deploymentOf = (objects: any[]) => objects.find(o => o.kind === 'Deployment');

describe('defaults precedence', () => {
  // GIVEN one installation that sets its own values, one that inherits `defaults`, in a config with `defaults`
  const [own, inherits] = resolveConfig({
    defaults: {
      server: { image: 'registry.example.com/analytics:1.0.0', nodeSelector: { pool: 'tools' } },
      grafana: { service: { port: 3000 } },
    },
    installations: [
      {
        name: 'own',
        grafana: { host: 'own.example.com', service: { name: 'kube-grafana' } },
        server: { image: 'registry.example.com/analytics:2.0.0', nodeSelector: { 'kubernetes.io/arch': 'arm64' } },
      },
      { name: 'inherits', grafana: { host: 'inherits.example.com' } },
    ],
  });
  const [bare] = resolveConfig({ installations: [{ name: 'bare', grafana: { host: 'bare.example.com' } }] });

  test('library defaults apply when neither `defaults` nor the installation sets a value', () => {
    expect(bare.server.image).toBe(DEFAULTS.server.image);
    expect(bare.grafana.service).toEqual({ ...DEFAULTS.grafana.service, namespace: DEFAULTS.namespace });
    expect(inherits.server.replicas).toBe(DEFAULTS.server.replicas);
  });

  test('config `defaults` win over library defaults', () => {
    expect(inherits.server.image).toBe('registry.example.com/analytics:1.0.0');
    expect(inherits.grafana.service.port).toBe(3000);
  });

  test('the installation wins over `defaults`; objects merge key by key, maps are replaced whole', () => {
    expect(own.server.image).toBe('registry.example.com/analytics:2.0.0');
    expect(own.grafana.service).toEqual({ ...DEFAULTS.grafana.service, name: 'kube-grafana', namespace: DEFAULTS.namespace, port: 3000 });
    expect(own.server.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    expect(inherits.server.nodeSelector).toEqual({ pool: 'tools' });
  });

  test('explicit construct props win over the installation', () => {
    // WHEN code builds the chart from a resolved installation and overrides one prop
    const chart = new AnalyticsInstallationChart(new App(), 'own', { ...own, server: { ...own.server, replicas: 0 } });
    // THEN
    expect(deploymentOf(chart.toJson()).spec.replicas).toBe(0);
    expect(deploymentOf(chart.toJson()).spec.template.spec.containers[0].image).toBe('registry.example.com/analytics:2.0.0');
  });

  test('a construct built without optional props falls back to the library defaults', () => {
    const chart = new Chart(new App(), 'c');
    new AnalyticsServer(chart, 'Server', { installation: 'x' });
    const deployment = deploymentOf(chart.toJson());
    expect(deployment.spec.replicas).toBe(DEFAULTS.server.replicas);
    expect(deployment.spec.template.spec.containers[0].image).toBe(DEFAULTS.server.image);
    expect(deployment.spec.template.spec.nodeSelector).toEqual(DEFAULTS.server.nodeSelector);
  });
});
