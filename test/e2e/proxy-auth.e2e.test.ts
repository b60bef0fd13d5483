/**
 * auth.front proxy end to end: the synthesized nginx.conf (the ConfigMap's text) runs in a real
 * nginx (Debian's 1.22) in front of a fake Grafana and a fake analytics server. Only upstream
 * addresses, the listen address and the pid/temp/log paths are changed, and the test checks that
 * nothing else differs.
 */
import * as fs from 'fs';
import { resolveConfig } from '../../lib';
import { KubeObject, synthesize, SynthesizedInstallation } from '../../lib/constructs/synth';
import { GRAFANA_UNAVAILABLE_STATUS } from '../../lib/constructs/auth/nginx-auth-proxy-conf';
import { BEACON, pathMatches } from '../support/e2e/browser';
import { startFakeAnalyticsServer } from '../support/e2e/fake-analytics-server';
import { FakeGrafana, GRAFANA_SESSION_COOKIE, startFakeGrafana } from '../support/e2e/fake-grafana';
import { HttpResponse, pathsTowardsMetrics, RecordingServer, request } from '../support/e2e/http';
import { RunningNginx, startNginx } from '../support/e2e/nginx';
import { freePort, Sandbox } from '../support/e2e/sandbox';
import { describeWithPrograms, findProgram } from '../support/e2e/tools';
import { FRONTS_CONFIG } from '../support/fronts';

/** The proxy installations of the fronts config, plus rate-limited ones (a tiny limit keeps the test short). */
const synthesized = synthesize(resolveConfig({
  ...FRONTS_CONFIG,
  installations: [
    ...FRONTS_CONFIG.installations.filter(i => i.auth?.front === 'proxy'),
    ...([['rate-untrusted', undefined], ['rate-trusted', ['127.0.0.1']]] as [string, string[] | undefined][]).map(([name, trustedProxies], i) => ({
      name,
      grafana: { host: `rate-${i}.example.com` },
      auth: { front: 'proxy' as const },
      ingress: { rateLimitPerMinute: 1 },
      ...(trustedProxies ? { proxy: { trustedProxies } } : {}),
      networkPolicy: { enabled: false },
    })),
  ],
}));
const names = synthesized.filter(s => !s.installation.name.startsWith('rate-')).map(s => s.installation.name);

const configOf = (s: SynthesizedInstallation): string =>
  (s.objects.find(o => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-auth-proxy')) as KubeObject & { data: Record<string, string> }).data[
    'nginx.conf'
  ];

/**
 * nginx.conf as the test runs it: Grafana's Service and the server's localhost port become the
 * fakes' loopback ports, the listen port a free one, the emptyDir and stderr the sandbox prefix.
 */
function forTest(conf: string, options: { authUrl: string; grafanaPort: number; serverPort: number; port: number; prefix: string }): string {
  const grafanaOrigin = /^http:\/\/[^/]+/.exec(options.authUrl)![0];
  return conf
    .split(`proxy_pass ${grafanaOrigin}/`).join(`proxy_pass http://127.0.0.1:${options.grafanaPort}/`)
    .replace('proxy_pass http://127.0.0.1:8080/write;', `proxy_pass http://127.0.0.1:${options.serverPort}/write;`)
    .replace(/^( *)listen 8081;$/m, `$1listen 127.0.0.1:${options.port};`)
    .split('/tmp/nginx-auth-proxy/').join(`${options.prefix}/tmp/`)
    .replace('error_log stderr warn;', `error_log ${options.prefix}/logs/error.log warn;`);
}

/** Directives the test may change; every other line must stay as synthesized. */
const CHANGEABLE = /^\s*(listen|pid|error_log|proxy_pass|\w+_temp_path) /;

interface Installation {
  readonly name: string;
  readonly host: string;
  readonly writePath: string;
  readonly grafana: FakeGrafana;
  readonly server: RecordingServer;
  readonly proxy: RunningNginx;
  readonly synthesizedConf: string;
}

describeWithPrograms('auth.front proxy end to end (real nginx)', { nginx: findProgram('nginx', ['/usr/sbin/nginx']) }, ({ nginx }) => {
  const sandbox = new Sandbox();
  const installations = new Map<string, Installation>();
  /** proxy-ingress's nginx.conf with Grafana's address pointing at a port nobody listens on. */
  let grafanaDown: Installation;

  const start = async (s: SynthesizedInstallation, grafanaReachable = true): Promise<Installation> => {
    const grafana = await startFakeGrafana(sandbox, {
      subPath: s.installation.grafana.subPath,
      serveFromSubPath: s.installation.grafana.serveFromSubPath,
    });
    const server = await startFakeAnalyticsServer(sandbox);
    const grafanaPort = grafanaReachable ? grafana.port : await freePort();
    const conf = configOf(s);
    const authUrl = /proxy_pass (http:\/\/\S+\/api\/user);/.exec(conf)![1];
    const proxy = await startNginx(sandbox, nginx, (port, prefix) => forTest(conf, { authUrl, grafanaPort, serverPort: server.port, port, prefix }));
    const host = s.installation.grafana.host;
    return { name: s.installation.name, host, writePath: /location = (\S+) \{/.exec(conf)![1], grafana, server, proxy, synthesizedConf: conf };
  };

  beforeAll(async () => {
    for (const s of synthesized) installations.set(s.installation.name, await start(s));
    grafanaDown = await start(synthesized.find(s => s.installation.name === 'proxy-ingress')!, false);
  });

  afterAll(() => sandbox.cleanup());

  beforeEach(() => {
    for (const inst of [...installations.values(), grafanaDown]) {
      inst.server.received.length = 0;
      inst.grafana.received.length = 0;
    }
  });

  function browser(
    inst: Installation,
    options: { path?: string; method?: string; session?: string; body?: Buffer; headers?: Record<string, string> },
  ): Promise<HttpResponse> {
    const path = options.path ?? inst.writePath;
    const cookie =
      options.session !== undefined && pathMatches(path, inst.grafana.cookiePath)
        ? { Cookie: `${GRAFANA_SESSION_COOKIE}=${options.session}; grafana_session_expiry=1700021600` }
        : undefined;
    return request({
      port: inst.proxy.port,
      host: inst.host,
      path,
      method: options.method ?? 'POST',
      headers: { ...cookie, ...(options.body ? { 'Content-Type': 'text/plain;charset=UTF-8' } : {}), ...options.headers },
      body: options.body,
    });
  }

  test('the nginx.conf run differs from the synthesized one only in upstream addresses, listen address and pid/temp/log paths', () => {
    for (const inst of [...installations.values(), grafanaDown]) {
      const synthesizedLines = inst.synthesizedConf.split('\n');
      const runLines = fs.readFileSync(inst.proxy.configFile, 'utf8').split('\n');
      expect(runLines).toHaveLength(synthesizedLines.length);
      const changed = synthesizedLines.flatMap((line, i) => (line === runLines[i] ? [] : [{ line, run: runLines[i] }]));
      expect(changed.filter(c => !CHANGEABLE.test(c.line) || c.line.trim().split(' ')[0] !== c.run.trim().split(' ')[0])).toEqual([]);
      // proxy_pass keeps its path: only scheme-host-port changes.
      for (const c of changed.filter(c => /proxy_pass/.test(c.line))) {
        expect(c.run.replace(/http:\/\/[^/]+/, '')).toBe(c.line.replace(/http:\/\/[^/]+/, ''));
      }
      expect(changed.length).toBeGreaterThanOrEqual(9);
    }
  });

  describe.each(names)('%s', name => {
    const inst = () => installations.get(name)!;

    test('a beacon without a session cookie gets 401, never reaches the server, and Grafana was asked', async () => {
      const res = await browser(inst(), { body: BEACON });
      expect(res.status).toBe(401);
      expect(inst().server.received).toEqual([]);
      expect(inst().grafana.received.map(r => [r.method, new URL(r.url, 'http://g').pathname])).toEqual([
        ['GET', expect.stringMatching(/\/api\/user$/)],
      ]);
    });

    test('a beacon with an invalid session cookie gets 401 and never reaches the server', async () => {
      const res = await browser(inst(), { body: BEACON, session: 'c0ffee0000000000000000000000dead' });
      expect(res.status).toBe(401);
      expect(inst().server.received).toEqual([]);
    });

    test('a beacon with a valid session reaches /write with its body intact; Grafana got a GET with the Cookie only, no body', async () => {
      const res = await browser(inst(), {
        body: BEACON,
        session: inst().grafana.validSession,
        headers: { 'User-Agent': 'browser', 'X-Secret': 'x' },
      });
      expect(res.status).toBe(201);
      expect(inst().server.received).toHaveLength(1);
      const received = inst().server.received[0];
      expect([received.method, received.url]).toEqual(['POST', '/write']);
      expect(received.body.equals(BEACON)).toBe(true);
      const asked = inst().grafana.received;
      expect(asked).toHaveLength(1);
      expect(asked[0].method).toBe('GET');
      const serveFromSubPath = synthesized.find(s => s.installation.name === name)!.installation.grafana.serveFromSubPath;
      expect(asked[0].url).toBe(`${inst().grafana.cookiePath === '/' || !serveFromSubPath ? '' : inst().grafana.cookiePath}/api/user`);
      expect(asked[0].body).toHaveLength(0);
      expect(asked[0].headers.cookie).toContain(`${GRAFANA_SESSION_COOKIE}=${inst().grafana.validSession}`);
      expect(Object.keys(asked[0].headers).sort()).toEqual(['connection', 'cookie', 'host']);
    });

    test('no request from a logged-out browser gets a 5xx: the write path answers 401, anything else 404, nothing reaches the server', async () => {
      const p = inst().writePath;
      const paths = [p, `${p}?v=1`, `${p}/`, `${p}/extra`, p.toUpperCase(), '/', '/write', '/.grafana-auth'];
      const sessions = [undefined, '', 'not-a-session', 'c0ffee0000000000000000000000dead'];
      const results: string[] = [];
      for (const path of paths) {
        for (const method of ['POST', 'GET', 'OPTIONS', 'PUT']) {
          for (const session of sessions) {
            const res = await browser(inst(), { path, method, session, body: method === 'GET' ? undefined : BEACON });
            const expected = path === p || path === `${p}?v=1` ? 401 : 404;
            if (res.status !== expected) results.push(`${method} ${path} session=${JSON.stringify(session)} -> ${res.status}, expected ${expected}`);
          }
        }
      }
      expect(results).toEqual([]);
      expect(inst().server.received).toEqual([]);
    });

    test('/metrics of the server and every other path are unreachable through the proxy, even signed in', async () => {
      const direct = await request({ port: inst().server.port, host: 'in-cluster', path: '/metrics' });
      expect(direct.status).toBe(200);
      inst().server.received.length = 0;
      const attempts = [...pathsTowardsMetrics(inst().writePath), '/write', '/.grafana-auth'];
      for (const path of attempts) {
        for (const method of ['GET', 'POST']) {
          await browser(inst(), { path, method, session: inst().grafana.validSession, body: method === 'POST' ? BEACON : undefined });
        }
      }
      expect(inst().server.received.length).toBeGreaterThan(0);
      expect(inst().server.received.map(r => new URL(r.url, 'http://server').pathname).filter(p => p !== '/write')).toEqual([]);
    });

    test('a body over ingress.maxBodySize is refused (413) before Grafana is asked and never reaches the server', async () => {
      const res = await browser(inst(), { body: Buffer.alloc(64 * 1024, 'a'), session: inst().grafana.validSession });
      expect(res.status).toBe(413);
      expect(inst().server.received).toEqual([]);
      expect(inst().grafana.received).toEqual([]);
    });
  });

  test(`Grafana unreachable: every beacon is refused with ${GRAFANA_UNAVAILABLE_STATUS} (never the 500 of auth_request) and `
    + `nothing passes`, async () => {
    for (const session of [undefined, grafanaDown.grafana.validSession]) {
      const res = await browser(grafanaDown, { body: BEACON, session });
      expect(res.status).toBe(GRAFANA_UNAVAILABLE_STATUS);
    }
    expect(grafanaDown.server.received).toEqual([]);
    expect(grafanaDown.proxy.errorLog()).toMatch(/connect\(\) failed/);
  });

  describe('rate limit: ingress.rateLimitPerMinute per client with a burst of 5x, then 429', () => {
    const beacons = async (inst: Installation, count: number, forwardedFor: (i: number) => string) => {
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) {
        statuses.push(
          (await browser(inst, { body: BEACON, session: inst.grafana.validSession, headers: { 'X-Forwarded-For': forwardedFor(i) } })).status,
        );
      }
      return statuses;
    };

    test('over the rate is 429, not asked of Grafana, not passed; X-Forwarded-For from an untrusted peer does not make a new client', async () => {
      const inst = installations.get('rate-untrusted')!;
      // WHEN one peer (127.0.0.1, not in the RFC 1918 defaults) claims a new client on every beacon
      const statuses = await beacons(inst, 8, i => `198.51.100.${i + 1}`);
      // THEN the one the rate allows and the burst of 5 above it pass, the rest is refused
      expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429, 429]);
      expect(inst.server.received).toHaveLength(6);
      expect(inst.grafana.received).toHaveLength(6);
    });

    test('behind a trusted proxy each X-Forwarded-For client has its own budget', async () => {
      const inst = installations.get('rate-trusted')!;
      const first = await beacons(inst, 7, () => '203.0.113.7, 10.1.2.3');
      const second = await beacons(inst, 1, () => '203.0.113.8');
      expect(first).toEqual([201, 201, 201, 201, 201, 201, 429]);
      expect(second).toEqual([201]);
    });
  });
});
