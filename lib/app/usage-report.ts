/**
 * The usage report: per installation, every provisioned dashboard with its views, time spent and
 * last view, the dashboards seen but not provisioned, restarts and flushes, and whether the server
 * was scraped at all, from the Prometheus that scrapes it, with the usage dashboard's own queries.
 * `grafana-analytics-usage` (usage-cli.ts) prints it; this is the library function behind it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { prometheusDurationMs } from '../config/consumer-values';
import { ConfigError, ConfigProblem, quote } from '../config/problems';
import { PROMETHEUS_DURATION } from '../config/internal/schema-parts';
import { AnalyticsConfig, ResolvedInstallation } from '../config/schema';
import { analyticsServerName } from '../constructs';
import { firstScrapeQuery, lastViewedQuery, usageDashboardUid, usageQueries } from '../grafana';
import { resolveAnalyticsConfig } from './load';
import { PrometheusEndpoint, PrometheusQueryError, queryInstant, Sample } from './prometheus-client';

export interface UsageReportOptions {
  /** The report's range, a Prometheus duration ending at `time`. @default '30d' */
  readonly range?: string;
  /** Query this URL for every installation instead of its `prometheus.url`. @default - each installation's */
  readonly prometheus?: string;
  /** Report only these installations (by name). @default - every installation */
  readonly installations?: readonly string[];
  /**
   * The gate: name every provisioned dashboard without a view in this duration (`unused`), where
   * the installation's data covers it (`history`).
   * @default - no gate
   */
  readonly unusedFor?: string;
  /** Apply the gate to the data there is where it does not cover `unusedFor`. @default false */
  readonly allowShortHistory?: boolean;
  /**
   * The config file the config was read from: relative dashboard, token and CA files are
   * relative to its folder.
   * @default - the working directory
   */
  readonly configFile?: string;
  /** Queries in flight at once, over every installation. @default 4 */
  readonly concurrency?: number;
  /** Deadline of each query, in milliseconds. @default 60000 */
  readonly timeoutMs?: number;
  /** The end of the range. @default - now */
  readonly time?: Date;
  /** Called as installations finish. @default - silent */
  readonly progress?: (done: number, total: number) => void;
}

/** A dashboard the config provisions. */
export interface DashboardUsage {
  readonly uid: string;
  readonly title: string;
  /** Its file as the config lists it. */
  readonly file: string;
  /** Where the config lists it: `installations[i].dashboards[j]` or `defaults.dashboards[j]`. */
  readonly configPath: string;
  /** Views in the range; null when the server was not scraped in it (unknown, not 0). */
  readonly views: number | null;
  /** Seconds viewers spent on it in the range; null when not scraped. */
  readonly sessionSeconds: number | null;
  /** RFC 3339 time by which it was last viewed, to the rule interval (at most one interval late); null: no view in the range. */
  readonly lastViewed: string | null;
}

/** A dashboard seen by the server that neither the config nor the library provisions. */
export interface UnlistedDashboard {
  /** Its uid; null under a sub-path, where the plugin reports a path segment instead (then `title` is its key). */
  readonly uid: string | null;
  readonly title: string;
  readonly views: number;
}

/** Whether the data covers the gate's duration: from the job's first `up` sample. */
export interface HistoryCoverage {
  /** RFC 3339 time of the first `up` sample found (to the search step); null: none. */
  readonly dataSince: string | null;
  /** True when the data starts at or before the gate's duration. */
  readonly sufficient: boolean;
}

export interface InstallationUsage {
  readonly name: string;
  readonly cluster: string | null;
  /** The query URL used; null when none could be built (see `error`). */
  readonly prometheus: string | null;
  /** At least one successful scrape of the server in the range; null when Prometheus did not answer. */
  readonly scraped: boolean | null;
  /** Why not scraped: no target at all, or every scrape failed. */
  readonly scrapeProblem?: 'no target' | 'every scrape failed';
  readonly dashboards: readonly DashboardUsage[];
  /** The installation's own usage dashboard (the library provisions it, so the gate skips it). */
  readonly usageDashboard: { readonly uid: string; readonly views: number | null };
  readonly unlisted: readonly UnlistedDashboard[];
  /** Restarts and cache flushes of the server in the range; null when unknown. */
  readonly restartsAndFlushes: number | null;
  /** What went wrong asking Prometheus, one line; the figures are then null or empty. */
  readonly error?: string;
  /** With `unusedFor`: whether the data covers it. */
  readonly history?: HistoryCoverage;
  /** With `unusedFor`: the provisioned dashboards without a view in it (unless the history is insufficient and not allowed). */
  readonly unused?: readonly DashboardUsage[];
}

export interface UsageReport {
  readonly range: string;
  /** RFC 3339 end of the range. */
  readonly time: string;
  readonly unusedFor?: string;
  readonly installations: readonly InstallationUsage[];
}

/** Whether a report passes: 0 fine, 2 Prometheus did not answer or history is short, 3 a dashboard unused (2 wins). */
export function usageReportExitCode(report: UsageReport, allowShortHistory = false): 0 | 2 | 3 {
  if (report.installations.some(i => i.error !== undefined || (i.history && !i.history.sufficient && !allowShortHistory))) return 2;
  return report.installations.some(i => (i.unused?.length ?? 0) > 0) ? 3 : 0;
}

const DEFAULT_RANGE = '30d';
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_TIMEOUT_MS = 60_000;
/** Finest and coarsest step of the first-scrape search; about this many steps cover the gate's duration. */
const MAX_HISTORY_STEP_SECONDS = 300;
const HISTORY_STEPS = 2000;
/** Most subquery steps of "last viewed": beyond, each step covers several rule intervals (1s rules over 30d: 26 s). */
const MAX_LAST_VIEWED_STEPS = 100_000;

/**
 * The report for a config written in code or parsed from YAML (validated and resolved as synth
 * does: throws ConfigError), querying each installation's Prometheus. A Prometheus that does not
 * answer is reported in that installation's `error`, never thrown.
 */
export async function usageReport(config: AnalyticsConfig, options: UsageReportOptions = {}): Promise<UsageReport> {
  const range = options.range ?? DEFAULT_RANGE;
  checkOptions(config, options, range);
  const { installations } = resolveAnalyticsConfig(config, options.configFile);
  const chosen = installations
    .map((inst, i) => ({ inst, i, url: options.prometheus ?? inst.prometheus?.url }))
    .filter(({ inst }) => options.installations === undefined || options.installations.includes(inst.name));
  const targets = chosen.flatMap(({ url, ...c }) => (url === undefined ? [] : [{ ...c, url }]));
  const missingUrl: ConfigProblem[] = chosen
    .filter(({ url }) => url === undefined)
    .map(({ i }) => ({
      path: `installations[${i}].prometheus.url`,
      message: 'is required by the usage report; allowed: the query URL of the Prometheus that scrapes this installation (here or under defaults), '
        + 'or --prometheus',
    }));
  if (missingUrl.length > 0) throw new ConfigError(missingUrl, options.configFile);
  const time = Math.floor((options.time ?? new Date()).getTime() / 1000);
  const limit = concurrencyLimit(options.concurrency ?? DEFAULT_CONCURRENCY);
  const base = options.configFile ? path.dirname(path.resolve(options.configFile)) : process.cwd();
  let done = 0;
  const reports = await Promise.all(targets.map(async ({ inst, i, url }) => {
    const report = await installationUsage(config, inst, i, url, { ...options, range, time, limit, base });
    options.progress?.(++done, targets.length);
    return report;
  }));
  return {
    range,
    time: rfc3339(time),
    ...(options.unusedFor !== undefined ? { unusedFor: options.unusedFor } : {}),
    installations: reports,
  };
}

/** The options' own mistakes, reported like config problems (exit code 1). */
function checkOptions(config: AnalyticsConfig, options: UsageReportOptions, range: string): void {
  const problems: ConfigProblem[] = [];
  const duration = (name: string, value: string | undefined) => {
    if (value === undefined) return;
    if (!new RegExp(PROMETHEUS_DURATION).test(value) || prometheusDurationMs(value) === 0n) {
      problems.push({ path: name, message: `got ${quote(value)}; allowed: a non-zero Prometheus duration such as 30d or 12h` });
    } else if (prometheusDurationMs(value) % 1000n !== 0n) {
      problems.push({ path: name, message: `got ${quote(value)}; allowed: whole seconds` });
    }
  };
  duration('--range', range);
  duration('--unused-for', options.unusedFor);
  if (options.prometheus !== undefined && !/^https?:\/\/[^\s?#]+$/.test(options.prometheus)) {
    problems.push({
      path: '--prometheus', message: `got ${quote(options.prometheus)}; allowed: an http:// or https:// URL without query or fragment`,
    });
  }
  const names = new Set((Array.isArray(config?.installations) ? config.installations : []).map(i => i?.name));
  for (const name of options.installations ?? []) {
    if (!names.has(name)) {
      const allowed = `the name of an installation of the config (${[...names].join(', ')})`;
      problems.push({ path: '--installation', message: `got ${quote(name)}; allowed: ${allowed}` });
    }
  }
  if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
    problems.push({ path: 'concurrency', message: `got ${quote(options.concurrency)}; allowed: a positive integer` });
  }
  if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
    problems.push({ path: 'timeout', message: `got ${quote(options.timeoutMs)}; allowed: a positive duration` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

interface Context extends Omit<UsageReportOptions, 'time'> {
  readonly range: string;
  /** Unix seconds. */
  readonly time: number;
  readonly limit: <T>(task: () => Promise<T>) => Promise<T>;
  readonly base: string;
}

/** The queries of one installation over `range`: the usage dashboard's own, and the report's. */
function reportQueries(inst: ResolvedInstallation, range: string, lastViewedStep: string) {
  const server = { namespace: inst.namespace, job: analyticsServerName(inst.name) };
  const panels = usageQueries({ server, usageDashboardUid: usageDashboardUid(inst.name), range, step: lastViewedStep });
  return {
    server,
    /** Those the report reads, each evaluated at the range's end. */
    asked: {
      views: panels.viewsPerDashboard,
      sessionSeconds: panels.timeSpent,
      neverViewed: panels.neverViewed,
      restartsAndFlushes: panels.restarts,
      scraped: panels.scraped,
      unlisted: panels.unlisted,
      lastViewed: lastViewedQuery({ server, usageDashboardUid: usageDashboardUid(inst.name), range, step: lastViewedStep }),
    },
  };
}

async function installationUsage(
  config: AnalyticsConfig, inst: ResolvedInstallation, index: number, url: string, ctx: Context,
): Promise<InstallationUsage> {
  const listedHere = Array.isArray(config.installations[index].dashboards);
  const listed = (listedHere ? config.installations[index].dashboards : config.defaults?.dashboards) ?? [];
  const provisioned = inst.dashboards.map((d, j) => ({
    uid: d.dashboard.uid,
    title: d.dashboard.title,
    file: listed[j] ?? d.file,
    configPath: listedHere ? `installations[${index}].dashboards[${j}]` : `defaults.dashboards[${j}]`,
  }));
  const usageUid = usageDashboardUid(inst.name);
  const failed = (error: string): InstallationUsage => ({
    name: inst.name,
    cluster: inst.cluster ?? null,
    prometheus: url,
    scraped: null,
    dashboards: provisioned.map(d => ({ ...d, views: null, sessionSeconds: null, lastViewed: null })),
    usageDashboard: { uid: usageUid, views: null },
    unlisted: [],
    restartsAndFlushes: null,
    error,
  });
  let endpoint: PrometheusEndpoint;
  try {
    endpoint = endpointOf(url, inst, ctx.base);
  } catch (e) {
    return failed((e as Error).message);
  }
  const interval = Math.max(1, Number(prometheusDurationMs(inst.serviceMonitor.interval) / 1000n));
  const rangeSeconds = Number(prometheusDurationMs(ctx.range) / 1000n);
  const lastViewedStep = `${Math.max(interval, Math.ceil(rangeSeconds / MAX_LAST_VIEWED_STEPS))}s`;
  const ask = (expr: string) => ctx.limit(() => queryInstant(endpoint, expr, ctx.time, ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS));
  try {
    const { asked } = reportQueries(inst, ctx.range, lastViewedStep);
    const names = Object.keys(asked) as (keyof typeof asked)[];
    const answers = await Promise.all(names.map(n => ask(asked[n])));
    const got = Object.fromEntries(names.map((n, k) => [n, answers[k]])) as Record<keyof typeof asked, Sample[]>;
    const gate = ctx.unusedFor === undefined ? undefined : await unusedDashboards(inst, interval, ctx, ask, provisioned);
    // The share of successful scrapes: none at all is no target, 0 every scrape failed.
    const up = got.scraped[0]?.value;
    const scraped = up !== undefined && up > 0;
    const byKey = (samples: readonly Sample[]) => new Map(samples.map(s => [s.metric.dashboard_uid, s.value]));
    const views = byKey(got.views);
    const seconds = byKey(got.sessionSeconds);
    const last = byKey(got.lastViewed);
    const figure = (value: number | undefined, round: (n: number) => number) => (scraped ? round(value ?? 0) : null);
    return {
      name: inst.name,
      cluster: inst.cluster ?? null,
      prometheus: url,
      scraped,
      ...(scraped ? {} : { scrapeProblem: up === undefined ? 'no target' as const : 'every scrape failed' as const }),
      dashboards: provisioned.map(d => ({
        ...d,
        views: figure(views.get(d.uid), Math.round),
        sessionSeconds: figure(seconds.get(d.uid), n => Math.round(n * 1000) / 1000),
        lastViewed: last.has(d.uid) ? rfc3339(last.get(d.uid) as number) : null,
      })),
      usageDashboard: { uid: usageUid, views: figure(views.get(usageUid), Math.round) },
      // Under a sub-path the key is the dashboard's name (the plugin cannot tell its uid).
      unlisted: got.unlisted
        .map(s => ({ uid: inst.grafana.subPath === '/' ? s.metric.dashboard_uid : null, title: s.metric.dashboard_uid, views: Math.round(s.value) }))
        .filter(u => u.views > 0)
        .sort((a, b) => b.views - a.views || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0)),
      restartsAndFlushes: figure(got.restartsAndFlushes[0]?.value, Math.round),
      ...gate,
    };
  } catch (e) {
    if (e instanceof PrometheusQueryError) return failed(e.message);
    throw e;
  }
}

/**
 * The gate of one installation: the never-viewed panel's query over `unusedFor`, where the first
 * `up` sample shows the data covers it (or short history is allowed).
 */
async function unusedDashboards(
  inst: ResolvedInstallation, interval: number, ctx: Context, ask: (expr: string) => Promise<Sample[]>,
  provisioned: readonly Omit<DashboardUsage, 'views' | 'sessionSeconds' | 'lastViewed'>[],
): Promise<Pick<InstallationUsage, 'history' | 'unused'>> {
  const duration = Number(prometheusDurationMs(ctx.unusedFor as string) / 1000n);
  const step = Math.min(MAX_HISTORY_STEP_SECONDS, Math.max(interval, Math.ceil(duration / HISTORY_STEPS)));
  // Searching a little before the duration tells "data since before it" from "since just after".
  const window = duration + Math.max(10 * step, Math.ceil(duration / 10));
  const { server, asked } = reportQueries(inst, ctx.unusedFor as string, `${interval}s`);
  const [first] = await ask(firstScrapeQuery(server, `${window}s`, `${step}s`));
  const history = { dataSince: first ? rfc3339(first.value) : null, sufficient: first !== undefined && first.value <= ctx.time - duration };
  if (first === undefined || (!history.sufficient && !ctx.allowShortHistory)) return { history };
  const never = new Set((await ask(asked.neverViewed)).map(s => s.metric.dashboard_uid));
  const views = new Map((await ask(asked.views)).map(s => [s.metric.dashboard_uid, s.value]));
  return {
    history,
    unused: provisioned
      .filter(d => never.has(d.uid))
      .map(d => ({ ...d, views: Math.round(views.get(d.uid) ?? 0), sessionSeconds: null, lastViewed: null })),
  };
}

function endpointOf(url: string, inst: ResolvedInstallation, base: string): PrometheusEndpoint {
  const read = (key: 'bearerTokenFile' | 'caFile') => {
    const file = inst.prometheus?.[key];
    if (file === undefined) return undefined;
    const where = path.resolve(base, file);
    try {
      return fs.readFileSync(where);
    } catch (e) {
      throw new Error(`${url}: cannot read prometheus.${key} ${where}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const token = read('bearerTokenFile')?.toString('utf8').trim();
  const ca = read('caFile');
  return {
    url,
    headers: inst.prometheus?.headers ?? {},
    ...(token !== undefined ? { bearerToken: token } : {}),
    ...(ca !== undefined ? { ca } : {}),
  };
}

/** Runs at most `n` tasks at once, in the order they are handed in. */
function concurrencyLimit(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async task => {
    // A finished task hands its slot to the next in line, so none can slip in between.
    if (running >= n) await new Promise<void>(resolve => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** Unix seconds as RFC 3339 in UTC, to the second. */
function rfc3339(seconds: number): string {
  return new Date(Math.round(seconds) * 1000).toISOString().replace('.000Z', 'Z');
}
