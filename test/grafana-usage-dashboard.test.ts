import { PLUGIN_ID } from '../lib/config/constants';
import { PANEL_QUERIES, usageDashboard, usageDashboardTitle, usageDashboardUid } from '../lib/grafana/usage-dashboard';
import { usageQueries } from '../lib/grafana/usage-queries';
import { usageRecordingRules } from '../lib/grafana/usage-rules';
import { dashboardsOf, promtool, synthesizeExample } from './support/grafana';
import { dashboardTypedValues, sdkTypeErrors } from './support/sdk-typecheck';

const props = {
  installation: 'prod-eu',
  serverNamespace: 'monitoring',
  serverJob: 'prod-eu-analytics',
  provisioned: [{ uid: 'cluster-overview', title: 'Cluster overview' }, { uid: 'ingress', title: 'Ingress "edge" traffic' }],
};
/** Grafana's macros, replaced by what Grafana would send for a three-hour range at 1-minute steps. */
const withMacros = (expr: string) => expr.replace(/\$__range/g, '3h').replace(/\$__interval/g, '1m');
const allTargets = (d: Record<string, any>) => d.panels.flatMap((p: any) => p.targets ?? []);
const server = { namespace: 'monitoring', job: 'prod-eu-analytics' };
const queries = usageQueries({ server, usageDashboardUid: 'prod-eu-usage' });

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
      ['timeseries', 'Views over time', { h: 10, w: 20, x: 0, y: 26 }],
      ['stat', 'Server restarts and cache flushes', { h: 10, w: 4, x: 20, y: 26 }],
    ]);
    expect(d.templating?.list).toEqual([expect.objectContaining({ type: 'datasource', name: 'datasource', query: 'prometheus' })]);
    expect(allTargets(d).map((t: any) => t.datasource)).toEqual(Array(7).fill({ type: 'prometheus', uid: '${datasource}' }));
    expect(d.uid).toBe('prod-eu-usage');
  });

  test('leaves out the never-viewed panel when the config provisions no dashboard', () => {
    // WHEN
    const d = usageDashboard({ ...props, provisioned: [] });
    // THEN
    expect(d.panels?.map(p => p.title)).not.toContain('Never-viewed dashboards');
    expect(d.panels).toHaveLength(6);
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
        // Every figure reads a recording rule of this installation's server, never the raw counters.
        const selectors = [...expr.matchAll(/([a-z_]*):?grafana_analytics_[a-z_]+(?::[a-z]+)?\{([^}]*)\}/g)];
        expect(selectors.length).toBeGreaterThan(0);
        for (const [, level, selector] of selectors) {
          expect(level).not.toBe('');
          const own = `namespace="${s.installation.namespace}",job="${s.installation.name}-analytics"`;
          expect(selector).toMatch(new RegExp(`^${own}(,dashboard_uid!="[^"]+")?$`));
        }
      }
    }
  });

  test('each panel runs its one query from usageQueries, with Grafana\'s range and step variables', () => {
    const d = usageDashboard(props) as Record<string, any>;
    for (const panel of d.panels.filter((p: any) => p.targets)) {
      expect(panel.targets).toHaveLength(1);
      expect(panel.targets[0].expr).toBe(queries[PANEL_QUERIES[panel.title]]);
    }
    expect(queries.viewsOverTime).toContain('[$__interval]');
    expect(queries.viewsPerDashboard).toContain('[$__range]');
    expect(usageQueries({ server, usageDashboardUid: 'u', range: '7d', step: '1h' }).viewsOverTime).toContain('[1h]');
    expect(usageQueries({ server, usageDashboardUid: 'u', range: '7d' }).leastUsed).not.toContain('$__');
  });

  test('no panel query is over 1,000 characters, for any installation and for the longest names', () => {
    const long = usageDashboard({
      ...props, installation: 'a'.repeat(40), serverNamespace: 'n'.repeat(63), serverJob: `${'a'.repeat(40)}-analytics`,
    });
    const usage = (s: typeof synthesized[number]) => dashboardsOf(s).get(`${s.installation.name}-analytics-usage-dashboard`)!;
    const lengths = [...synthesized.flatMap(s => allTargets(usage(s))), ...allTargets(long)]
      .map((t: any) => t.expr.length);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(1000);
  });

  test('every query is valid PromQL (promtool check rules)', () => {
    // GIVEN every query as a recording rule
    const rules = Object.values(queries).map((expr, i) => ({ record: `usage_query_${i}`, expr: withMacros(expr) }));
    // THEN
    expect(promtool(['check', 'rules'], { 'rules.yaml': { groups: [{ name: 'usage', rules }] } }, ['rules.yaml'])).toMatch(/SUCCESS: 9 rules found/);
  });

  test('the queries answer the questions on real series, with the recording rules (promtool test rules)', () => {
    // GIVEN the server's counters as it exposes them: a user series born at 10m with 2 sessions and
    // growing by one a minute to 111, an admin series born at 30m with 1, durations growing 30 s a
    // minute, a dashboard nobody provisioned, and a foreign job; scraped and evaluated every minute
    const target = 'namespace="monitoring",job="prod-eu-analytics",instance="s"';
    const rules = usageRecordingRules({
      server, interval: '1m', subPath: '/',
      dashboards: [...props.provisioned, { uid: 'prod-eu-usage', title: usageDashboardTitle('prod-eu') }],
    });
    const at = (query: string, exp_samples: unknown[], eval_time = '2h') => ({ expr: withMacros(query), eval_time, exp_samples });
    const co = 'dashboard_uid="cluster-overview",dashboard_name="cluster-overview"';
    // The figures' labels: the server's, and the dashboard's key and title.
    const J = 'namespace="monitoring",job="prod-eu-analytics"';
    const CO = `{${J},dashboard_uid="cluster-overview",dashboard_name="Cluster overview"}`;
    const INGRESS = `{${J},dashboard_uid="ingress",dashboard_name="Ingress \\"edge\\" traffic"}`;
    const TEAM = `{${J},dashboard_uid="team",dashboard_name="team"}`;
    const tests = [{
      interval: '1m',
      input_series: [
        { series: `up{${target}}`, values: '1x19 0 1x109' },
        { series: `process_start_time_seconds{${target}}`, values: '100x19 stale 100x109' },
        { series: `grafana_analytics_sessions_total{${target},${co},user_role="user"}`, values: '_x10 2+1x9 stale 13+1x98 111x10' },
        { series: `grafana_analytics_sessions_total{${target},${co},user_role="admin"}`, values: '_x30 1x100' },
        { series: `grafana_analytics_sessions_total{${target},dashboard_uid="team",dashboard_name="Team",user_role="user"}`, values: '_x50 3x80' },
        {
          series: `grafana_analytics_sessions_duration_seconds_total{${target},${co},user_role="user"}`,
          values: '_x10 0+30x9 stale 330+30x98 3270x10',
        },
        {
          series: 'grafana_analytics_sessions_total{namespace="other",job="other-analytics",instance="o",dashboard_uid="ingress",dashboard_name="x",'
            + 'user_role="user"}',
          values: '0+9x130',
        },
      ],
      promql_expr_test: [
        at(queries.viewsPerDashboard, [
          { labels: CO, value: 112 },
          { labels: TEAM, value: 3 },
        ]),
        at(queries.leastUsed, [
          { labels: INGRESS, value: 0 },
          { labels: TEAM, value: 3 },
          { labels: CO, value: 112 },
        ]),
        at(queries.neverViewed, [{ labels: INGRESS, value: 0 }]),
        at(queries.sessionsByRole, [{ labels: `{${J},user_role="admin"}`, value: 1 }, { labels: `{${J},user_role="user"}`, value: 114 }]),
        at(queries.timeSpent, [{ labels: CO, value: 3270 }]),
        // One view in the minute before 1h59m30s; between two evaluations so 2.x and 3.x agree.
        at(queries.viewsOverTime, [{ labels: CO, value: 1 }], '1h59m30s'),
        at(queries.restarts, [{ labels: '{}', value: 0 }]),
        // One failed scrape of the 121 in the 3 hours.
        at(queries.scraped, [{ labels: '{}', value: 0.9917355371900828 }]),
        at(queries.unlisted, [{ labels: TEAM, value: 3 }]),
      ],
    }];
    // THEN
    expect(promtool(['test', 'rules'], {
      'rules.yaml': { groups: [{ name: 'usage', interval: '1m', rules }] },
      'test.yaml': { rule_files: ['rules.yaml'], evaluation_interval: '1m', tests },
    }, ['test.yaml'])).toMatch(/SUCCESS/);
  });

  test('dashboards are named by the recorded info series, the usage dashboard too, never listed as unused', () => {
    const info = (dashboards: { uid: string; title: string }[]) =>
      usageRecordingRules({ server, interval: '1m', subPath: '/', dashboards }).at(-1)!.expr;
    expect(info([{ uid: 'prod-eu-usage', title: 'Dashboard usage (prod-eu)' }]))
      .toContain('label_replace(label_replace(vector(1), "dashboard_uid", "prod-eu-usage", "", ""), '
        + '"dashboard_name", "Dashboard usage (prod-eu)", "", "")');
    expect(info([{ uid: 'a', title: 'Costs in $USD' }])).toContain('"Costs in $$USD"');
    expect(queries.neverViewed).toContain(',dashboard_uid!="prod-eu-usage"');
    expect(queries.leastUsed).toContain('dashboard_uid!="prod-eu-usage"');
  });

  test('the uid fits Grafana\'s 40 characters for the longest installation name', () => {
    expect(usageDashboardUid('a'.repeat(40))).toBe(`${'a'.repeat(34)}-usage`);
  });

  test('snapshot of one usage dashboard', () => {
    expect(dashboardsOf(synthesized[1]).get('prod-us-analytics-usage-dashboard')).toMatchSnapshot();
  });
});
