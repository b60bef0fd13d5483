import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheusrule-monitoring.coreos.com';
import { AnalyticsServer } from './analytics-server';
import { DEFAULTS } from '../config/defaults';
import { PLUGIN_ID } from '../config/constants';
import { propsCheck } from './internal/props-check';
import { grafanaUpSelector } from '../config/resolve';
import { addUnrenderableKeys, recommendedLabels, renderable } from './labels';
import { promString } from '../grafana/metrics';
import { usageDashboardTitle, usageDashboardUid } from '../grafana/usage-dashboard';
import { usageRecordingRules, VIEWS_PER_DASHBOARD_RECORD } from '../grafana/usage-rules';

export interface AnalyticsPrometheusRuleProps {
  /** Installation name: the object name derives from it. */
  readonly installation: string;
  /** The server whose series the rules read (Prometheus labels `namespace` and `job`). */
  readonly server: AnalyticsServer;
  /**
   * Namespace of the server's Service.
   * @default - the namespace of the server's Chart (required when it sets none)
   */
  readonly serverNamespace?: string;
  /**
   * PromQL label matchers, without braces, of Grafana's own `up` series.
   * For example `job="grafana",namespace="monitoring"`.
   * @default - `job="grafana",namespace="<serverNamespace>"`: a ServiceMonitor on a Grafana Service named grafana beside the server
   */
  readonly grafanaUpSelector?: string;
  /**
   * The ServiceMonitor's scrape interval: the rules are evaluated at it, one evaluation per scrape.
   * @default '30s'
   */
  readonly scrapeInterval?: string;
  /**
   * Path Grafana is served under. Under a sub-path the plugin's `dashboard_uid` is a path segment:
   * the dashboard's key is then its `dashboard_name`.
   * @default '/'
   */
  readonly subPath?: string;
  /**
   * Dashboards the installation provisions, named (uid and title) in the info series the usage
   * dashboard joins; the usage dashboard itself is always named.
   * @default - none
   */
  readonly dashboards?: readonly { readonly uid: string; readonly title: string }[];
  /**
   * Alert when no new session arrived for this long while Grafana and the server were up.
   * @default '24h'
   */
  readonly noBeaconFor?: string;
  /**
   * Extra labels, for the Prometheus `ruleSelector` (kube-prometheus-stack: `release: <release>`).
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

const checkProps = propsCheck({
  construct: 'AnalyticsPrometheusRule',
  required: ['installation'],
  derived: { serverNamespace: 'the server\'s Chart sets no namespace' },
  props: {
    installation: 'name',
    serverNamespace: 'namespace',
    grafanaUpSelector: 'alerts.grafanaUpSelector',
    scrapeInterval: 'serviceMonitor.interval',
    subPath: 'grafana.subPath',
    noBeaconFor: 'alerts.noBeaconFor',
    labels: 'alerts.labels',
  },
});

/**
 * Alerts and a recording rule for one installation:
 * - `GrafanaAnalyticsServerDown`: the server is down or Prometheus does not scrape it.
 * - `GrafanaAnalyticsNoBeacons`: no new session for `noBeaconFor` while Grafana and the server were
 *   up: the plugin, the hidden panels or the auth front are broken (or nobody opened a dashboard).
 * - the views (and session seconds) first recorded at each evaluation, per dashboard and per role,
 *   the cache restarts and flushes, and the provisioned dashboards' titles
 *   (lib/grafana/usage-rules.ts); no user label survives.
 */
export class AnalyticsPrometheusRule extends Construct {
  public readonly resource: PrometheusRule;

  constructor(scope: Construct, id: string, props: AnalyticsPrometheusRuleProps) {
    super(scope, id);
    const serverChartNamespace = Chart.of(props.server).namespace;
    checkProps(props, this, { serverNamespace: serverChartNamespace });
    // checkProps requires serverNamespace when the server's Chart sets no namespace.
    const serverNamespace = (props.serverNamespace ?? serverChartNamespace) as string;
    const window = props.noBeaconFor ?? DEFAULTS.alerts.noBeaconFor;
    const server = `namespace=${promString(serverNamespace)}, job=${promString(props.server.service.name)}`;
    const grafana = (props.grafanaUpSelector ?? grafanaUpSelector({ name: DEFAULTS.grafana.service.name, namespace: serverNamespace })).trim();
    const views = `${VIEWS_PER_DASHBOARD_RECORD}{${server}}`;
    const interval = props.scrapeInterval ?? DEFAULTS.serviceMonitor.interval;
    const expr = (e: string) => PrometheusRuleSpecGroupsRulesExpr.fromString(e);
    const labels = { ...recommendedLabels(props.installation, 'monitoring'), ...props.labels };
    this.resource = new PrometheusRule(this, 'Resource', {
      metadata: { name: props.server.name, labels: renderable(labels) },
      spec: {
        groups: [{
          name: `grafana-analytics.${props.installation}`,
          // One evaluation per scrape: the recorded increments are per evaluation.
          interval,
          rules: [
            ...usageRecordingRules({
              server: { namespace: serverNamespace, job: props.server.service.name },
              interval,
              subPath: props.subPath ?? DEFAULTS.grafana.subPath,
              dashboards: [...props.dashboards ?? [], { uid: usageDashboardUid(props.installation), title: usageDashboardTitle(props.installation) }],
            })
              .map(r => ({ record: r.record, expr: expr(r.expr) })),
            {
              alert: 'GrafanaAnalyticsServerDown',
              // Not scraped (no target at all) or every target down; both keep namespace and job for routing.
              expr: expr(`absent(up{${server}}) or (sum by (namespace, job) (up{${server}}) == 0)`),
              for: '10m',
              labels: { severity: 'warning' },
              annotations: {
                summary: `Grafana analytics server of ${props.installation} is down or not scraped`,
                description: `Prometheus has no healthy target for job ${props.server.service.name} in namespace ${serverNamespace}: dashboard `
                  + `views are not counted.`,
              },
            },
            {
              alert: 'GrafanaAnalyticsNoBeacons',
              // Views are counted on new series too (the recording rule counts a born series whole).
              expr: expr([
                `(sum by (namespace, job) (sum_over_time(${views}[${window}])) <= 0 or absent_over_time(${views}[${window}]))`,
                `and on () (sum(min_over_time(up{${grafana}}[${window}])) > 0)`,
                `and on () (sum(up{${server}}) > 0)`,
              ].join('\n')),
              labels: { severity: 'warning' },
              annotations: {
                summary: `No Grafana dashboard view of ${props.installation} counted for ${window}`,
                description: `Grafana was up but the analytics server received no new session for ${window}. Check that the ${PLUGIN_ID} plugin is `
                  + `installed, the dashboards carry the hidden panel, and the write path answers 201 to a signed-in browser.`,
              },
            },
          ],
        }],
      },
    });
    addUnrenderableKeys(this.resource, '/metadata/labels', labels);
  }
}
