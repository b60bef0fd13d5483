import { RecordingServer, Reply, startRecordingServer } from './http';
import { Sandbox } from './sandbox';

/**
 * A stand-in for the analytics server (MacroPower/macropower-analytics-panel `server/`, tag
 * server-v0.0.1) that counts the way the real one does (DESIGN.md section 8):
 * - a session cache keyed by the beacon's `uuid`: a start adds a session (a second start for a
 *   cached uuid is ignored); a heartbeat or end (or an unknown `type`) stores its payload, so the
 *   session takes its labels, and adds a session when the uuid is not cached;
 * - at every scrape the counters are recomputed from the whole cache: a label set's series exists
 *   only while it has sessions, and its value is their number (so it appears at 1 or more);
 * - `/write` answers 201 before the beacon is processed, 400 for a body that is not JSON;
 * - a restart empties the cache and starts a new process: `process_start_time_seconds` changes
 *   and `grafana_analytics_exporter_scrapes_total` counts from 0 again; a flush (the cache exceeded
 *   `--max-cache-size`) empties the cache in the same process (cacher.go StartFlusher);
 * - its flags parse like the real server's (an unknown flag is an error, exit code 1), and
 *   `--disable-user-metrics` removes `user_login` and `user_name`.
 * Behind a network, as Prometheus meets it: /metrics can answer after a delay (the exposition
 * as of the request's arrival, like a slow proxy or link in front), and can fail for a while,
 * with a 5xx or by never answering (Prometheus gives up at its scrape timeout).
 * The duration of a session is its latest beacon's `time` minus its start: the start beacon's
 * `timeOrigin`, or the `time` of the beacon that created it. It is exposed only for label sets with
 * a session whose latest beacon is not a start, as the real server's tests show (a start-only
 * session has no duration series).
 */

/** A viewer as the panel reports one. */
export interface Viewer {
  readonly login: string;
  readonly name: string;
  readonly email: string;
  /** The role label the server derives (`admin`, `editor` or `user`). */
  readonly role: 'admin' | 'editor' | 'user';
}

export const VIEWERS: readonly Viewer[] = [
  { login: 'alice', name: 'Alice Liddell', email: 'alice@example.com', role: 'admin' },
  { login: 'bob', name: 'Bob Dylan', email: 'bob@example.com', role: 'editor' },
  { login: 'carol', name: 'Carol Shaw', email: 'carol@example.com', role: 'user' },
  { login: 'dave', name: 'Dave Brubeck', email: 'dave@example.com', role: 'user' },
];

export const DASHBOARDS: readonly { readonly name: string; readonly uid: string }[] = [
  { name: 'Kubernetes / Compute Resources / Cluster', uid: 'efa86fd1d0c121a26444b636a3f509a8' },
  { name: 'Node Exporter / Nodes', uid: '7d57716318ee0dddbac5a7f451fb7753' },
];

/** The identity labels the server emits with user metrics on (it has no `user_email` label). */
export const SERVER_IDENTITY_LABELS = ['user_login', 'user_name'] as const;

/** The beacon as plugin 2.1.0 posts it (`server/payload/payload.go`, JSON field names). */
export interface Payload {
  readonly uuid: string;
  readonly type: string;
  readonly hasFocus: boolean;
  readonly options: {
    readonly postStart: boolean; readonly postEnd: boolean; readonly postHeartbeat: boolean;
    readonly heartbeatInterval: number; readonly heartbeatAlways: boolean;
  };
  readonly host: {
    readonly hostname: string; readonly port: string; readonly protocol: string;
    readonly buildInfo: { readonly version: string; readonly commit: string; readonly env: string; readonly edition: string };
    readonly licenseInfo: { readonly hasLicense: boolean; readonly expiry: number; readonly stateInfo: string };
  };
  readonly dashboard: { readonly name: string; readonly uid: string };
  readonly user: {
    readonly isSignedIn: boolean; readonly id: number; readonly login: string; readonly email: string; readonly name: string;
    readonly lightTheme: boolean; readonly orgCount: number; readonly orgId: number; readonly orgName: string; readonly orgRole: string;
    readonly isGrafanaAdmin: boolean; readonly timezone: string; readonly locale: string; readonly hasEditPermissionInFolders: boolean;
  };
  readonly variables: readonly {
    readonly name: string;
    readonly label: string;
    readonly type: string;
    readonly multi: boolean;
    readonly values: readonly unknown[];
  }[];
  readonly timeRange: { readonly from: string; readonly to: string; readonly raw: { readonly from: string; readonly to: string } };
  readonly timeZone: string;
  readonly timeOrigin: number;
  /** Unix seconds. */
  readonly time: number;
}

/** The real server's flags (kingpin: `--flag=value` or `--flag value`; booleans also `--no-flag`). */
const VALUE_FLAGS = ['http-address', 'session-timeout', 'max-cache-size', 'log-format'];
const BOOL_FLAGS = ['log-raw', 'disable-user-metrics', 'disable-session-log', 'disable-variable-log'];

export interface ServerFlags {
  readonly disableUserMetrics: boolean;
  readonly maxCacheSize: number;
}

/** Thrown for arguments the real server refuses: it prints the error and exits with `exitCode`. */
export class FlagError extends Error {
  readonly exitCode = 1;
}

/** Parses the server's command line as the real server does; unknown flags and bad values throw FlagError. */
export function parseServerArgs(args: readonly string[]): ServerFlags {
  const values: Record<string, string> = {};
  const bools: Record<string, boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const m = /^--(no-)?([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new FlagError(`analytics-server: error: unexpected ${arg}, try --help`);
    const [, no, name, inline] = m;
    if (BOOL_FLAGS.includes(name) && inline === undefined) {
      bools[name] = no === undefined;
    } else if (VALUE_FLAGS.includes(name) && no === undefined) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new FlagError(`analytics-server: error: expected argument for flag --${name}`);
      values[name] = value;
    } else {
      throw new FlagError(`analytics-server: error: unknown long flag '${arg.split('=')[0]}', try --help`);
    }
  }
  const maxCacheSize = values['max-cache-size'] === undefined ? 100000 : Number(values['max-cache-size']);
  if (!Number.isInteger(maxCacheSize)) throw new FlagError(`analytics-server: error: invalid value for --max-cache-size: `
    + `${values['max-cache-size']}`);
  if (values['log-format'] !== undefined && !['logfmt', 'json'].includes(values['log-format'])) {
    throw new FlagError(`analytics-server: error: invalid log format ${values['log-format']}`);
  }
  return { disableUserMetrics: bools['disable-user-metrics'] ?? false, maxCacheSize };
}

/** The labels the server derives from a payload, in its label order. */
export function payloadLabels(p: Payload, flags: Pick<ServerFlags, 'disableUserMetrics'>, emitUserEmail = false): [string, string][] {
  const role = p.user.isGrafanaAdmin ? 'admin' : p.user.hasEditPermissionInFolders ? 'editor' : 'user';
  return [
    ['grafana_host', `${p.host.hostname}:${p.host.port}`],
    ['grafana_env', p.host.buildInfo.env],
    ['dashboard_name', p.dashboard.name],
    ['dashboard_uid', p.dashboard.uid],
    ['dashboard_timezone', p.timeZone],
    ...(flags.disableUserMetrics ? [] : [['user_login', p.user.login], ['user_name', p.user.name]] as [string, string][]),
    ...(emitUserEmail ? [['user_email', p.user.email] as [string, string]] : []),
    ['user_theme', p.user.lightTheme ? 'light' : 'dark'],
    ['user_timezone', p.user.timezone],
    ['user_locale', p.user.locale],
    ['user_role', role],
  ];
}

export interface FakeAnalyticsServerOptions {
  /**
   * The server's command line: the synthesized Deployment's args, for instance.
   * @default [] (user metrics on)
   */
  readonly args?: readonly string[];
  /**
   * Also put `user_email` on the session series. The real server has no such label (DESIGN.md
   * section 1); a future one might, and the privacy relabel claims to drop it, so the privacy
   * suite proves that claim too.
   * @default false
   */
  readonly emitUserEmail?: boolean;
}

interface Session {
  /** Unix seconds. */
  readonly start: number;
  latest: Payload;
}

export interface FakeAnalyticsServer extends RecordingServer {
  readonly flags: ServerFlags;
  /** Resolves once every beacon answered so far is processed (the real server's channel drained). */
  settled(): Promise<void>;
  /** Kills and restarts the process: empty cache, new start time, counters from 0. */
  restart(): void;
  /** How many times the cache was flushed for exceeding --max-cache-size. */
  readonly flushes: number;
  /** Sessions in the cache right now. */
  readonly sessions: number;
  /** The exposition the next scrape would get, without counting as a scrape. */
  peek(): string;
  /** Milliseconds /metrics answers after a request arrived (0: at once). */
  metricsDelayMs: number;
  /** How /metrics fails, until set back to undefined: a 503, or no answer at all. */
  metricsFailure: 'status-503' | 'no-answer' | undefined;
  /** /metrics requests that failed so far. */
  readonly failedScrapes: number;
}

/** Starts the fake server on a loopback port; rejects with FlagError for arguments the real server refuses. */
export async function startFakeAnalyticsServer(sandbox: Sandbox, options: FakeAnalyticsServerOptions = {}): Promise<FakeAnalyticsServer> {
  const flags = parseServerArgs(options.args ?? []);
  const emitUserEmail = options.emitUserEmail ?? false;
  let cache = new Map<string, Session>();
  let scrapes = 0;
  let startTime = 0;
  let flushes = 0;
  let pending: Promise<void> = Promise.resolve();
  let failedScrapes = 0;
  const network = { metricsDelayMs: 0, metricsFailure: undefined as FakeAnalyticsServer['metricsFailure'] };
  const newProcess = () => {
    cache = new Map();
    scrapes = 0;
    // Strictly increasing even for two starts within a millisecond, as /proc's ticks are for real.
    startTime = Math.max(Date.now() / 1000, startTime + 0.01);
  };
  newProcess();

  const receive = (p: Payload) => {
    const known = cache.get(p.uuid);
    if (!known) cache.set(p.uuid, { start: p.type === 'start' ? p.timeOrigin : p.time, latest: p });
    else if (p.type !== 'start') known.latest = p;
    // The real server checks every second and flushes the whole cache, the process goes on.
    if (cache.size > flags.maxCacheSize) {
      flushes += 1;
      cache = new Map();
    }
  };

  const exposition = (): string => {
    const sessions = new Map<string, { labels: string; count: number; seconds: number; timed: boolean }>();
    for (const s of cache.values()) {
      const labels = payloadLabels(s.latest, flags, emitUserEmail).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      const entry = sessions.get(labels) ?? { labels, count: 0, seconds: 0, timed: false };
      entry.count += 1;
      if (s.latest.type !== 'start') {
        entry.timed = true;
        entry.seconds += s.latest.time - s.start;
      }
      sessions.set(labels, entry);
    }
    const entries = [...sessions.values()];
    return [
      '# HELP grafana_analytics_sessions_total Number of sessions.',
      '# TYPE grafana_analytics_sessions_total counter',
      ...entries.map(e => `grafana_analytics_sessions_total{${e.labels}} ${e.count}`),
      '# HELP grafana_analytics_sessions_duration_seconds_total Duration of sessions.',
      '# TYPE grafana_analytics_sessions_duration_seconds_total counter',
      ...entries.filter(e => e.timed).map(e => `grafana_analytics_sessions_duration_seconds_total{${e.labels}} ${e.seconds}`),
      '# HELP grafana_analytics_up Was the last scrape successful.',
      '# TYPE grafana_analytics_up gauge',
      'grafana_analytics_up 1',
      '# HELP grafana_analytics_exporter_scrapes_total Number of scrapes.',
      '# TYPE grafana_analytics_exporter_scrapes_total counter',
      `grafana_analytics_exporter_scrapes_total ${scrapes}`,
      '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.',
      '# TYPE process_start_time_seconds gauge',
      `process_start_time_seconds ${startTime.toFixed(2)}`,
      '',
    ].join('\n');
  };

  const server = await startRecordingServer(sandbox, req => {
    const pathname = new URL(req.url, 'http://server').pathname;
    if (pathname === '/write') {
      let payload: Payload;
      try {
        payload = JSON.parse(req.body.toString('utf8')) as Payload;
      } catch {
        return { status: 400, body: 'invalid payload' };
      }
      // Answered first, processed after (the real server's buffered channel).
      pending = pending.then(() => new Promise<void>(resolve => setImmediate(() => {
        receive(payload);
        resolve();
      })));
      return { status: 201 };
    }
    if (pathname === '/metrics') {
      if (network.metricsFailure !== undefined) {
        failedScrapes += 1;
        if (network.metricsFailure === 'no-answer') return new Promise<undefined>(() => undefined);
        return { status: 503, body: 'upstream unavailable\n' };
      }
      scrapes += 1;
      const reply = { status: 200, headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }, body: exposition() };
      if (network.metricsDelayMs === 0) return reply;
      return new Promise<Reply>(resolve => setTimeout(() => resolve(reply), network.metricsDelayMs));
    }
    return { status: 404, body: '404 page not found\n' };
  });
  return {
    ...server,
    flags,
    settled: () => pending,
    restart: newProcess,
    get flushes() { return flushes; },
    get sessions() { return cache.size; },
    peek: exposition,
    get metricsDelayMs() { return network.metricsDelayMs; },
    set metricsDelayMs(ms: number) { network.metricsDelayMs = ms; },
    get metricsFailure() { return network.metricsFailure; },
    set metricsFailure(f: FakeAnalyticsServer['metricsFailure']) { network.metricsFailure = f; },
    get failedScrapes() { return failedScrapes; },
  };
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
