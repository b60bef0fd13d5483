import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { addAnalyticsPanel, analyticsPanel, DashboardJson } from '../grafana/analytics-panel';
import { AnalyticsServer } from './analytics-server';
import { GrafanaDashboardConfigMap } from './grafana-dashboard-config-map';
import { GrafanaOperatorDashboard } from './grafana-operator-dashboard';
import { DashboardProvisioning } from '../config/schema';
import { usageDashboard } from '../grafana/usage-dashboard';
import { DEFAULTS } from '../config/defaults';
import { dashboardModelProblem } from '../config/dashboards';
import { propsCheck } from './internal/props-check';

/** A dashboard to provision: its model and the stable name part of its ConfigMap. */
export interface DashboardSource {
  /** Name part, a DNS-1123 label fragment such as `node-exporter` (from the file name). */
  readonly name: string;
  /** The dashboard model; it must carry a `uid` and a `title`. */
  readonly dashboard: DashboardJson & { readonly uid: string; readonly title: string };
}

export interface AnalyticsDashboardsProps {
  /** Installation name: object and file names derive from it. */
  readonly installation: string;
  /** The analytics server the usage dashboard reports on. */
  readonly server: AnalyticsServer;
  /**
   * Namespace of the server's Service (its series' `namespace` label).
   * @default - the namespace of the server's Chart (required when it sets none)
   */
  readonly serverNamespace?: string;
  /**
   * Path on Grafana's host the hidden panels post to: the write Ingress path (an auth front's `writePath`).
   * @default '/analytics-plugin/write'
   */
  readonly writePath?: string;
  /**
   * How the dashboards reach Grafana: ConfigMaps for the dashboard sidecar, or GrafanaDashboards
   * for the Grafana Operator (which installs the plugin the dashboards declare).
   * @default 'sidecar'
   */
  readonly provisioning?: DashboardProvisioning;
  /**
   * Namespace of the dashboard objects: the one the Grafana dashboard sidecar watches, or with
   * provisioning operator the Grafana CRs' (the operator matches only those of a dashboard's own namespace).
   * @default - the namespace of this construct's Chart (required when it sets none)
   */
  readonly namespace?: string;
  /**
   * Labels of the Grafana CRs the GrafanaDashboards go to (provisioning operator: required).
   * @default - none
   */
  readonly instanceSelector?: Record<string, string>;
  /**
   * Title of the Grafana folder of the GrafanaDashboards (provisioning operator).
   * @default - the operator's: a folder named after the namespace
   */
  readonly folder?: string;
  /**
   * How often the operator re-applies each GrafanaDashboard (provisioning operator; a Go duration).
   * @default - the operator's (10m)
   */
  readonly resyncPeriod?: string;
  /**
   * Dashboards to provision with the hidden panel.
   * @default - none; the usage dashboard is still provisioned
   */
  readonly dashboards?: readonly DashboardSource[];
  /**
   * Label key the sidecar selects by.
   * @default 'grafana_dashboard'
   */
  readonly labelKey?: string;
  /**
   * Value of that label.
   * @default '1'
   */
  readonly labelValue?: string;
  /**
   * Version of the panel plugin.
   * @default '2.1.0'
   */
  readonly pluginVersion?: string;
  /**
   * Hidden panels send heartbeats.
   * @default false
   */
  readonly heartbeat?: boolean;
  /**
   * Seconds between heartbeats.
   * @default 60
   */
  readonly heartbeatIntervalSeconds?: number;
  /**
   * Hidden panels send an end beacon.
   * @default true
   */
  readonly endBeacon?: boolean;
}

const checkProps = propsCheck({
  construct: 'AnalyticsDashboards',
  required: ['installation'],
  derived: { serverNamespace: 'the server\'s Chart sets no namespace', namespace: 'the Chart sets no namespace' },
  props: {
    installation: 'name',
    serverNamespace: 'namespace',
    writePath: 'ingress.writePath',
    provisioning: 'grafana.provisioning',
    // Not dashboardSidecar.namespace: with the operator it is the Grafana CRs' namespace.
    namespace: 'grafana.service.namespace',
    instanceSelector: 'grafana.operator.instanceSelector.matchLabels',
    folder: 'grafana.operator.folder',
    resyncPeriod: 'grafana.operator.resyncPeriod',
    labelKey: 'dashboardSidecar.labelKey',
    labelValue: 'dashboardSidecar.labelValue',
    pluginVersion: 'panel.pluginVersion',
    heartbeat: 'panel.heartbeat',
    heartbeatIntervalSeconds: 'panel.heartbeatIntervalSeconds',
    endBeacon: 'panel.endBeacon',
  },
});

/**
 * The Grafana side of one installation: every listed dashboard with the hidden analytics panel
 * added, and the usage dashboard (which carries the panel too), one ConfigMap each for the
 * sidecar, or one GrafanaDashboard each for the Grafana Operator. Each panel's `dashboard` option
 * is its dashboard's literal uid, so views are counted by uid even under a sub-path, where the
 * plugin's own uid is a path segment.
 */
export class AnalyticsDashboards extends Construct {
  /**
   * The hidden panel with its default `dashboard` option (the title), for dashboards provisioned
   * elsewhere; the ones provisioned here carry their literal uid instead.
   */
  public readonly panel: ReturnType<typeof analyticsPanel>;
  /** The listed dashboards' ConfigMaps (provisioning sidecar; empty with operator). */
  public readonly dashboardConfigMaps: GrafanaDashboardConfigMap[];
  /** The usage dashboard's ConfigMap (provisioning sidecar). */
  public readonly usageConfigMap?: GrafanaDashboardConfigMap;
  /** The listed dashboards' GrafanaDashboards (provisioning operator; empty with sidecar). */
  public readonly grafanaDashboards: GrafanaOperatorDashboard[];
  /** The usage dashboard's GrafanaDashboard (provisioning operator). */
  public readonly usageGrafanaDashboard?: GrafanaOperatorDashboard;

  constructor(scope: Construct, id: string, props: AnalyticsDashboardsProps) {
    super(scope, id);
    const derived = { serverNamespace: Chart.of(props.server).namespace, namespace: Chart.of(this).namespace };
    const dashboardProblems = (props.dashboards ?? []).flatMap((d, i) => {
      const problem = dashboardModelProblem(d.dashboard);
      return problem ? [{ path: `dashboards[${i}].dashboard`, message: problem }] : [];
    });
    checkProps(props, this, derived, dashboardProblems);
    // checkProps requires each prop whose derived default is missing.
    const serverNamespace = (props.serverNamespace ?? derived.serverNamespace) as string;
    const namespace = (props.namespace ?? derived.namespace) as string;
    const panel = (dashboard?: string) => analyticsPanel({
      server: props.writePath ?? DEFAULTS.ingress.writePath,
      dashboard,
      pluginVersion: props.pluginVersion,
      heartbeat: props.heartbeat,
      heartbeatIntervalSeconds: props.heartbeatIntervalSeconds,
      endBeacon: props.endBeacon,
    });
    this.panel = panel();
    const dashboards = props.dashboards ?? [];
    const usage = usageDashboard({
      installation: props.installation,
      serverNamespace,
      serverJob: props.server.service.name,
      provisioned: dashboards.map(d => ({ uid: d.dashboard.uid, title: d.dashboard.title })),
    });
    // Object names as the sidecar's ConfigMaps have always had them; the construct ids too.
    const all: { id: string; name: string; dashboard: DashboardSource['dashboard']; fileName?: string }[] = [
      ...dashboards.map(d => ({ id: `Dashboard-${d.name}`, name: `${props.installation}-dashboard-${d.name}`, dashboard: d.dashboard })),
      {
        id: 'Usage', name: `${props.installation}-analytics-usage-dashboard`, dashboard: usage,
        fileName: `${props.installation}-analytics-usage.json`,
      },
    ].map(d => ({ ...d, dashboard: addAnalyticsPanel(d.dashboard, panel(d.dashboard.uid)) }));
    if (props.provisioning === 'operator') {
      const operator = {
        installation: props.installation,
        // checkProps requires it with operator.
        instanceSelector: props.instanceSelector as Record<string, string>,
        namespace,
        folder: props.folder,
        resyncPeriod: props.resyncPeriod,
        pluginVersion: props.pluginVersion,
      };
      const made = all.map(d => new GrafanaOperatorDashboard(this, d.id, { ...operator, name: d.name, dashboard: d.dashboard }));
      this.grafanaDashboards = made.slice(0, -1);
      this.usageGrafanaDashboard = made[made.length - 1];
      this.dashboardConfigMaps = [];
    } else {
      const sidecar = { installation: props.installation, namespace, labelKey: props.labelKey, labelValue: props.labelValue };
      const made = all.map(d => new GrafanaDashboardConfigMap(this, d.id, {
        ...sidecar, name: d.name, fileName: d.fileName ?? `${d.name}.json`, dashboard: d.dashboard,
      }));
      this.dashboardConfigMaps = made.slice(0, -1);
      this.usageConfigMap = made[made.length - 1];
      this.grafanaDashboards = [];
    }
  }
}
