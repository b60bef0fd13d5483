/**
 * The PromQL of the usage report (`grafana-analytics-usage`): the usage dashboard's own panel
 * expressions with the range written in, so the report and the dashboard cannot disagree, and
 * the few figures no panel shows (last viewed, scraped, unlisted, first scrape).
 */
import { promString } from './metrics';
import { UsageDashboardProps, usageDashboardUid, usageQueries } from './usage-dashboard';
import { recorded, VIEWS_PER_DASHBOARD_RECORD } from './usage-rules';

/** Grafana's variable for the dashboard's time range, which the report replaces with its range. */
const RANGE_VARIABLE = '$__range';

/** A panel's expression over a fixed range (a Prometheus duration), as Grafana evaluates it at the range's end. */
export function forRange(expr: string, range: string): string {
  return expr.split(RANGE_VARIABLE).join(range);
}

/** The panels the report reads, by the dashboard's panel title. */
export const REPORT_PANELS = {
  views: 'Views per dashboard',
  sessionSeconds: 'Time spent per dashboard',
  neverViewed: 'Never-viewed dashboards',
  restartsAndFlushes: 'Server restarts and cache flushes',
} as const;

export interface UsageReportQueryProps extends UsageDashboardProps {
  /** The precision of "last viewed": the rule interval (the ServiceMonitor's), or coarser for very long ranges. */
  readonly lastViewedStep: string;
}

/** Every instant query of one installation's report over `range`, each evaluated at the range's end. */
export interface UsageReportQueries {
  /** Views per dashboard key, `dashboard_name` the title (the panel's). */
  readonly views: string;
  /** Seconds per dashboard key (the panel's). */
  readonly sessionSeconds: string;
  /** Provisioned dashboards without a view (the panel's); absent when the installation provisions none. */
  readonly neverViewed?: string;
  /** Restarts and flushes, one sample (the panel's). */
  readonly restartsAndFlushes: string;
  /** Unix time of the end of the last `lastViewedStep` with a view (at most one step late), per dashboard key. */
  readonly lastViewed: string;
  /** The highest `up` of the server's job in the range: 1 scraped, 0 every scrape failed, none no target. */
  readonly scraped: string;
  /** Views per key of the dashboards neither the config nor the library provisions. */
  readonly unlisted: string;
}

function server(props: UsageDashboardProps) {
  return { namespace: props.serverNamespace, job: props.serverJob };
}

export function usageReportQueries(props: UsageReportQueryProps, range: string): UsageReportQueries {
  const panels = usageQueries(props);
  const views = recorded(VIEWS_PER_DASHBOARD_RECORD, server(props));
  const known = [...(props.provisioned ?? []).map(d => d.uid), usageDashboardUid(props.installation)]
    .map(uid => `label_replace(vector(1), "dashboard_uid", ${promString(uid)}, "", "")`).join(' or ');
  const neverViewed = panels[REPORT_PANELS.neverViewed];
  const step = props.lastViewedStep;
  return {
    views: forRange(panels[REPORT_PANELS.views], range),
    sessionSeconds: forRange(panels[REPORT_PANELS.sessionSeconds], range),
    ...(neverViewed ? { neverViewed: forRange(neverViewed, range) } : {}),
    restartsAndFlushes: forRange(panels[REPORT_PANELS.restartsAndFlushes], range),
    // A record exists only for evaluations that counted views (`!= 0`). Each step of the subquery
    // looks at the records of its own step (aligned, left-open: every record falls in one), so the
    // answer is the end of the last step with a view, whatever staleness markers follow records.
    lastViewed: `max by (dashboard_uid) (max_over_time(timestamp(max_over_time(${views}[${step}]) > 0)[${range}:${step}]))`,
    scraped: `max(max_over_time(${recorded('up', server(props))}[${range}]))`,
    unlisted: `sum by (dashboard_uid) (sum_over_time(${views}[${range}])) unless on (dashboard_uid) (${known})`,
  };
}

/**
 * Unix time of the earliest `up` sample of the server's job within `window` before the evaluation
 * time, found at `step` (a sample's own timestamp, at most one step late).
 */
export function firstScrapeQuery(props: UsageDashboardProps, window: string, step: string): string {
  return `min(min_over_time(timestamp(${recorded('up', server(props))})[${window}:${step}]))`;
}
