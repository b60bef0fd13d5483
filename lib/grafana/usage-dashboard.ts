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
import { DURATION_METRIC, promString, SESSIONS_METRIC } from './metrics';

/** A dashboard the config provisions: the usage dashboard lists it even with no session. */
export interface ProvisionedDashboard {
  readonly uid: string;
  readonly title: string;
}

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
/** How many dashboards the least-used panel shows. */
const LEAST_USED_COUNT = 10;

/** The uid of an installation's usage dashboard: `<installation>-usage`, cut to Grafana's 40 characters. */
export function usageDashboardUid(installation: string): string {
  const suffix = '-usage';
  return `${installation.substring(0, MAX_UID_LENGTH - suffix.length)}${suffix}`;
}

/** The PromQL of every panel, by panel title: one place for the dashboard, the README and the tests. */
export function usageQueries(props: UsageDashboardProps): Record<string, string> {
  const sel = `{namespace=${promString(props.serverNamespace)}, job=${promString(props.serverJob)}}`;
  const views = `sum by (dashboard_uid, dashboard_name) (increase(${SESSIONS_METRIC}${sel}[$__range]))`;
  const provisioned = props.provisioned ?? [];
  // One zero-valued series per provisioned dashboard, labelled like the server's series.
  const zeros = provisioned.length === 0 ? undefined : provisioned
    .map(d => `label_replace(label_replace(vector(0), "dashboard_uid", ${promString(d.uid)}, "", ""), "dashboard_name", ${promString(d.title)}, "", "")`)
    .join(' or ');
  const queries: Record<string, string> = {
    'Views per dashboard': `sort_desc(round(${views}))`,
    'Least-used dashboards': zeros
      ? `sort(bottomk(${LEAST_USED_COUNT}, round(${views}) or ((${zeros}) unless on (dashboard_uid) ${views})))`
      : `sort(bottomk(${LEAST_USED_COUNT}, round(${views})))`,
  };
  if (zeros) queries['Never-viewed dashboards'] = `(${zeros}) unless on (dashboard_uid) (${views} > 0)`;
  queries['Sessions by role'] = `round(sum by (user_role) (increase(${SESSIONS_METRIC}${sel}[$__range])))`;
  queries['Time spent per dashboard'] = `sort_desc(sum by (dashboard_uid, dashboard_name) (increase(${DURATION_METRIC}${sel}[$__range])))`;
  queries['Views over time'] = `sum by (dashboard_uid, dashboard_name) (rate(${SESSIONS_METRIC}${sel}[$__rate_interval])) * 3600`;
  return queries;
}

/** Builds the usage dashboard model, as plain JSON. */
export function usageDashboard(props: UsageDashboardProps): UsageDashboardJson {
  const q = usageQueries(props);
  const query = (title: string, legend: string, instant: boolean) => {
    const b = new prometheus.DataqueryBuilder().datasource(DATASOURCE).expr(q[title]).legendFormat(legend).refId('A');
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

  const builder = new dashboard.DashboardBuilder(`Dashboard usage (${props.installation})`)
    .uid(usageDashboardUid(props.installation))
    .description('Which dashboards are used: sessions counted by the hidden analytics panel, without user identity.')
    .tags(['analytics', 'grafana-analytics'])
    .readonly()
    .time({ from: 'now-30d', to: 'now' })
    .timezone('browser')
    .withVariable(new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Data source').type('prometheus'))
    .withPanel(perDashboard('Views per dashboard',
      'Sessions started per dashboard in the selected time range, most viewed first.', 'none', { h: 10, w: 12 }))
    .withPanel(perDashboard('Least-used dashboards',
      `The ${LEAST_USED_COUNT} dashboards with the fewest sessions in the selected time range, provisioned dashboards without any session included (0).`, 'none', { h: 10, w: 12 }));
  if (q['Never-viewed dashboards']) {
    builder.withPanel(new table.PanelBuilder()
      .id(id())
      .title('Never-viewed dashboards')
      .description('Dashboards this installation provisions that got no session in the selected time range.')
      .datasource(DATASOURCE)
      .withTarget(query('Never-viewed dashboards', '{{dashboard_name}}', true).format(prometheus.PromQueryFormat.Table))
      .withTransformation({
        id: 'organize',
        options: {
          excludeByName: { Time: true, Value: true },
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
      .description('Sessions in the selected time range by the viewer\'s role as the server derives it: admin (Grafana admin), editor (may edit in some folder), user.')
      .datasource(DATASOURCE)
      .withTarget(query('Sessions by role', '{{user_role}}', true))
      .pieType(piechart.PieChartType.Donut)
      .reduceOptions(new common.ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']))
      .unit('none')
      .height(8)
      .span(8))
    .withPanel(perDashboard('Time spent per dashboard',
      'Seconds viewers spent on each dashboard in the selected time range. Counted only for sessions that sent a heartbeat or an end beacon.', 's', { h: 8, w: 16 }))
    .withPanel(new timeseries.PanelBuilder()
      .id(id())
      .title('Views over time')
      .description('Sessions started per hour, by dashboard.')
      .datasource(DATASOURCE)
      .withTarget(query('Views over time', '{{dashboard_name}}', false))
      .unit('short')
      .axisLabel('views per hour')
      .min(0)
      .height(10)
      .span(24));
  // Plain JSON: the builders leave marker functions on the queries.
  return JSON.parse(JSON.stringify(builder.build())) as UsageDashboardJson;
}
