import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { resolveConfig, resolveConfigData, SESSIONS_PER_DASHBOARD_RECORD, synthesize } from '../lib';
import { objectNamed, objectsOfKind, promtool, synthesizeExample } from './support/grafana';

const installation = (extra: Record<string, unknown> = {}) => ({
  name: 'one', namespace: 'analytics', grafana: { host: 'grafana.example.com', service: { name: 'grafana', namespace: 'monitoring' } }, ...extra,
});
const ruleOf = (config: unknown) => {
  const [s] = synthesize(resolveConfigData(config));
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
    rule.spec.groups[0].rules[0].labels.severity = 3;
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
    const noBeacons = rule.spec.groups[0].rules[1].expr;
    expect(noBeacons).toContain('min_over_time(up{job=~"grafana.*"}[2h])');
    expect(noBeacons).toContain('[2h:5m]');
  });

  test('Grafana\'s up selector defaults to its Service\'s job and namespace', () => {
    const rule = ruleOf({ installations: [installation()] });
    expect(rule.spec.groups[0].rules[1].expr).toContain('up{job="grafana",namespace="monitoring"}');
  });

  test.each([
    ['grafanaUpSelector', '{job="grafana"}', /alerts\.grafanaUpSelector: got "\{job=\\"grafana\\"\}"; allowed: comma-separated PromQL label matchers/],
    ['grafanaUpSelector', 'job=grafana', /allowed: comma-separated PromQL label matchers/],
    ['noBeaconFor', '1 day', /alerts\.noBeaconFor: got "1 day"; allowed: a non-zero Prometheus duration/],
  ])('fails when alerts.%s is %j', (key, value, message) => {
    expect(() => resolveConfig({ installations: [installation({ alerts: { [key]: value } })] })).toThrow(message);
  });

  test('every rule of every installation passes promtool check rules', () => {
    for (const s of synthesized) {
      const rule = objectsOfKind(s, 'PrometheusRule')[0] as any;
      expect(promtool(['check', 'rules'], { 'rules.yaml': rule.spec }, ['rules.yaml'])).toMatch(/SUCCESS: 3 rules found/);
    }
  });

  test('the alerts fire when they should and the recording rule keeps no user label (promtool test rules)', () => {
    // GIVEN rules with a one-hour no-beacon window
    const rule = ruleOf({ installations: [installation({ alerts: { noBeaconFor: '1h' } })] });
    const server = 'namespace="analytics",job="one-analytics"';
    const grafanaUp = (values: string) => ({ series: 'up{job="grafana",namespace="monitoring",instance="g"}', values });
    const serverUp = (values: string) => ({ series: `up{${server},instance="s"}`, values });
    const sessions = (values: string, labels = 'dashboard_uid="a",dashboard_name="A",user_role="user",user_theme="dark",user_locale="en"') =>
      ({ series: `grafana_analytics_sessions_total{${server},${labels}}`, values });
    const annotations = (name: string) => rule.spec.groups[0].rules.find((r: any) => r.alert === name).annotations;
    const alert = (alertname: string, eval_time: string, exp_alerts: object[]) => ({
      alertname, eval_time, exp_alerts: exp_alerts.map(a => ({ ...a, exp_annotations: annotations(alertname) })),
    });
    const noBeacons = [{ exp_labels: { severity: 'warning' } }];
    // absent* keep the selector's equality labels.
    const serverLabels = { severity: 'warning', namespace: 'analytics', job: 'one-analytics' };
    const tests = [
      { // The server's target is down, then gone: both fire after 10 minutes.
        interval: '1m',
        input_series: [serverUp('0x30')],
        alert_rule_test: [
          alert('GrafanaAnalyticsServerDown', '5m', []),
          alert('GrafanaAnalyticsServerDown', '15m', [{ exp_labels: serverLabels }]),
          alert('GrafanaAnalyticsServerDown', '50m', [{ exp_labels: serverLabels }]),
        ],
      },
      { // Sessions stop after 30 minutes while Grafana is up: fires once a full hour passed without one.
        interval: '1m',
        input_series: [grafanaUp('1x200'), serverUp('1x200'), sessions('1+1x30 31x170')],
        alert_rule_test: [
          alert('GrafanaAnalyticsServerDown', '60m', []),
          alert('GrafanaAnalyticsNoBeacons', '80m', []),
          alert('GrafanaAnalyticsNoBeacons', '100m', noBeacons),
        ],
      },
      { // The server never received a beacon: fires.
        interval: '1m',
        input_series: [grafanaUp('1x200'), serverUp('1x200')],
        alert_rule_test: [alert('GrafanaAnalyticsNoBeacons', '90m', [{ exp_labels: serverLabels }])],
      },
      { // A new dashboard's first session (a new series) counts as a beacon.
        interval: '1m',
        input_series: [grafanaUp('1x200'), serverUp('1x200'), sessions('5x200'), sessions('_x60 1x140', 'dashboard_uid="b",dashboard_name="B",user_role="user"')],
        alert_rule_test: [alert('GrafanaAnalyticsNoBeacons', '90m', []), alert('GrafanaAnalyticsNoBeacons', '130m', noBeacons)],
      },
      { // Grafana down: nobody can view a dashboard, no alert.
        interval: '1m',
        input_series: [grafanaUp('0x200'), serverUp('1x200'), sessions('3x200')],
        alert_rule_test: [alert('GrafanaAnalyticsNoBeacons', '120m', [])],
      },
      { // Sessions of two roles and themes on one dashboard: one recorded series, per-second rate, no user label.
        interval: '1m',
        input_series: [sessions('0+60x20'), sessions('0+120x20', 'dashboard_uid="a",dashboard_name="A",user_role="admin",user_theme="light",user_locale="de"')],
        promql_expr_test: [{
          expr: SESSIONS_PER_DASHBOARD_RECORD,
          eval_time: '10m',
          exp_samples: [{ labels: `${SESSIONS_PER_DASHBOARD_RECORD}{${server},dashboard_uid="a",dashboard_name="A"}`, value: 3 }],
        }],
      },
    ];
    // THEN
    const out = promtool(['test', 'rules'], {
      'rules.yaml': rule.spec,
      'test.yaml': { rule_files: ['rules.yaml'], evaluation_interval: '1m', tests },
    }, ['test.yaml']);
    expect(out).toMatch(/SUCCESS/);
  });

  test('snapshot', () => {
    expect(objectsOfKind(synthesized[1], 'PrometheusRule')[0]).toMatchSnapshot();
  });
});
