/**
 * The recording rules that turn the analytics server's session counters into views counted once
 * each, and the names the usage dashboard, the alerts and the usage report read them by.
 *
 * Why not `increase()`: the server recomputes its counters from its session cache at every
 * scrape, so a label set's series is born at the number of its sessions (>= 1), and `increase()`
 * counts a series from its first sample: a new dashboard, role, theme or locale loses its first
 * views. A restart or a flush empties the cache.
 *
 * Why not `x - x offset <interval>` (what these rules did before): a scrape's samples carry its
 * start time but are appended when it ends, and the rule group evaluates on its own phase. An
 * evaluation that falls inside a scrape sees the previous scrape, and its offset sees that same
 * one: 0 at every evaluation for as long as the phases hold. And a failed scrape has no samples.
 *
 * So the rules never compare two scrapes. The first rule records, at each evaluation, what the
 * cache holds (`HELD_RECORD`): per server instance and key, the sum over label sets of the newest
 * successful scrape, read in one query (one consistent scrape: Prometheus isolates a query from
 * appends that commit during it). While the target does not scrape successfully (failed scrapes,
 * a Prometheus restart) it holds its previous values instead, for `processLookback`. Every later
 * rule reads only recorded series: a recorded sample carries its evaluation's timestamp, so it is
 * never late. The views of an evaluation are then what is held now minus what was held at the
 * previous evaluation (`offset 1ms`: the newest sample before this evaluation's), per key; all of
 * what is held after a restart (`process_start_time_seconds` changed) or a flush (the cache's
 * session total dropped), or at the first sight of an instance. Differences of one recorded
 * series telescope: whichever scrape an evaluation sees, each session counts once.
 */
import { DURATION_METRIC, promString, SESSIONS_METRIC } from './metrics';

/** Views first recorded at each evaluation, per dashboard (`dashboard_uid` is the dashboard's key). */
export const VIEWS_PER_DASHBOARD_RECORD = 'dashboard_uid:grafana_analytics_views:new';
/** Views first recorded at each evaluation, per viewer role. */
export const VIEWS_PER_ROLE_RECORD = 'user_role:grafana_analytics_views:new';
/** Session seconds first recorded at each evaluation, per dashboard. */
export const SECONDS_PER_DASHBOARD_RECORD = 'dashboard_uid:grafana_analytics_session_seconds:new';
/** 1 per server instance whose cache was emptied (restart or flush) since the previous evaluation. */
export const CACHE_EMPTIED_RECORD = 'job:grafana_analytics_cache_emptied:count';
/** Per instance: 1 when the cache was emptied since the previous evaluation (absent otherwise). */
export const INSTANCE_EMPTIED_RECORD = 'instance:grafana_analytics_cache_emptied:bool';
/**
 * What each server instance's cache holds, per `quantity`: `sessions` (by `dashboard_uid` and
 * `user_role`), `seconds` (session seconds, by `dashboard_uid`), and `process_start` (the
 * process' start time).
 */
export const HELD_RECORD = 'instance:grafana_analytics_cache:held';
/** 1 per dashboard the installation provisions, with its `dashboard_uid` and `dashboard_name` (title). */
export const DASHBOARD_INFO_RECORD = 'dashboard_uid:grafana_analytics_dashboard:info';

/**
 * How long a held value outlives the last successful scrape (failed scrapes, Prometheus down):
 * an hour, or four scrape intervals when they are longer. A server unseen longer counts as new.
 */
export function processLookback(interval: string): string {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  const seconds = [...interval.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)].reduce((n, [, v, u]) => n + Number(v) * units[u], 0);
  return 4 * seconds > 3600 ? `${Math.ceil(4 * seconds)}s` : '1h';
}

const INSTANCE = 'namespace, job, instance';

/** A dashboard the installation provisions. */
export interface ProvisionedDashboard {
  readonly uid: string;
  readonly title: string;
}

/** The analytics server as Prometheus labels its series. */
export interface ServerSeries {
  /** Prometheus' `namespace` label: the namespace of the server's Service. */
  readonly namespace: string;
  /** Prometheus' `job` label: the name of the server's Service. */
  readonly job: string;
}

export interface UsageRulesProps {
  /** The server whose series the rules read. */
  readonly server: ServerSeries;
  /** The scrape interval, which is also the rules' evaluation interval. */
  readonly interval: string;
  /**
   * Grafana's sub-path (`/` at the root). Under a sub-path the plugin's `dashboard_uid` is a path
   * segment (`d`), and the dashboard's key is its `dashboard_name` (the literal uid for provisioned ones).
   */
  readonly subPath: string;
  /**
   * Dashboards to name in `DASHBOARD_INFO_RECORD`.
   * @default - none: the info rule is left out
   */
  readonly dashboards?: readonly ProvisionedDashboard[];
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** The quantities of `HELD_RECORD`: which counter, summed by which key. */
/**
 * Sessions by dashboard and role in one: each counter's series are read once, with their
 * timestamps once (the newest scrape only): the cost of these rules. Seconds need that filter as
 * much as sessions: a series left from before a Prometheus restart would be counted whole again
 * by a restart or flush within the following 5 minutes.
 */
const QUANTITIES = {
  sessions: { metric: SESSIONS_METRIC, by: 'user_role' },
  seconds: { metric: DURATION_METRIC, by: '' },
} as const;
type Quantity = keyof typeof QUANTITIES | 'process_start';

/** A label_replace replacement that stands for itself (`$` would expand a capture group). */
export function literal(value: string): string {
  return promString(value.replace(/\$/g, '$$$$'));
}

/** `expr` with the label `name` set to `value`. */
function withLabel(expr: string, name: string, value: string): string {
  return `label_replace(${expr}, "${name}", ${literal(value)}, "", "")`;
}

/** The recording rules, in evaluation order (later rules read earlier ones at the same step). */
export function usageRecordingRules(props: UsageRulesProps): RecordingRule[] {
  const lookback = processLookback(props.interval);
  const sel = (metric: string, extra = '') => recorded(metric, props.server, extra);
  // Only the series of the instance's newest scrape: after a Prometheus restart, series that
  // vanished meanwhile keep their last sample for the lookback delta, without a staleness marker.
  const scraped = (metric: string) => `(${sel(metric)} and (timestamp(${sel(metric)}) == on (${INSTANCE}) group_left () timestamp(${sel('up')})))`;
  /** Summed per instance, dashboard key and `by`; under a sub-path the key is taken from the name after summing. */
  const keyedByName = props.subPath !== '/';
  const summed = (metric: string, by: string) => {
    const series = scraped(metric);
    const labels = [INSTANCE, keyedByName ? 'dashboard_name' : 'dashboard_uid', ...by ? [by] : []].join(', ');
    return keyedByName
      ? `sum without (dashboard_name) (label_replace(sum by (${labels}) (${series}), "dashboard_uid", "$1", "dashboard_name", "(.*)"))`
      : `sum by (${labels}) (${series})`;
  };
  const held = (quantity: Quantity, before = false) => sel(HELD_RECORD, `,quantity="${quantity}"`) + (before ? `[${lookback}] offset 1ms` : '');
  const now = (quantity: Quantity) => held(quantity);
  // The newest value recorded before this evaluation.
  const previous = (quantity: Quantity) => `last_over_time(${held(quantity, true)})`;
  const last = `last_over_time(${sel(HELD_RECORD)}[${lookback}])`;
  const total = (value: string) => `sum by (${INSTANCE}) (${value})`;
  const emptied = [
    `max by (${INSTANCE}) (${now('process_start')} != ${previous('process_start')})`,
    `or ${total(now('sessions'))} < ${total(previous('sessions'))}`,
  ].join('\n');
  const increase = (quantity: keyof typeof QUANTITIES, by: string) => {
    const renewed = sel(INSTANCE_EMPTIED_RECORD);
    return [
      `sum by (namespace, job, ${by}) (`,
      `  ((${now(quantity)} - ${previous(quantity)}) or ${now(quantity)}) unless on (${INSTANCE}) ${renewed}`,
      `  or ${now(quantity)} and on (${INSTANCE}) ${renewed}`,
      `) != 0`,
    ].join('\n');
  };
  const dashboards = props.dashboards ?? [];
  return [
    {
      record: HELD_RECORD,
      expr: [
        ...Object.entries(QUANTITIES).map(([quantity, { metric, by }], i) =>
          `${i === 0 ? '' : 'or '}${withLabel(summed(metric, by), 'quantity', quantity)}`),
        `or ${withLabel(`max by (${INSTANCE}) (${scraped('process_start_time_seconds')})`, 'quantity', 'process_start')}`,
        // Not scraping successfully (failed scrapes, Prometheus restarted): hold the last values.
        `or (${last} unless on (${INSTANCE}) ${sel('up')} == 1)`,
        // Scraped, and the key is gone (its sessions moved, or the cache was emptied): 0, once.
        `or (last_over_time(${sel(HELD_RECORD, ',quantity!="process_start"')}[${lookback}]) != 0) * 0`,
      ].join('\n'),
    },
    {
      record: INSTANCE_EMPTIED_RECORD,
      // A new process, or fewer sessions than before in the same one: a flush.
      expr: `(\n${emptied.split('\n').map(l => `  ${l}`).join('\n')}\n) * 0 + 1`,
    },
    { record: VIEWS_PER_DASHBOARD_RECORD, expr: increase('sessions', 'dashboard_uid') },
    { record: VIEWS_PER_ROLE_RECORD, expr: increase('sessions', 'user_role') },
    { record: SECONDS_PER_DASHBOARD_RECORD, expr: increase('seconds', 'dashboard_uid') },
    { record: CACHE_EMPTIED_RECORD, expr: `count by (namespace, job) (${sel(INSTANCE_EMPTIED_RECORD)})` },
    ...(dashboards.length === 0 ? [] : [{
      record: DASHBOARD_INFO_RECORD,
      // The server's namespace and job, so that installations sharing a Prometheus keep their own lists.
      expr: withLabel(withLabel(
        `(\n${union(dashboards.map(d => withLabel(withLabel('vector(1)', 'dashboard_uid', d.uid), 'dashboard_name', d.title)))}\n)`,
        'namespace', props.server.namespace,
      ), 'job', props.server.job),
    }]),
  ];
}

/**
 * `a or b or ...` as a balanced tree: each `or` copies both sides, so a chain of n costs n^2 / 2
 * (500 dashboards: half a second an evaluation), a tree n log n.
 */
function union(exprs: readonly string[]): string {
  if (exprs.length === 1) return exprs[0];
  const half = Math.ceil(exprs.length / 2);
  const side = (part: readonly string[]) => (part.length === 1 ? part[0] : `(${union(part)})`);
  return `${side(exprs.slice(0, half))}\nor ${side(exprs.slice(half))}`;
}

/** The selector of a recorded series of one server. */
export function recorded(record: string, server: ServerSeries, extra = ''): string {
  return `${record}{namespace=${promString(server.namespace)},job=${promString(server.job)}${extra}}`;
}
