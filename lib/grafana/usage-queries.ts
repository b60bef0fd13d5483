/**
 * The PromQL of every usage figure, in one place: the usage dashboard's panels run these, and so
 * can any other reader (a report) by putting a duration where the range and step variables are.
 * Every figure sums the recording rules' per-evaluation increments (lib/grafana/usage-rules.ts)
 * over the range, so a view counts in the range that holds the evaluation that first recorded it.
 * Dashboards are named by the recorded info series of the provisioned ones, joined once.
 */
import {
  CACHE_EMPTIED_RECORD, DASHBOARD_INFO_RECORD, recorded, SECONDS_PER_DASHBOARD_RECORD, ServerSeries, VIEWS_PER_DASHBOARD_RECORD,
  VIEWS_PER_ROLE_RECORD,
} from './usage-rules';

/** Grafana's range of the dashboard, as a PromQL duration. */
export const RANGE_VARIABLE = '$__range';
/** Grafana's step of a graph, as a PromQL duration. */
export const STEP_VARIABLE = '$__interval';

export interface UsageQueriesProps {
  /** The installation's analytics server. */
  readonly server: ServerSeries;
  /** The installation's usage dashboard: named like the others, never listed as unused. */
  readonly usageDashboardUid: string;
  /**
   * The range of every figure, a PromQL duration.
   * @default RANGE_VARIABLE
   */
  readonly range?: string;
  /**
   * The step of `viewsOverTime`, a PromQL duration.
   * @default STEP_VARIABLE
   */
  readonly step?: string;
}

/**
 * The named expressions. Results carry the server's `namespace` and `job`; per-dashboard ones
 * `dashboard_uid` and `dashboard_name`, per-role ones `user_role`.
 */
export interface UsageQueries {
  /** Views per dashboard in the range, most viewed first. */
  readonly viewsPerDashboard: string;
  /** The `LEAST_USED_COUNT` dashboards with the fewest views, provisioned ones without any included (0). */
  readonly leastUsed: string;
  /** Provisioned dashboards (the usage dashboard aside) without a view in the range, at 0. */
  readonly neverViewed: string;
  /** Views by the viewer's role (`user_role`). */
  readonly sessionsByRole: string;
  /** Session seconds per dashboard, most first. */
  readonly timeSpent: string;
  /** Views per dashboard in each step (a range query at that step). */
  readonly viewsOverTime: string;
  /** Restarts and cache flushes of the server in the range (0 when none). */
  readonly restarts: string;
  /** The share of the server's scrapes that succeeded in the range (0 to 1; nothing when never scraped). */
  readonly scraped: string;
  /** Viewed dashboards the installation does not provision, named by their key. */
  readonly unlisted: string;
}

/** How many dashboards the least-used figure lists. */
export const LEAST_USED_COUNT = 10;

export function usageQueries(props: UsageQueriesProps): UsageQueries {
  const range = props.range ?? RANGE_VARIABLE;
  // The records are summed by namespace, job and their key already: one series per key.
  const over = (record: string, r = range) => `sum_over_time(${recorded(record, props.server)}[${r}])`;
  const info = recorded(DASHBOARD_INFO_RECORD, props.server);
  const listed = recorded(DASHBOARD_INFO_RECORD, props.server, `,dashboard_uid!=${JSON.stringify(props.usageDashboardUid)}`);
  const byKey = (expr: string) => `label_replace(${expr}, "dashboard_name", "$1", "dashboard_uid", "(.*)")`;
  /** Provisioned dashboards by their title, the others by their key. */
  const titled = (expr: string) => `${expr} * on(dashboard_uid) group_left(dashboard_name) ${info}\nor on(dashboard_uid) ${byKey(expr)}`;
  const views = over(VIEWS_PER_DASHBOARD_RECORD);
  return {
    viewsPerDashboard: `sort_desc(${titled(views)})`,
    leastUsed: `sort(bottomk(${LEAST_USED_COUNT}, ${titled(views)}\nor on(dashboard_uid) ${listed} * 0))`,
    neverViewed: `${listed} * 0 unless on(dashboard_uid) (${views} > 0)`,
    sessionsByRole: over(VIEWS_PER_ROLE_RECORD),
    timeSpent: `sort_desc(${titled(over(SECONDS_PER_DASHBOARD_RECORD))})`,
    viewsOverTime: titled(over(VIEWS_PER_DASHBOARD_RECORD, props.step ?? STEP_VARIABLE)),
    restarts: `sum(sum_over_time(${recorded(CACHE_EMPTIED_RECORD, props.server)}[${range}])) or vector(0)`,
    scraped: `avg(avg_over_time(${recorded('up', props.server)}[${range}]))`,
    unlisted: `sort_desc(${byKey(`${views} unless on(dashboard_uid) ${info}`)})`,
  };
}

/**
 * When each dashboard was last viewed in the range: the end of the last `step` (aligned, left-open,
 * so every record falls in exactly one) holding a record of views, per `dashboard_uid`, as unix
 * seconds; at most one step late. Reading each step's records as a range, not the record at the
 * step's end, finds every record whatever staleness markers follow it.
 */
export function lastViewedQuery(props: UsageQueriesProps & { readonly range: string; readonly step: string }): string {
  const views = recorded(VIEWS_PER_DASHBOARD_RECORD, props.server);
  return `max by (dashboard_uid) (max_over_time(timestamp(max_over_time(${views}[${props.step}]) > 0)[${props.range}:${props.step}]))`;
}

/**
 * Unix seconds of the earliest `up` sample of the server's job within `window` before the
 * evaluation time, found at `step` (a sample's own timestamp, at most one step late): where the
 * data for a "not viewed for" question starts.
 */
export function firstScrapeQuery(server: ServerSeries, window: string, step: string): string {
  return `min(min_over_time(timestamp(${recorded('up', server)})[${window}:${step}]))`;
}
