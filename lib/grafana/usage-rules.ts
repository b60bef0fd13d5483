/**
 * The recording rules that turn the analytics server's session counters into views counted once
 * each, and the names the usage dashboard and the alerts read them by.
 *
 * Why not `increase()`: the server recomputes its counters from its session cache at every
 * scrape, so a label set's series is born at the number of its sessions (>= 1), and `increase()`
 * counts a series from its first sample: a new dashboard, role, theme or locale loses its first
 * views. A restart or a flush empties the cache. So the rules compare each scrape with the one
 * before, one scrape interval earlier (`offset`, instant vectors: the same under Prometheus 2.x
 * and 3.x range semantics), per server instance and per group (dashboard, role):
 * - the cache went on (same process, its session total did not drop): views = the group's change,
 *   a group that appeared counts whole, one that vanished (its sessions moved to another group)
 *   counts negative, so a session counts once, in the group of its latest labels;
 * - the cache was emptied (a new process, or the total dropped: a flush) or the instance is seen for
 *   the first time: views = every session in the cache, all of them new since.
 * Both need the scrapes at t and t - interval to have succeeded; an interval after a failed scrape
 * records nothing (its views are lost, never counted twice).
 */
import { DURATION_METRIC, promString, SESSIONS_METRIC } from './metrics';

/** Views first scraped in each interval, per dashboard (`dashboard_uid` is the dashboard's key). */
export const VIEWS_PER_DASHBOARD_RECORD = 'dashboard_uid:grafana_analytics_views:new';
/** Views first scraped in each interval, per viewer role. */
export const VIEWS_PER_ROLE_RECORD = 'user_role:grafana_analytics_views:new';
/** Session seconds first scraped in each interval, per dashboard. */
export const SECONDS_PER_DASHBOARD_RECORD = 'dashboard_uid:grafana_analytics_session_seconds:new';
/** 1 per server instance whose cache was emptied (restart or flush) in the interval. */
export const CACHE_EMPTIED_RECORD = 'job:grafana_analytics_cache_emptied:count';
/** Per instance: 1 when the cache went on since the previous scrape. */
export const CACHE_KEPT_RECORD = 'instance:grafana_analytics_cache_kept:bool';
/** Per instance: 1 when every cached session is new since the previous scrape. */
export const CACHE_NEW_RECORD = 'instance:grafana_analytics_cache_new:bool';

/**
 * How far back a restart is told from failed scrapes: a server unseen longer counts as new. An
 * hour, or four scrape intervals when they are longer.
 */
export function processLookback(interval: string): string {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  const seconds = [...interval.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)].reduce((n, [, v, u]) => n + Number(v) * units[u], 0);
  return 4 * seconds > 3600 ? `${Math.ceil(4 * seconds)}s` : '1h';
}

const INSTANCE = 'namespace, job, instance';

export interface UsageRulesProps {
  /** PromQL matchers (no braces) of the server's series: its `namespace` and `job`. */
  readonly server: string;
  /** The scrape interval, which is also the rules' evaluation interval. */
  readonly interval: string;
  /**
   * Grafana is served under a sub-path: the plugin's `dashboard_uid` is then a path segment
   * (`d`), and the dashboard's key is its `dashboard_name` (the literal uid for provisioned ones).
   */
  readonly subPath: boolean;
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** The selector of `metric` at the current step, or one interval earlier. */
function at(metric: string, props: UsageRulesProps, earlier: boolean): string {
  return `${metric}{${props.server}}${earlier ? ` offset ${props.interval}` : ''}`;
}

/** The server's series with `dashboard_uid` replaced by the key the rules count by. */
function keyed(metric: string, props: UsageRulesProps, earlier: boolean): string {
  const sel = at(metric, props, earlier);
  return props.subPath ? `label_replace(${sel}, "dashboard_uid", "$1", "dashboard_name", "(.*)")` : sel;
}

/** Sessions in the cache per instance, 0 when a successful scrape found none, absent when the scrape failed. */
function cached(props: UsageRulesProps, earlier: boolean): string {
  return `(sum by (${INSTANCE}) (${at(SESSIONS_METRIC, props, earlier)}) or sum by (${INSTANCE}) (${at('up', props, earlier)} == 1) * 0)`;
}

/** Views (or seconds) first scraped in the interval, per instance and `by` group. */
function fresh(metric: string, by: string, props: UsageRulesProps): string {
  const now = `sum by (${INSTANCE}, ${by}) (${keyed(metric, props, false)})`;
  const before = `sum by (${INSTANCE}, ${by}) (${keyed(metric, props, true)})`;
  const kept = `${CACHE_KEPT_RECORD}{${props.server}}`;
  const renewed = `${CACHE_NEW_RECORD}{${props.server}}`;
  return [
    `(`,
    `  ((${now} - ${before}) or (${now} unless ${before}) or (-${before} unless ${now}))`,
    `  and on (${INSTANCE}) ${kept}`,
    `)`,
    `or (${now} and on (${INSTANCE}) ${renewed})`,
  ].join('\n');
}

/** The recording rules, in evaluation order (later rules read earlier ones at the same step). */
export function usageRecordingRules(props: UsageRulesProps): RecordingRule[] {
  const start = (earlier: boolean) => `max by (${INSTANCE}) (${at('process_start_time_seconds', props, earlier)})`;
  const lastStart = `max by (${INSTANCE}) (last_over_time(process_start_time_seconds{${props.server}}[${processLookback(props.interval)}] offset `
    + `${props.interval}))`;
  const sameProcess = `(${start(false)} == ${lastStart})`;
  const flushed = `(${cached(props, false)} < ${cached(props, true)})`;
  const sum = (record: string, expr: string, by: string) => ({
    record,
    expr: `sum by (namespace, job, ${by}) (\n${expr.split('\n').map(l => `  ${l}`).join('\n')}\n) != 0`,
  });
  return [
    {
      record: CACHE_KEPT_RECORD,
      expr: `((${cached(props, false)} >= ${cached(props, true)}) and on (${INSTANCE}) ${sameProcess})\n* 0 + 1`,
    },
    {
      record: CACHE_NEW_RECORD,
      expr: `(${start(false)} unless on (${INSTANCE}) ${sameProcess} or on (${INSTANCE}) ${flushed})\n* 0 + 1`,
    },
    {
      record: CACHE_EMPTIED_RECORD,
      // A new process where one ran before, or a flush: not the first sight of an instance.
      expr: `count by (namespace, job) (\n  (${start(false)} != ${lastStart})\n  or on (${INSTANCE}) ${flushed}\n)`,
    },
    sum(VIEWS_PER_DASHBOARD_RECORD, fresh(SESSIONS_METRIC, 'dashboard_uid', props), 'dashboard_uid'),
    sum(VIEWS_PER_ROLE_RECORD, fresh(SESSIONS_METRIC, 'user_role', props), 'user_role'),
    sum(SECONDS_PER_DASHBOARD_RECORD, fresh(DURATION_METRIC, 'dashboard_uid', props), 'dashboard_uid'),
  ];
}

/** The selector of a recorded series of one server. */
export function recorded(record: string, server: { readonly namespace: string; readonly job: string }): string {
  return `${record}{namespace=${promString(server.namespace)}, job=${promString(server.job)}}`;
}
