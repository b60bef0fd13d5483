import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { resolveAnalyticsConfig, resolveConfig, synthesize } from '../lib';
import {
  CACHE_EMPTIED_RECORD, processLookback, SECONDS_PER_DASHBOARD_RECORD, VIEWS_PER_DASHBOARD_RECORD, VIEWS_PER_ROLE_RECORD,
} from '../lib/grafana/usage-rules';
import { objectNamed, objectsOfKind, promtool, synthesizeExample } from './support/grafana';

const installation = (extra: Record<string, unknown> = {}) => ({
  name: 'one', namespace: 'analytics', grafana: { host: 'grafana.example.com', service: { name: 'grafana', namespace: 'monitoring' } }, ...extra,
});
const ruleOf = (config: unknown) => {
  const [s] = synthesize(resolveAnalyticsConfig(config).installations);
  return objectNamed(s, 'PrometheusRule', 'one-analytics') as any;
};

describe('PrometheusRule', () => {
  const synthesized = synthesizeExample();

  test('one per installation, valid against the prometheus-operator schema', () => {
    for (const s of synthesized) {
      const rules = objectsOfKind(s, 'PrometheusRule');
      expect(rules.map(r => [r.metadata.name, r.metadata.namespace])).toEqual([[`${s.installation.name}-analytics`, s.installation.namespace]]);
      expect(() => new PrometheusRule(rules[0] as any).validate()).not.toThrow();
    }
  });

  test('the schema check can fail', () => {
    const rule = JSON.parse(JSON.stringify(objectsOfKind(synthesized[0], 'PrometheusRule')[0]));
    rule.spec.groups[0].rules.find((r: any) => r.alert).labels.severity = 3;
    expect(() => new PrometheusRule(rule).validate()).toThrow(/severity must be string/);
  });

  test('carries the ServiceMonitor\'s labels by default, for the Prometheus rule selector', () => {
    const rule = objectsOfKind(synthesized[0], 'PrometheusRule')[0];
    expect(rule.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
  });

  test('rule labels and Grafana\'s up selector are configurable separately from the ServiceMonitor', () => {
    // WHEN
    const rule = ruleOf({ installations: [installation({
      serviceMonitor: { labels: { release: 'a' } },
      alerts: { labels: { prometheus: 'rules' }, grafanaUpSelector: 'job=~"grafana.*"', noBeaconFor: '2h' },
    })] });
    // THEN
    expect(rule.metadata.labels).toMatchObject({ prometheus: 'rules' });
    expect(rule.metadata.labels).not.toHaveProperty('release');
    const noBeacons = rule.spec.groups[0].rules.find((r: any) => r.alert === 'GrafanaAnalyticsNoBeacons').expr;
    expect(noBeacons).toContain('min_over_time(up{job=~"grafana.*"}[2h])');
    expect(noBeacons).toContain(`absent_over_time(${VIEWS_PER_DASHBOARD_RECORD}{namespace="analytics", job="one-analytics"}[2h])`);
  });

  test('Grafana\'s up selector defaults to its Service\'s job and namespace', () => {
    const rule = ruleOf({ installations: [installation()] });
    expect(rule.spec.groups[0].rules.find((r: any) => r.alert === 'GrafanaAnalyticsNoBeacons').expr).toContain(
      'up{job="grafana",namespace="monitoring"}',
    );
  });

  test.each([
    [
      'grafanaUpSelector',
      '{job="grafana"}',
      /alerts\.grafanaUpSelector: got "\{job=\\"grafana\\"\}"; allowed: comma-separated PromQL label matchers/,
    ],
    ['grafanaUpSelector', 'job=grafana', /allowed: comma-separated PromQL label matchers/],
    ['noBeaconFor', '1 day', /alerts\.noBeaconFor: got "1 day"; allowed: a non-zero Prometheus duration/],
  ])('fails when alerts.%s is %j', (key, value, message) => {
    expect(() => resolveConfig({ installations: [installation({ alerts: { [key]: value } })] })).toThrow(message);
  });

  test('every rule of every installation passes promtool check rules', () => {
    for (const s of synthesized) {
      const rule = objectsOfKind(s, 'PrometheusRule')[0] as any;
      expect(rule.spec.groups[0].interval).toBe(s.installation.serviceMonitor.interval);
      expect(promtool(['check', 'rules'], { 'rules.yaml': rule.spec }, ['rules.yaml'])).toMatch(/SUCCESS: 9 rules found/);
    }
  });

  test('the alerts fire exactly when their condition holds and the recording rules count every view once (promtool test rules)', () => {
    // GIVEN rules evaluated every minute (the scrape interval) with a one-hour no-beacon window
    const rule = ruleOf({ installations: [installation({ serviceMonitor: { interval: '1m' }, alerts: { noBeaconFor: '1h' } })] });
    expect(rule.spec.groups[0].interval).toBe('1m');
    const server = 'namespace="analytics",job="one-analytics"';
    const target = `${server},instance="s"`;
    const grafanaUp = (values: string) => ({ series: 'up{job="grafana",namespace="monitoring",instance="g"}', values });
    const serverUp = (values: string) => ({ series: `up{${target}}`, values });
    const started = (values: string) => ({ series: `process_start_time_seconds{${target}}`, values });
    const labels = 'dashboard_uid="a",dashboard_name="A",user_role="user",user_theme="dark",user_locale="en"';
    const sessions = (values: string, l = labels) => ({ series: `grafana_analytics_sessions_total{${target},${l}}`, values });
    const seconds = (values: string, l = labels) => ({ series: `grafana_analytics_sessions_duration_seconds_total{${target},${l}}`, values });
    const annotations = (name: string) => rule.spec.groups[0].rules.find((r: any) => r.alert === name).annotations;
    const alert = (alertname: string, eval_time: string, exp_alerts: object[]) => ({
      alertname, eval_time, exp_alerts: exp_alerts.map(a => ({ ...a, exp_annotations: annotations(alertname) })),
    });
    // absent* keep the selector's equality labels; both alerts carry the server's namespace and job.
    const serverLabels = { severity: 'warning', namespace: 'analytics', job: 'one-analytics' };
    const noBeacons = [{ exp_labels: serverLabels }];
    const healthy = [grafanaUp('1x200'), serverUp('1x200')];
    const sum = (record: string, range: string, eval_time: string, value: number, by = '') => ({
      expr: `sum by (namespace, job${by ? `, ${by}` : ''}) (sum_over_time(${record}{${server}}[${range}]))`,
      eval_time,
      // A record written only when non-zero: nothing for 0.
      exp_samples: value === 0 ? [] : [{ labels: `{${server}${by}}`, value }],
    });
    const views = (range: string, eval_time: string, value: number, uid = 'a') =>
      ({
        ...sum(VIEWS_PER_DASHBOARD_RECORD, range, eval_time, value, 'dashboard_uid'),
        exp_samples: [{ labels: `{${server},dashboard_uid="${uid}"}`, value }],
      });
    const tests = [
      { // The server's target is down, then gone: fires after 10 minutes.
        interval: '1m',
        input_series: [serverUp('0x30')],
        alert_rule_test: [
          alert('GrafanaAnalyticsServerDown', '5m', []),
          alert('GrafanaAnalyticsServerDown', '15m', [{ exp_labels: serverLabels }]),
          alert('GrafanaAnalyticsServerDown', '50m', [{ exp_labels: serverLabels }]),
        ],
      },
      { // Views stop after 30 minutes while Grafana is up: fires once a full hour passed without one.
        interval: '1m',
        input_series: [...healthy, started('100x200'), sessions('1+1x30 31x170')],
        alert_rule_test: [
          alert('GrafanaAnalyticsServerDown', '60m', []),
          alert('GrafanaAnalyticsNoBeacons', '89m', []),
          alert('GrafanaAnalyticsNoBeacons', '91m', noBeacons),
        ],
      },
      { // The server never received a beacon: fires.
        interval: '1m',
        input_series: [...healthy, started('100x200')],
        alert_rule_test: [alert('GrafanaAnalyticsNoBeacons', '90m', noBeacons)],
      },
      { // Views arrive only as new series (new dashboards born at 1, 2 and 3 sessions): no alert until an hour after the last.
        interval: '1m',
        input_series: [...healthy, started('100x200'), sessions('5x200'),
          sessions('_x50 1x150', 'dashboard_uid="b",user_role="user"'), sessions('_x100 2x100', 'dashboard_uid="c",user_role="user"')],
        alert_rule_test: [
          alert('GrafanaAnalyticsNoBeacons', '90m', []),
          alert('GrafanaAnalyticsNoBeacons', '150m', []),
          alert('GrafanaAnalyticsNoBeacons', '170m', noBeacons),
        ],
      },
      { // A restart at 60m, the next view at 81m on a series born again: no alert until an hour after it.
        interval: '1m',
        input_series: [...healthy, started('100x59 5000x140'), sessions('4x59 stale _x20 1x120')],
        alert_rule_test: [alert('GrafanaAnalyticsNoBeacons', '140m', []), alert('GrafanaAnalyticsNoBeacons', '142m', noBeacons)],
        promql_expr_test: [views('200m', '130m', 5), sum(CACHE_EMPTIED_RECORD, '200m', '130m', 1)],
      },
      { // Grafana down: nobody can view a dashboard, no alert.
        interval: '1m',
        input_series: [grafanaUp('0x200'), serverUp('1x200'), started('100x200'), sessions('3x200')],
        alert_rule_test: [alert('GrafanaAnalyticsNoBeacons', '120m', [])],
      },
      { // Series born mid-window count whole; a session changing labels counts once; roles add up.
        interval: '1m',
        input_series: [...healthy, started('100x200'),
          sessions('_x10 2x10 1x9'), // born at 10m with 2 sessions; one moves to the light theme at 21m
          sessions('_x21 1x9', 'dashboard_uid="a",dashboard_name="A",user_role="user",user_theme="light",user_locale="en"'),
          sessions('_x15 3x15', 'dashboard_uid="b",dashboard_name="B",user_role="admin",user_theme="dark",user_locale="de"')],
        promql_expr_test: [
          {
            ...views('25m', '29m', 2),
            exp_samples: [{ labels: `{${server},dashboard_uid="a"}`, value: 2 }, { labels: `{${server},dashboard_uid="b"}`, value: 3 }],
          },
          views('25m', '12m', 2),
          { ...sum(VIEWS_PER_ROLE_RECORD, '25m', '29m', 2, 'user_role'),
            exp_samples: [{ labels: `{${server},user_role="admin"}`, value: 3 }, { labels: `{${server},user_role="user"}`, value: 2 }] },
        ],
      },
      { // A flush (same process, every series gone) at 10m, one view at 15m, one more while the
        // scrape at 21m failed: 3 + 1 + 1.
        interval: '1m',
        input_series: [grafanaUp('1x42'), serverUp('1x20 0 1x20'), started('100x42'), sessions('3x9 stale _x4 1x5 stale 2x20')],
        promql_expr_test: [views('40m', '39m', 5), sum(CACHE_EMPTIED_RECORD, '40m', '39m', 1)],
      },
      { // Every scrape fails for 10 minutes (staleness markers, up 0) while 3 views arrive: counted
        // once scraping resumes, as the server still holds them; nothing counted twice.
        interval: '1m',
        input_series: [grafanaUp('1x45'), serverUp('1x10 0x9 1x30'), started('100x10 stale _x8 100x30'), sessions('2x10 stale _x8 5x30')],
        promql_expr_test: [views('45m', '45m', 5), views('20m', '15m', 2), sum(CACHE_EMPTIED_RECORD, '45m', '45m', 0)],
      },
      { // Not scraped at all for 10 minutes (no up, no samples: beyond the 5-minute lookback) while 3
        // views arrive: held meanwhile, counted when scraping resumes.
        interval: '1m',
        input_series: [grafanaUp('1x45'), serverUp('1x10 _x9 1x25'), started('100x10 _x9 100x25'), sessions('2x10 _x9 5x25')],
        promql_expr_test: [views('45m', '45m', 5)],
      },
      { // A restart while scrapes fail: the new process' sessions count whole (the old one's views
        // after its last scrape are the stated loss), the restart once.
        interval: '1m',
        input_series: [grafanaUp('1x45'), serverUp('1x10 0x4 1x25'), started('100x10 stale _x3 200x25'), sessions('4x10 stale _x3 2x25')],
        promql_expr_test: [views('40m', '40m', 6), sum(CACHE_EMPTIED_RECORD, '40m', '40m', 1)],
      },
      { // A series that vanished without a staleness marker (what a Prometheus restart leaves) is not
        // read from its old sample: the session moved to the light theme counts once, no flush seen.
        interval: '1m',
        input_series: [...healthy, started('100x40'), sessions('1x10'),
          sessions('_x11 1x30', 'dashboard_uid="a",dashboard_name="A",user_role="user",user_theme="light",user_locale="en"')],
        promql_expr_test: [views('40m', '40m', 1), sum(CACHE_EMPTIED_RECORD, '40m', '40m', 0)],
      },
      { // Time spent: the servers' own per-session seconds, growing, across a restart.
        interval: '1m',
        input_series: [...healthy, started('100x9 900x30'), sessions('1x9 1x30'), seconds('0+30x9 stale 10+10x5 60x23')],
        promql_expr_test: [{ ...sum(SECONDS_PER_DASHBOARD_RECORD, '40m', '39m', 270 + 60, 'dashboard_uid'),
          exp_samples: [{ labels: `{${server},dashboard_uid="a"}`, value: 270 + 60 }] }],
      },
    ];
    // THEN
    const out = promtool(['test', 'rules'], {
      'rules.yaml': rule.spec,
      'test.yaml': { rule_files: ['rules.yaml'], evaluation_interval: '1m', tests },
    }, ['test.yaml']);
    expect(out).toMatch(/SUCCESS/);
  });

  test('under a sub-path the dashboard key is dashboard_name (the literal uid), at the root dashboard_uid', () => {
    const exprs = (s: typeof synthesized[number]) =>
      (objectsOfKind(s, 'PrometheusRule')[0] as any).spec.groups[0].rules.map((r: any) => r.expr).join('\n');
    // Summed by name first, then the key taken from it: the regex runs once per dashboard, not per label set.
    expect(exprs(synthesized[1])).toContain('label_replace(sum by (namespace, job, instance, dashboard_name, user_role) '
      + '((grafana_analytics_sessions_total{namespace="analytics",job="prod-us-analytics"} and (timestamp(');
    expect(exprs(synthesized[1])).toContain('"dashboard_uid", "$1", "dashboard_name", "(.*)")), "quantity", "sessions", "", "")');
  });

  test('held values outlive the last successful scrape by an hour, or four intervals when longer', () => {
    expect(['15s', '30s', '15m', '1h30m', '2d'].map(processLookback)).toEqual(['1h', '1h', '1h', '21600s', '691200s']);
  });

  test('snapshot', () => {
    expect(objectsOfKind(synthesized[1], 'PrometheusRule')[0]).toMatchSnapshot();
  });
});
