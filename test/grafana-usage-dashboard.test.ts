import { PLUGIN_ID, usageDashboard, usageDashboardUid, usageQueries } from '../lib';
import { dashboardsOf, promtool, synthesizeExample } from './support/grafana';
import { dashboardTypedValues, sdkTypeErrors } from './support/sdk-typecheck';

const props = {
  installation: 'prod-eu',
  serverNamespace: 'monitoring',
  serverJob: 'prod-eu-analytics',
  provisioned: [{ uid: 'cluster-overview', title: 'Cluster overview' }, { uid: 'ingress', title: 'Ingress "edge" traffic' }],
};
/** Grafana's macros, replaced by what Grafana would send for a one-hour range. */
const withMacros = (expr: string) => expr.replace(/\$__range/g, '1h').replace(/\$__rate_interval/g, '5m');
const allTargets = (d: Record<string, any>) => d.panels.flatMap((p: any) => p.targets ?? []);

describe('usage dashboard', () => {
  const synthesized = synthesizeExample();

  test('has exactly the documented panels, in order, with a datasource variable', () => {
    // WHEN
    const d = usageDashboard(props);
    // THEN
    expect(d.panels?.map(p => [p.type, p.title, p.gridPos])).toEqual([
      ['bargauge', 'Views per dashboard', { h: 10, w: 12, x: 0, y: 0 }],
      ['bargauge', 'Least-used dashboards', { h: 10, w: 12, x: 12, y: 0 }],
      ['table', 'Never-viewed dashboards', { h: 8, w: 24, x: 0, y: 10 }],
      ['piechart', 'Sessions by role', { h: 8, w: 8, x: 0, y: 18 }],
      ['bargauge', 'Time spent per dashboard', { h: 8, w: 16, x: 8, y: 18 }],
      ['timeseries', 'Views over time', { h: 10, w: 24, x: 0, y: 26 }],
    ]);
    expect(d.templating?.list).toEqual([expect.objectContaining({ type: 'datasource', name: 'datasource', query: 'prometheus' })]);
    expect(allTargets(d).map((t: any) => t.datasource)).toEqual(Array(6).fill({ type: 'prometheus', uid: '${datasource}' }));
    expect(d.uid).toBe('prod-eu-usage');
  });

  test('leaves out the never-viewed panel when the config provisions no dashboard', () => {
    // WHEN
    const d = usageDashboard({ ...props, provisioned: [] });
    // THEN
    expect(d.panels?.map(p => p.title)).not.toContain('Never-viewed dashboards');
    expect(d.panels).toHaveLength(5);
  });

  test('matches the Grafana foundation SDK\'s types, with the hidden panel added, for every installation', () => {
    // GIVEN every synthesized dashboard: usage dashboards (complete options) and the example's hand-written ones
    const models = synthesized.flatMap(s => [...dashboardsOf(s).entries()]);
    // WHEN
    const errors = sdkTypeErrors(models.flatMap(([name, m]) => dashboardTypedValues(m, !name.endsWith('-usage-dashboard'))));
    // THEN
    expect(errors).toEqual([]);
    expect(models.every(([, m]) => m.panels[0].type === PLUGIN_ID)).toBe(true);
  });

  test('the SDK type check rejects a misspelled or mistyped field (it can fail)', () => {
    // GIVEN
    const d = usageDashboard(props) as Record<string, any>;
    // WHEN
    const errors = sdkTypeErrors([
      { type: 'dashboard.Dashboard', value: { ...d, titel: 'x' } },
      { type: 'bargauge.Options', value: { ...d.panels[0].options, orientation: 'sideways' } },
      { type: 'prometheus.Dataquery', value: { ...d.panels[0].targets[0], instant: 'yes' } },
    ]);
    // THEN
    expect(errors.join('\n')).toMatch(/titel\W+ does not exist in type/);
    expect(errors.join('\n')).toMatch(/"sideways"/);
    expect(errors.join('\n')).toMatch(/'string' is not assignable to type 'boolean/);
  });

  test('no query reads or groups by a user identity label, and every query reads this installation\'s server only', () => {
    for (const s of synthesized) {
      const d = dashboardsOf(s).get(`${s.installation.name}-analytics-usage-dashboard`)!;
      for (const { expr } of allTargets(d)) {
        expect(expr).not.toMatch(/user_(login|name|email)/);
        for (const [, labels] of expr.matchAll(/by \(([^)]*)\)/g)) {
          expect(labels.split(/,\s*/).filter((l: string) => !['dashboard_uid', 'dashboard_name', 'user_role'].includes(l))).toEqual([]);
        }
        for (const [, selector] of expr.matchAll(/grafana_analytics_[a-z_]+\{([^}]*)\}/g)) {
          expect(selector).toBe(`namespace="${s.installation.namespace}", job="${s.installation.name}-analytics"`);
        }
      }
    }
  });

  test('every query is valid PromQL (promtool check rules)', () => {
    // GIVEN every query as a recording rule
    const rules = Object.values(usageQueries(props)).map((expr, i) => ({ record: `usage_query_${i}`, expr: withMacros(expr) }));
    // THEN
    expect(promtool(['check', 'rules'], { 'rules.yaml': { groups: [{ name: 'usage', rules }] } }, ['rules.yaml'])).toMatch(/SUCCESS: 6 rules found/);
  });

  test('the queries answer the questions on real series (promtool test rules)', () => {
    // GIVEN sessions for cluster-overview only (5 per 10 minutes), from two roles, and a foreign job
    const sel = 'namespace="monitoring",job="prod-eu-analytics"';
    const q = usageQueries(props);
    const at = (query: string, exp_samples: unknown[]) => ({ expr: withMacros(query), eval_time: '2h', exp_samples });
    const tests = [{
      interval: '1m',
      input_series: [
        { series: `grafana_analytics_sessions_total{${sel},dashboard_uid="cluster-overview",dashboard_name="Cluster overview",user_role="user"}`, values: '0+0.5x120' },
        { series: `grafana_analytics_sessions_total{${sel},dashboard_uid="cluster-overview",dashboard_name="Cluster overview",user_role="admin"}`, values: '0+0.1x120' },
        { series: `grafana_analytics_sessions_duration_seconds_total{${sel},dashboard_uid="cluster-overview",dashboard_name="Cluster overview",user_role="user"}`, values: '0+30x120' },
        { series: 'grafana_analytics_sessions_total{namespace="other",job="other-analytics",dashboard_uid="ingress",dashboard_name="x",user_role="user"}', values: '0+9x120' },
      ],
      promql_expr_test: [
        at(q['Views per dashboard'], [{ labels: '{dashboard_uid="cluster-overview",dashboard_name="Cluster overview"}', value: 36 }]),
        at(q['Least-used dashboards'], [
          { labels: '{dashboard_uid="ingress",dashboard_name="Ingress \\"edge\\" traffic"}', value: 0 },
          { labels: '{dashboard_uid="cluster-overview",dashboard_name="Cluster overview"}', value: 36 },
        ]),
        at(q['Never-viewed dashboards'], [{ labels: '{dashboard_uid="ingress",dashboard_name="Ingress \\"edge\\" traffic"}', value: 0 }]),
        at(q['Sessions by role'], [{ labels: '{user_role="admin"}', value: 6 }, { labels: '{user_role="user"}', value: 30 }]),
        at(q['Time spent per dashboard'], [{ labels: '{dashboard_uid="cluster-overview",dashboard_name="Cluster overview"}', value: 1800 }]),
      ],
    }, {
      // One session per second: 3600 views per hour (a rate that floats represent exactly).
      interval: '1m',
      input_series: [{ series: `grafana_analytics_sessions_total{${sel},dashboard_uid="a",dashboard_name="A",user_role="user"}`, values: '0+60x120' }],
      promql_expr_test: [at(q['Views over time'], [{ labels: '{dashboard_uid="a",dashboard_name="A"}', value: 3600 }])],
    }];
    // THEN
    expect(promtool(['test', 'rules'], { 'test.yaml': { rule_files: [], evaluation_interval: '1m', tests } }, ['test.yaml'])).toMatch(/SUCCESS/);
  });

  test('the uid fits Grafana\'s 40 characters for the longest installation name', () => {
    expect(usageDashboardUid('a'.repeat(40))).toBe(`${'a'.repeat(34)}-usage`);
  });

  test('snapshot of one usage dashboard', () => {
    expect(dashboardsOf(synthesized[1]).get('prod-us-analytics-usage-dashboard')).toMatchSnapshot();
  });
});
