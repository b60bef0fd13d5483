import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, loadConfigFile, synthesize } from '../lib';
import { PLUGIN_ID } from '../lib/config/constants';
import { dashboardsOf, EXAMPLE_CONFIG, objectNamed, objectsOfKind, resolveIn, synthesizeExample, tempDir } from './support/grafana';

const dashboardJson = (uid: string, title = `Board ${uid}`) => JSON.stringify({
  uid, title, panels: [{ id: 1, type: 'stat', title: 'x', gridPos: { h: 4, w: 24, x: 0, y: 0 } }],
});
const install = (extra: Record<string, unknown> = {}) => ({
  name: 'one', grafana: { host: 'grafana.example.com', subPath: '/g' }, ...extra,
});

describe('dashboard ConfigMaps', () => {
  const synthesized = synthesizeExample();

  test('each listed dashboard and the usage dashboard get one ConfigMap, labelled for the sidecar, in Grafana\'s namespace', () => {
    // THEN
    const summary = synthesized.map(s => ({
      installation: s.installation.name,
      configMaps: objectsOfKind(s, 'ConfigMap').map(cm => ({
        name: cm.metadata.name,
        namespace: cm.metadata.namespace,
        sidecar: (cm.metadata.labels as Record<string, string>).grafana_dashboard,
        files: Object.keys(cm.data as object),
      })),
    }));
    expect(summary).toEqual([
      { installation: 'prod-eu', configMaps: [
        { name: 'prod-eu-dashboard-cluster-overview', namespace: 'monitoring', sidecar: '1', files: ['prod-eu-dashboard-cluster-overview.json'] },
        { name: 'prod-eu-analytics-usage-dashboard', namespace: 'monitoring', sidecar: '1', files: ['prod-eu-analytics-usage.json'] },
      ] },
      // The installation lives in `analytics`; its dashboards go beside Grafana, in `monitoring`.
      { installation: 'prod-us', configMaps: [
        { name: 'prod-us-dashboard-cluster-overview', namespace: 'monitoring', sidecar: '1', files: ['prod-us-dashboard-cluster-overview.json'] },
        { name: 'prod-us-dashboard-ingress-traffic', namespace: 'monitoring', sidecar: '1', files: ['prod-us-dashboard-ingress-traffic.json'] },
        { name: 'prod-us-analytics-usage-dashboard', namespace: 'monitoring', sidecar: '1', files: ['prod-us-analytics-usage.json'] },
      ] },
      { installation: 'staging', configMaps: [
        { name: 'staging-dashboard-cluster-overview', namespace: 'monitoring', sidecar: '1', files: ['staging-dashboard-cluster-overview.json'] },
        { name: 'staging-analytics-usage-dashboard', namespace: 'monitoring', sidecar: '1', files: ['staging-analytics-usage.json'] },
      ] },
    ]);
  });

  test('the hidden panel of every dashboard posts to the write Ingress path of the same installation', () => {
    for (const s of synthesized) {
      // GIVEN the path the write Ingress routes
      const ingress = objectNamed(s, 'Ingress', `${s.installation.name}-analytics-write`) as any;
      const writePath = ingress.spec.rules[0].http.paths[0].path;
      // THEN every dashboard's first panel is the hidden one, posting there
      for (const [name, d] of dashboardsOf(s)) {
        expect({ name, type: d.panels[0].type, server: d.panels[0].options.analyticsOptions.server })
          .toEqual({ name, type: PLUGIN_ID, server: writePath });
      }
    }
    // The sub-path installation proves the path is not a constant.
    const prodUs = dashboardsOf(synthesized[1]).get('prod-us-dashboard-cluster-overview');
    expect(prodUs?.panels[0].options.analyticsOptions.server).toBe('/grafana/analytics-plugin/write');
  });

  test('the hidden panel of every provisioned dashboard names it by its literal uid (the plugin\'s own uid is a path segment under a '
    + 'sub-path)', () => {
    for (const s of synthesized) {
      for (const [name, d] of dashboardsOf(s)) {
        expect({ name, dashboard: d.panels[0].options.analyticsOptions.dashboard }).toEqual({ name, dashboard: d.uid });
      }
    }
  });

  test('panel options come from the config', () => {
    // THEN staging sends heartbeats every 120 s, the others none
    const opts = synthesized.map(s => dashboardsOf(s).get(`${s.installation.name}-analytics-usage-dashboard`)?.panels[0].options.analyticsOptions);
    expect(opts.map(o => [o.postHeartbeat, o.heartbeatInterval, o.postEnd])).toEqual([[false, 60, true], [false, 60, true], [true, 120, true]]);
  });

  test('a provisioned dashboard keeps its content below the panel', () => {
    // GIVEN
    const original = JSON.parse(fs.readFileSync(path.join(path.dirname(EXAMPLE_CONFIG), 'dashboards', 'cluster-overview.json'), 'utf8'));
    // WHEN
    const d = dashboardsOf(synthesized[0]).get('prod-eu-dashboard-cluster-overview')!;
    // THEN
    const { panels, ...rest } = d;
    const { panels: originalPanels, ...originalRest } = original;
    expect(rest).toEqual(originalRest);
    const up = (p: any) => ({ ...p, gridPos: { ...p.gridPos, y: p.gridPos.y - 1 } });
    expect(panels.slice(1).map((p: any) => (p.panels ? { ...up(p), panels: p.panels.map(up) } : up(p)))).toEqual(originalPanels);
  });

  test('legend formats reach the ConfigMap verbatim', () => {
    // THEN
    const data = Object.values(objectNamed(synthesized[0], 'ConfigMap', 'prod-eu-analytics-usage-dashboard').data as object)[0];
    expect(data).toContain('"legendFormat": "{{dashboard_name}}"');
    expect(data).toContain('"legendFormat": "{{user_role}}"');
  });

  test('sidecar label and namespace are configurable', () => {
    // GIVEN
    const dir = tempDir({ 'boards/a.json': dashboardJson('a') });
    // WHEN
    const [s] = synthesize(resolveIn(dir, {
      defaults: { dashboards: ['boards/a.json'] },
      installations: [install({ dashboardSidecar: { labelKey: 'example.com/dashboard', labelValue: 'yes', namespace: 'dashboards' } })],
    }));
    // THEN
    for (const cm of objectsOfKind(s, 'ConfigMap')) {
      expect(cm.metadata.namespace).toBe('dashboards');
      expect(cm.metadata.labels).toMatchObject({ 'example.com/dashboard': 'yes' });
      expect(cm.metadata.labels).not.toHaveProperty('grafana_dashboard');
    }
    expect(objectsOfKind(s, 'ConfigMap')).toHaveLength(2);
  });

  test('dashboard paths are relative to the config file, and an installation\'s list replaces the defaults\'', () => {
    // GIVEN
    const dir = tempDir({
      'installations.yaml': [
        'defaults: { dashboards: [boards/a.json] }',
        'installations:',
        '  - { name: one, grafana: { host: one.example.com } }',
        '  - { name: two, grafana: { host: two.example.com }, dashboards: [boards/b.json] }',
      ].join('\n'),
      'boards/a.json': dashboardJson('a'),
      'boards/b.json': dashboardJson('b'),
    });
    // WHEN
    const resolved = loadConfigFile(path.join(dir, 'installations.yaml'));
    // THEN
    expect(resolved.map(r => r.dashboards.map(d => [path.relative(dir, d.file), d.dashboard.uid])))
      .toEqual([[['boards/a.json', 'a']], [['boards/b.json', 'b']]]);
  });

  describe('bad dashboard files', () => {
    const fails = (files: Record<string, string>, config: unknown) => {
      const dir = tempDir(files);
      try {
        resolveIn(dir, config);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message.split(dir).join('<dir>');
      }
      throw new Error('no error');
    };

    test('fails when a dashboard file is not valid JSON, naming the file and the config path', () => {
      const msg = fails({ 'bad.json': '{"uid": "x",' }, { installations: [install({ dashboards: ['bad.json'] })] });
      expect(msg).toMatch(/installations\[0\]\.dashboards\[0\]: file "<dir>\/bad\.json": is not valid JSON/);
    });

    test('fails when a dashboard file is missing', () => {
      const msg = fails({}, { defaults: { dashboards: ['gone.json'] }, installations: [install()] });
      expect(msg).toMatch(/defaults\.dashboards\[0\]: file "<dir>\/gone\.json": cannot be read/);
    });

    test.each([
      ['has no uid', { title: 't', panels: [] }, /"uid" got nothing; allowed: 1 to 40 letters/],
      ['has a uid Grafana rejects', { uid: 'a b', title: 't' }, /"uid" got "a b"/],
      ['has no title', { uid: 'u' }, /"title" got nothing/],
      ['is a list', [], /expected a JSON object, got an array/],
      ['is an API envelope', { dashboard: { uid: 'u' }, meta: {} }, /API envelope/],
      ['uses the old rows layout', { uid: 'u', title: 't', rows: [] }, /pre-5\.0 "rows" layout/],
      ['has a panel without gridPos', { uid: 'u', title: 't', panels: [{ type: 'stat' }] }, /"panels\[0\]"\.gridPos got nothing/],
    ])('fails when a dashboard file %s', (_what, json, message) => {
      const msg = fails({ 'd.json': JSON.stringify(json) }, { installations: [install({ dashboards: ['d.json'] })] });
      expect(msg).toMatch(/file "<dir>\/d\.json": /);
      expect(msg).toMatch(message);
    });

    test('fails when two dashboards of one installation share a uid or a file name, reporting every problem', () => {
      const msg = fails(
        { 'a/x.json': dashboardJson('same'), 'b/y.json': dashboardJson('same'), 'c/x.json': dashboardJson('other') },
        { installations: [install({ dashboards: ['a/x.json', 'b/y.json', 'c/x.json'] })] },
      );
      expect(msg).toMatch(/installations\[0\]\.dashboards\[1\]: file "<dir>\/b\/y\.json" has uid "same", already used by "<dir>\/a\/x\.json"/);
      expect(msg).toMatch(/installations\[0\]\.dashboards\[2\]: file "<dir>\/c\/x\.json" gets the ConfigMap name suffix "x"/);
    });

    test('fails when a dashboard path is not a .json file', () => {
      expect(() => resolveIn(tempDir(), { installations: [install({ dashboards: ['x.yaml'] })] }))
        .toThrow(/installations\[0\]\.dashboards\[0\]: got "x\.yaml"; allowed: a path to a \.json file/);
    });
  });
});
