import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { addAnalyticsPanel, analyticsPanel, DashboardJson } from '../grafana/analytics-panel';
import { AnalyticsServer } from './analytics-server';
import { GrafanaDashboardConfigMap } from './grafana-dashboard-config-map';
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
   * Namespace the Grafana dashboard sidecar watches.
   * @default - the namespace of this construct's Chart (required when it sets none)
   */
  readonly namespace?: string;
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
    namespace: 'dashboardSidecar.namespace',
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
 * added, and the usage dashboard (which carries the panel too), one ConfigMap each. Each panel's
 * `dashboard` option is its dashboard's literal uid, so views are counted by uid even under a
 * sub-path, where the plugin's own uid is a path segment.
 */
export class AnalyticsDashboards extends Construct {
  /**
   * The hidden panel with its default `dashboard` option (the title), for dashboards provisioned
   * elsewhere; the ones provisioned here carry their literal uid instead.
   */
  public readonly panel: ReturnType<typeof analyticsPanel>;
  public readonly dashboardConfigMaps: GrafanaDashboardConfigMap[];
  public readonly usageConfigMap: GrafanaDashboardConfigMap;

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
    const sidecar = { installation: props.installation, namespace, labelKey: props.labelKey, labelValue: props.labelValue };
    const dashboards = props.dashboards ?? [];
    this.dashboardConfigMaps = dashboards.map(d => {
      const name = `${props.installation}-dashboard-${d.name}`;
      return new GrafanaDashboardConfigMap(this, `Dashboard-${d.name}`, {
        ...sidecar,
        name,
        fileName: `${name}.json`,
        dashboard: addAnalyticsPanel(d.dashboard, panel(d.dashboard.uid)),
      });
    });
    const usage = usageDashboard({
      installation: props.installation,
      serverNamespace,
      serverJob: props.server.service.name,
      provisioned: dashboards.map(d => ({ uid: d.dashboard.uid, title: d.dashboard.title })),
    });
    this.usageConfigMap = new GrafanaDashboardConfigMap(this, 'Usage', {
      ...sidecar,
      name: `${props.installation}-analytics-usage-dashboard`,
      fileName: `${props.installation}-analytics-usage.json`,
      dashboard: addAnalyticsPanel(usage, panel(usage.uid)),
    });
  }
}
