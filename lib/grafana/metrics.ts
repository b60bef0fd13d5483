/**
 * The analytics server's metric names and the PromQL helpers that both the usage dashboard and
 * the alert rules build their queries with.
 */

/** The server's metric names (MacroPower/macropower-analytics-panel, server/collector). */
export const SESSIONS_METRIC = 'grafana_analytics_sessions_total';
export const DURATION_METRIC = 'grafana_analytics_sessions_duration_seconds_total';

/** A PromQL double-quoted string literal (PromQL accepts Go's escapes, which JSON's are a subset of). */
export function promString(value: string): string {
  return JSON.stringify(value);
}
