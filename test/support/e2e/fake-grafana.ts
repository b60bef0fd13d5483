import { randomBytes } from 'crypto';
import { cookieValue, RecordingServer, startRecordingServer } from './http';
import { Sandbox } from './sandbox';

/** Grafana's session cookie (HttpOnly, Path = the path of `root_url`). */
export const GRAFANA_SESSION_COOKIE = 'grafana_session';

export interface FakeGrafanaOptions {
  /** Path of Grafana's `root_url`: `/` or `/a/b`. */
  readonly subPath: string;
  /** Grafana's `serve_from_sub_path`: routes live under the sub-path instead of at the root. */
  readonly serveFromSubPath: boolean;
}

export interface FakeGrafana extends RecordingServer {
  /** A session token `/api/user` accepts. */
  readonly validSession: string;
  /** Path of the session cookie, as Grafana sets it. */
  readonly cookiePath: string;
}

/**
 * The parts of Grafana the auth check relies on (DESIGN.md section 3): `GET <routes>/api/user`
 * answers 200 with the user for a valid `grafana_session` cookie and 401 otherwise; `<routes>/`
 * answers a logged-out browser with a 302 to the login page; every other path is a 404.
 */
export async function startFakeGrafana(sandbox: Sandbox, options: FakeGrafanaOptions): Promise<FakeGrafana> {
  const validSession = randomBytes(16).toString('hex');
  const routes = options.serveFromSubPath ? options.subPath.replace(/\/$/, '') : '';
  const server = await startRecordingServer(sandbox, req => {
    const pathname = new URL(req.url, 'http://grafana').pathname;
    const signedIn = cookieValue(req.headers.cookie, GRAFANA_SESSION_COOKIE) === validSession;
    if (pathname === `${routes}/api/user`) {
      return signedIn
        ? json(200, { id: 7, login: 'alice', email: 'alice@example.com', name: 'Alice', isGrafanaAdmin: false })
        : json(401, { message: 'Unauthorized' });
    }
    if (pathname === `${routes}/` || pathname === routes) {
      return signedIn
        ? { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<!doctype html><title>Grafana</title>' }
        : { status: 302, headers: { Location: `${options.subPath.replace(/\/$/, '')}/login` } };
    }
    return json(404, { message: 'Not found' });
  });
  return { ...server, validSession, cookiePath: options.subPath };
}

function json(status: number, body: unknown) {
  return { status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}
