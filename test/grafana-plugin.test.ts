import { parse } from 'yaml';
import { grafanaPluginEnv, resolveConfig, synthesize } from '../lib';
import { grafanaChartPlugins } from '../lib/grafana/plugin';
import { grafanaValuesFiles } from '../lib/output/grafana-values';
import { synthesizeExample } from './support/grafana';

const installation = (grafana: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  name: 'one', grafana: { host: 'grafana.example.com', ...grafana }, ...extra,
});

describe('grafanaPluginEnv', () => {
  test.each([
    ['12.1.0', 'GF_PLUGINS_PREINSTALL_SYNC', 'macropower-analytics-panel@2.1.0'],
    ['12.2.3', 'GF_PLUGINS_PREINSTALL_SYNC', 'macropower-analytics-panel@2.1.0'],
    ['13.0.0', 'GF_PLUGINS_PREINSTALL_SYNC', 'macropower-analytics-panel@2.1.0'],
    ['12.0.9', 'GF_INSTALL_PLUGINS', 'macropower-analytics-panel 2.1.0'],
    ['11.6.0', 'GF_INSTALL_PLUGINS', 'macropower-analytics-panel 2.1.0'],
    ['9.5.21', 'GF_INSTALL_PLUGINS', 'macropower-analytics-panel 2.1.0'],
  ])('Grafana %s installs with %s=%s', (grafanaVersion, name, value) => {
    expect(grafanaPluginEnv({ grafanaVersion })).toEqual([{ name, value }]);
  });

  test('pins the configured plugin version', () => {
    expect(grafanaPluginEnv({ grafanaVersion: '12.1.0', pluginVersion: '2.2.0' })).toEqual([
      { name: 'GF_PLUGINS_PREINSTALL_SYNC', value: 'macropower-analytics-panel@2.2.0' },
    ]);
  });

  test('fails when the Grafana version is not a version', () => {
    expect(() => grafanaPluginEnv({ grafanaVersion: 'latest' })).toThrow(/grafana version got "latest"; allowed: a semantic version/);
  });
});

describe('Grafana chart values', () => {
  test('plugins: entries follow the chart flavour', () => {
    expect(grafanaChartPlugins('grafana-community', '2.1.0')).toEqual(['macropower-analytics-panel@2.1.0']);
    expect(grafanaChartPlugins('grafana', '2.1.0')).toEqual(['macropower-analytics-panel 2.1.0']);
  });

  test('one values.yaml per installation of the example', () => {
    // WHEN
    const files = grafanaValuesFiles(synthesizeExample());
    // THEN
    expect(files.map(f => f.path)).toEqual(['grafana/prod-eu/values.yaml', 'grafana/prod-us/values.yaml', 'grafana/staging/values.yaml']);
    expect(files.map(f => parse(f.content).plugins)).toEqual([
      ['macropower-analytics-panel@2.1.0'], ['macropower-analytics-panel@2.1.0'], ['macropower-analytics-panel 2.1.0'],
    ]);
    expect(files[2].content).toMatchSnapshot();
  });

  test('the sidecar watches the dashboards\' namespace when it is not Grafana\'s', () => {
    // WHEN
    const [file] = grafanaValuesFiles(synthesize(resolveConfig({ installations: [installation(
      { service: { name: 'grafana', namespace: 'grafana' } },
      { dashboardSidecar: { namespace: 'dashboards', labelValue: 'yes' } },
    )] })));
    // THEN
    expect(parse(file.content).sidecar).toEqual({
      dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: 'yes', searchNamespace: 'dashboards' },
    });
  });

  test.each([
    ['grafana.version', installation({ version: 'v12' }), /installations\[0\]\.grafana\.version: got "v12"; allowed: a semantic version/],
    [
      'grafana.chart',
      installation({ chart: 'bitnami' }),
      /installations\[0\]\.grafana\.chart: got "bitnami"; allowed: one of "grafana-community", "grafana"/,
    ],
    ['panel.pluginVersion', installation({}, { panel: { pluginVersion: '2.1' } }), /installations\[0\]\.panel\.pluginVersion: got "2\.1"/],
    [
      'panel.heartbeatIntervalSeconds',
      installation({}, { panel: { heartbeatIntervalSeconds: 1 } }),
      /panel\.heartbeatIntervalSeconds: got 1; allowed: an integer from 5 to 3600/,
    ],
  ])('fails when %s is invalid', (_field, inst, message) => {
    expect(() => resolveConfig({ installations: [inst] })).toThrow(message);
  });

  test('fails when the grafana-community chart meets a Grafana before 12.1', () => {
    expect(() => resolveConfig({ installations: [installation({ version: '11.6.0' })] }))
      .toThrow(new RegExp(/installations\[0\]\.grafana\.chart: got "grafana-community" with grafana\.version "11\.6\.0"; /.source
        + /allowed: grafana-community only with Grafana 12\.1 or later/.source));
  });
});
