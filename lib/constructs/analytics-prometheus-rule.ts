import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheusrule-monitoring.coreos.com';
import { AnalyticsServer } from './analytics-server';
import { DEFAULTS, PLUGIN_ID } from '../config/defaults';
import { propsCheck } from '../config/props';
import { grafanaUpSelector } from '../config/resolve';
import { addUnrenderableKeys, recommendedLabels, renderable } from './labels';
import { promString, SESSIONS_METRIC } from '../grafana/metrics';

/** The recording rule's series: sessions per second per dashboard, over 5 minutes, without user labels. */
export const SESSIONS_PER_DASHBOARD_RECORD = 'dashboard:grafana_analytics_sessions:rate5m';

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
    noBeaconFor: 'alerts.noBeaconFor',
    labels: 'alerts.labels',
  },
});

/**
 * Alerts and a recording rule for one installation:
 * - `GrafanaAnalyticsServerDown`: the server is down or Prometheus does not scrape it.
 * - `GrafanaAnalyticsNoBeacons`: no new session for `noBeaconFor` while Grafana and the server were
 *   up: the plugin, the hidden panels or the auth front are broken (or nobody opened a dashboard).
 * - the sessions rate per dashboard, summed over every other label, so no user label survives.
 */
export class AnalyticsPrometheusRule extends Construct {
  public readonly resource: PrometheusRule;

  constructor(scope: Construct, id: string, props: AnalyticsPrometheusRuleProps) {
    super(scope, id);
    const serverChartNamespace = Chart.of(props.server).namespace;
    checkProps(props, this.node.path, { serverNamespace: serverChartNamespace });
    // checkProps requires serverNamespace when the server's Chart sets no namespace.
    const serverNamespace = props.serverNamespace ?? serverChartNamespace as string;
    const window = props.noBeaconFor ?? DEFAULTS.alerts.noBeaconFor;
    const server = `namespace=${promString(serverNamespace)}, job=${promString(props.server.service.name)}`;
    const grafana = (props.grafanaUpSelector ?? grafanaUpSelector({ name: DEFAULTS.grafana.service.name, namespace: serverNamespace })).trim();
    const sessions = `${SESSIONS_METRIC}{${server}}`;
    const expr = (e: string) => PrometheusRuleSpecGroupsRulesExpr.fromString(e);
    const labels = { ...recommendedLabels(props.installation, 'monitoring'), ...props.labels };
    this.resource = new PrometheusRule(this, 'Resource', {
      metadata: { name: props.server.name, labels: renderable(labels) },
      spec: {
        groups: [{
          name: `grafana-analytics.${props.installation}`,
          rules: [
            {
              alert: 'GrafanaAnalyticsServerDown',
              // Not scraped (no target at all) or every target down; both keep namespace and job for routing.
              expr: expr(`absent(up{${server}}) or (sum by (namespace, job) (up{${server}}) == 0)`),
              for: '10m',
              labels: { severity: 'warning' },
              annotations: {
                summary: `Grafana analytics server of ${props.installation} is down or not scraped`,
                description: `Prometheus has no healthy target for job ${props.server.service.name} in namespace ${serverNamespace}: dashboard views are not counted.`,
              },
            },
            {
              alert: 'GrafanaAnalyticsNoBeacons',
              // The total changes with every new session (a new series or an increment); absent
              // covers a server that never received one since it started.
              expr: expr([
                `(changes(sum(${sessions})[${window}:5m]) == 0 or on () absent_over_time(${sessions}[${window}]))`,
                `and on () (sum(min_over_time(up{${grafana}}[${window}])) > 0)`,
                `and on () (sum(up{${server}}) > 0)`,
              ].join('\n')),
              labels: { severity: 'warning' },
              annotations: {
                summary: `No Grafana dashboard view of ${props.installation} counted for ${window}`,
                description: `Grafana was up but the analytics server received no new session for ${window}. Check that the ${PLUGIN_ID} plugin is installed, the dashboards carry the hidden panel, and the write path answers 201 to a signed-in browser.`,
              },
            },
            {
              record: SESSIONS_PER_DASHBOARD_RECORD,
              expr: expr(`sum by (namespace, job, dashboard_uid, dashboard_name) (rate(${sessions}[5m]))`),
            },
          ],
        }],
      },
    });
    addUnrenderableKeys(this.resource, '/metadata/labels', labels);
  }
}
