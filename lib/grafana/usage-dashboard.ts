/**
 * The "which dashboards are used?" dashboard of one installation, built with Grafana's typed
 * builders (@grafana/grafana-foundation-sdk). Every query reads the analytics server's metrics
 * of this installation only (its Prometheus `namespace` and `job`), through a datasource
 * variable, and none groups by or filters on a user label: the server keeps no identity by
 * default, and the dashboard must not depend on it when someone opted in.
 */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import { LEAST_USED_COUNT, UsageQueries, usageQueries } from './usage-queries';
import { ProvisionedDashboard } from './usage-rules';

export interface UsageDashboardProps {
  /** Installation name: the dashboard's uid and title derive from it. */
  readonly installation: string;
  /** Namespace of the analytics server's Service: Prometheus' `namespace` label of its series. */
  readonly serverNamespace: string;
  /** Name of the analytics server's Service: Prometheus' `job` label of its series. */
  readonly serverJob: string;
  /**
   * Dashboards the config provisions, for the never-viewed and least-used panels.
   * @default - none: the never-viewed panel is left out, least-used lists viewed dashboards only
   */
  readonly provisioned?: readonly ProvisionedDashboard[];
}

/**
 * The usage dashboard as JSON (Grafana's dashboard model, built with the SDK). Our own type, not
 * the SDK's `dashboard.Dashboard`: see `AnalyticsPanelJson`.
 */
export interface UsageDashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly {
    readonly type: string;
    readonly title: string;
    readonly gridPos: { readonly h: number; readonly w: number; readonly x: number; readonly y: number };
    readonly [key: string]: unknown;
  }[];
  readonly templating: { readonly list: readonly Readonly<Record<string, unknown>>[] };
  readonly [key: string]: unknown;
}

/** Grafana's limit on a dashboard uid. */
const MAX_UID_LENGTH = 40;
const DATASOURCE_VARIABLE = 'datasource';
const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

/** The uid of an installation's usage dashboard: `<installation>-usage`, cut to Grafana's 40 characters. */
export function usageDashboardUid(installation: string): string {
  const suffix = '-usage';
  return `${installation.substring(0, MAX_UID_LENGTH - suffix.length)}${suffix}`;
}

/** Which query each panel runs, by panel title (users and scripts read the titles). */
export const PANEL_QUERIES: Readonly<Record<string, keyof UsageQueries>> = {
  'Views per dashboard': 'viewsPerDashboard',
  'Least-used dashboards': 'leastUsed',
  'Never-viewed dashboards': 'neverViewed',
  'Sessions by role': 'sessionsByRole',
  'Time spent per dashboard': 'timeSpent',
  'Views over time': 'viewsOverTime',
  'Server restarts and cache flushes': 'restarts',
};

/** The usage dashboard's title. */
export function usageDashboardTitle(installation: string): string {
  return `Dashboard usage (${installation})`;
}

/** Builds the usage dashboard model, as plain JSON. */
export function usageDashboard(props: UsageDashboardProps): UsageDashboardJson {
  const q = usageQueries({
    server: { namespace: props.serverNamespace, job: props.serverJob },
    usageDashboardUid: usageDashboardUid(props.installation),
  });
  const query = (title: string, legend: string, instant: boolean) => {
    const b = new prometheus.DataqueryBuilder().datasource(DATASOURCE).expr(q[PANEL_QUERIES[title]]).legendFormat(legend).refId('A');
    return instant ? b.instant() : b.range();
  };
  // Explicit ids: links and the panel editor address panels by id.
  let nextId = 1;
  const id = () => nextId++;
  /** A horizontal bar per dashboard: one instant value each, named by the legend. */
  const perDashboard = (title: string, description: string, unit: string, size: { h: number; w: number }) => new bargauge.PanelBuilder()
    .id(id())
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .withTarget(query(title, '{{dashboard_name}}', true))
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .reduceOptions(new common.ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']))
    .unit(unit)
    .min(0)
    .height(size.h)
    .span(size.w);

  const builder = new dashboard.DashboardBuilder(usageDashboardTitle(props.installation))
    .uid(usageDashboardUid(props.installation))
    .description('Which dashboards are used: sessions counted by the hidden analytics panel, without user identity.')
    .tags(['analytics', 'grafana-analytics'])
    .readonly()
    .time({ from: 'now-30d', to: 'now' })
    .timezone('browser')
    .withVariable(new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Data source').type('prometheus'))
    .withPanel(perDashboard('Views per dashboard',
      'Views (sessions started) per dashboard in the selected time range, most viewed first. Provisioned dashboards by title, others by uid (by '
        + 'name under a sub-path).', 'none', { h: 10, w: 12 }))
    .withPanel(perDashboard('Least-used dashboards',
      `The ${LEAST_USED_COUNT} dashboards with the fewest sessions in the selected time range, provisioned dashboards without any session `
        + `included (0).`, 'none', { h: 10, w: 12 }));
  if ((props.provisioned ?? []).length > 0) {
    builder.withPanel(new table.PanelBuilder()
      .id(id())
      .title('Never-viewed dashboards')
      .description('Dashboards this installation provisions that got no session in the selected time range.')
      .datasource(DATASOURCE)
      .withTarget(query('Never-viewed dashboards', '{{dashboard_name}}', true).format(prometheus.PromQueryFormat.Table))
      .withTransformation({
        id: 'organize',
        options: {
          excludeByName: { Time: true, Value: true, namespace: true, job: true },
          indexByName: { dashboard_name: 0, dashboard_uid: 1 },
          renameByName: { dashboard_name: 'Dashboard', dashboard_uid: 'UID' },
        },
      })
      .noValue('Every provisioned dashboard was viewed')
      .height(8)
      .span(24));
  }
  builder
    .withPanel(new piechart.PanelBuilder()
      .id(id())
      .title('Sessions by role')
      .description('Sessions in the selected time range by the viewer\'s role as the server derives it: admin (Grafana admin), editor (may edit in '
        + 'some folder), user.')
      .datasource(DATASOURCE)
      .withTarget(query('Sessions by role', '{{user_role}}', true))
      .pieType(piechart.PieChartType.Donut)
      .reduceOptions(new common.ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']))
      .unit('none')
      .height(8)
      .span(8))
    .withPanel(perDashboard('Time spent per dashboard',
      'Seconds viewers spent on each dashboard in the selected time range. Counted only for sessions that sent a heartbeat or an end '
        + 'beacon.', 's', { h: 8, w: 16 }))
    .withPanel(new timeseries.PanelBuilder()
      .id(id())
      .title('Views over time')
      .description('Views first counted in each interval of the graph, by dashboard.')
      .datasource(DATASOURCE)
      .withTarget(query('Views over time', '{{dashboard_name}}', false))
      .unit('short')
      .axisLabel('views per interval')
      .min(0)
      .height(10)
      .span(20))
    .withPanel(new stat.PanelBuilder()
      .id(id())
      .title('Server restarts and cache flushes')
      .description('Times the analytics server lost its session cache in the selected time range. Views that arrived after the last scrape before '
        + 'each are not counted; with end beacons or heartbeats, a session open across one is counted again.')
      .datasource(DATASOURCE)
      .withTarget(query('Server restarts and cache flushes', '', true))
      .reduceOptions(new common.ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']))
      .unit('none')
      .height(10)
      .span(4));
  // Plain JSON: the builders leave marker functions on the queries.
  return JSON.parse(JSON.stringify(builder.build())) as UsageDashboardJson;
}
