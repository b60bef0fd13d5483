import { RecordingServer, startRecordingServer } from './http';
import { Sandbox } from './sandbox';

/** A viewer as the panel reports one. */
export interface Viewer {
  readonly login: string;
  readonly name: string;
  readonly email: string;
  /** The role label the server derives (`admin`, `editor` or `user`). */
  readonly role: string;
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

export interface FakeAnalyticsServerOptions {
  /**
   * Also put `user_email` on the session series. The real server has no such label (DESIGN.md
   * section 1); a future one might, and the privacy relabel claims to drop it, so the privacy
   * suite proves that claim too.
   * @default false
   */
  readonly emitUserEmail?: boolean;
}

/**
 * The analytics server as it behaves with user metrics on (no `--disable-user-metrics`):
 * `/write` takes a JSON beacon (201, or 400 for a bad body) and `/metrics` exposes the session
 * counters with the server's real label set, one series per viewer and dashboard. Everything it
 * receives is recorded, so a test can prove what never reached it.
 */
export async function startFakeAnalyticsServer(sandbox: Sandbox, options: FakeAnalyticsServerOptions = {}): Promise<RecordingServer> {
  let scrapes = 0;
  return startRecordingServer(sandbox, req => {
    const pathname = new URL(req.url, 'http://server').pathname;
    if (pathname === '/write') {
      try {
        JSON.parse(req.body.toString('utf8'));
        return { status: 201 };
      } catch {
        return { status: 400, body: 'invalid payload' };
      }
    }
    if (pathname === '/metrics') {
      scrapes += 1;
      return {
        status: 200,
        headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' },
        body: exposition(scrapes, options.emitUserEmail ?? false),
      };
    }
    return { status: 404, body: '404 page not found\n' };
  });
}

/** Label names and values of one session series, in the server's label order. */
export function sessionLabels(viewer: Viewer, dashboard: { name: string; uid: string }, emitUserEmail: boolean): [string, string][] {
  return [
    ['grafana_host', 'grafana.example.com:443'],
    ['grafana_env', 'production'],
    ['dashboard_name', dashboard.name],
    ['dashboard_uid', dashboard.uid],
    ['dashboard_timezone', 'utc'],
    ['user_login', viewer.login],
    ['user_name', viewer.name],
    ...(emitUserEmail ? [['user_email', viewer.email] as [string, string]] : []),
    ['user_theme', 'dark'],
    ['user_timezone', 'browser'],
    ['user_locale', 'en-US'],
    ['user_role', viewer.role],
  ];
}

function exposition(scrapes: number, emitUserEmail: boolean): string {
  const series = (name: string, value: (i: number) => number) => VIEWERS.flatMap((viewer, v) => DASHBOARDS.map((dashboard, d) => {
    const labels = sessionLabels(viewer, dashboard, emitUserEmail).map(([k, val]) => `${k}="${escapeLabel(val)}"`).join(',');
    return `${name}{${labels}} ${value(v * DASHBOARDS.length + d)}`;
  }));
  return [
    '# HELP grafana_analytics_sessions_total Number of sessions.',
    '# TYPE grafana_analytics_sessions_total counter',
    ...series('grafana_analytics_sessions_total', i => (i + 1) * scrapes),
    '# HELP grafana_analytics_sessions_duration_seconds_total Duration of sessions.',
    '# TYPE grafana_analytics_sessions_duration_seconds_total counter',
    ...series('grafana_analytics_sessions_duration_seconds_total', i => (i + 1) * 37.5 * scrapes),
    '# HELP grafana_analytics_up Was the last scrape successful.',
    '# TYPE grafana_analytics_up gauge',
    'grafana_analytics_up 1',
    '# HELP grafana_analytics_exporter_scrapes_total Number of scrapes.',
    '# TYPE grafana_analytics_exporter_scrapes_total counter',
    `grafana_analytics_exporter_scrapes_total ${scrapes}`,
    '',
  ].join('\n');
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
