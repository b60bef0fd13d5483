/**
 * auth.front traefik end to end: the synthesized write Ingress and Middlewares, run by Debian's
 * Caddy with Traefik's ForwardAuth semantics (test/support/e2e/traefik-caddy.ts says how each
 * Middleware is modelled), in front of a fake Grafana and a fake analytics server.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { resolveConfig } from '../../lib';
import { synthesize } from '../../lib/constructs/synth';
import { BEACON, pathMatches } from '../support/e2e/browser';
import { startFakeAnalyticsServer } from '../support/e2e/fake-analytics-server';
import { FakeGrafana, GRAFANA_SESSION_COOKIE, startFakeGrafana } from '../support/e2e/fake-grafana';
import { HttpResponse, RecordingServer, request } from '../support/e2e/http';
import { freePort, Sandbox, waitFor } from '../support/e2e/sandbox';
import { describeWithPrograms, findProgram } from '../support/e2e/tools';
import { renderCaddyfile } from '../support/e2e/traefik-caddy';
import { FRONTS_CONFIG } from '../support/fronts';

const synthesized = synthesize(resolveConfig(FRONTS_CONFIG)).filter(s => s.installation.auth.front === 'traefik');

interface Installation {
  readonly host: string;
  readonly writePath: string;
  readonly grafana: FakeGrafana;
  readonly server: RecordingServer;
  readonly port: number;
}

const connects = (port: number) => new Promise<true | undefined>(resolve => {
  const socket = net.connect(port, '127.0.0.1');
  socket.once('connect', () => { socket.destroy(); resolve(true); });
  socket.once('error', () => resolve(undefined));
});

describeWithPrograms('auth.front traefik end to end (Caddy forward_auth as Traefik ForwardAuth)', { caddy: findProgram('caddy') }, ({ caddy }) => {
  const sandbox = new Sandbox();
  const installations = new Map<string, Installation>();
  let grafanaDown: Installation;

  const start = async (name: string, grafanaReachable = true): Promise<Installation> => {
    const s = synthesized.find(x => x.installation.name === name)!;
    const inst = s.installation;
    const grafana = await startFakeGrafana(sandbox, { subPath: inst.grafana.subPath, serveFromSubPath: inst.grafana.serveFromSubPath });
    const server = await startFakeAnalyticsServer(sandbox);
    const ingress = s.objects.find(o => o.kind === 'Ingress')!;
    const serverService = s.objects.find(o => o.kind === 'Service')!;
    const dir = sandbox.tempDir('e2e-caddy');
    const port = await freePort();
    const caddyfile = path.join(dir, 'Caddyfile');
    fs.writeFileSync(caddyfile, renderCaddyfile({
      port,
      dataDir: path.join(dir, 'data'),
      ingress,
      middlewares: s.objects.filter(o => o.kind === 'Middleware'),
      clusterDomain: inst.auth.clusterDomain,
      services: [
        { namespace: serverService.metadata.namespace!, name: serverService.metadata.name, port: 8080, loopbackPort: server.port },
        { ...inst.grafana.service, loopbackPort: grafanaReachable ? grafana.port : await freePort() },
      ],
    }));
    const process = sandbox.start('caddy', caddy, ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
      env: { HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir },
    });
    await waitFor(`caddy to listen on 127.0.0.1:${port}`, () => connects(port), { timeoutMs: 10000, process });
    const rule = (ingress.spec as any).rules[0];
    return { host: rule.host, writePath: rule.http.paths[0].path, grafana, server, port };
  };

  beforeAll(async () => {
    for (const s of synthesized) installations.set(s.installation.name, await start(s.installation.name));
    grafanaDown = await start('traefik-ingress', false);
  });

  afterAll(() => sandbox.cleanup());

  beforeEach(() => {
    for (const inst of [...installations.values(), grafanaDown]) {
      inst.server.received.length = 0;
      inst.grafana.received.length = 0;
    }
  });

  function browser(inst: Installation, options: { path?: string; method?: string; session?: string; body?: Buffer }): Promise<HttpResponse> {
    const p = options.path ?? inst.writePath;
    const cookie = options.session !== undefined && pathMatches(p, inst.grafana.cookiePath)
      ? { Cookie: `${GRAFANA_SESSION_COOKIE}=${options.session}` }
      : undefined;
    return request({ port: inst.port, host: inst.host, path: p, method: options.method ?? 'POST', headers: { ...cookie }, body: options.body });
  }

  describe.each(synthesized.map(s => s.installation.name))('%s', name => {
    const inst = () => installations.get(name)!;

    test('no cookie or an invalid one: Grafana\'s 401 goes back to the browser, nothing reaches the server', async () => {
      for (const session of [undefined, 'c0ffee0000000000000000000000dead']) {
        const res = await browser(inst(), { body: BEACON, session });
        expect(res.status).toBe(401);
        expect(JSON.parse(res.body.toString())).toEqual({ message: 'Unauthorized' });
      }
      expect(inst().server.received).toEqual([]);
      expect(inst().grafana.received.map(r => r.method)).toEqual(['GET', 'GET']);
    });

    test('a valid session: the beacon reaches /write intact; Grafana got a GET with the Cookie and no body', async () => {
      const res = await browser(inst(), { body: BEACON, session: inst().grafana.validSession });
      expect(res.status).toBe(201);
      expect(inst().server.received.map(r => [r.method, r.url])).toEqual([['POST', '/write']]);
      expect(inst().server.received[0].body.equals(BEACON)).toBe(true);
      const [asked] = inst().grafana.received;
      expect(asked.method).toBe('GET');
      expect(new URL(asked.url, 'http://g').pathname).toMatch(/\/api\/user$/);
      expect(asked.body).toHaveLength(0);
      expect(asked.headers.cookie).toBe(`${GRAFANA_SESSION_COOKIE}=${inst().grafana.validSession}`);
    });

    test('a logged-out browser never gets a 5xx; /metrics and other paths are unreachable, even signed in', async () => {
      const p = inst().writePath;
      const results: string[] = [];
      for (const path of [p, `${p}?v=1`, `${p}/extra`, '/metrics', `${p}/../metrics`, '/write']) {
        for (const session of [undefined, 'not-a-session', inst().grafana.validSession]) {
          const res = await browser(inst(), { path, session, body: BEACON });
          const expected = path === p || path === `${p}?v=1` ? (session === inst().grafana.validSession ? 201 : 401) : 404;
          if (res.status !== expected) results.push(`${path} session=${session} -> ${res.status}, expected ${expected}`);
        }
      }
      expect(results).toEqual([]);
      expect(inst().server.received.map(r => new URL(r.url, 'http://s').pathname)).toEqual(['/write', '/write']);
    });

    test('a body over ingress.maxBodySize is refused (413) and never reaches the server', async () => {
      const res = await browser(inst(), { body: Buffer.alloc(2 * 1024 * 1024, 'a'), session: inst().grafana.validSession });
      expect(res.status).toBe(413);
      expect(inst().server.received).toEqual([]);
    });
  });

  test('Grafana unreachable: refused with a 5xx (Traefik: 500), nothing passes', async () => {
    for (const session of [undefined, grafanaDown.grafana.validSession]) {
      const res = await browser(grafanaDown, { body: BEACON, session });
      expect(res.status).toBeGreaterThanOrEqual(500);
    }
    expect(grafanaDown.server.received).toEqual([]);
  });
});
