/**
 * Auth end to end: the synthesized Ingresses, rendered the way ingress-nginx renders them, run
 * in a real nginx in front of a fake Grafana and a fake analytics server, for every example
 * installation (root path, sub-path, via-ingress).
 */
import { loadConfigFile } from '../../lib/app/load';
import { KubeObject, synthesize, SynthesizedInstallation } from '../../lib/constructs/synth';
import { startFakeAnalyticsServer } from '../support/e2e/fake-analytics-server';
import { FakeGrafana, GRAFANA_SESSION_COOKIE, startFakeGrafana } from '../support/e2e/fake-grafana';
import { HttpResponse, pathsTowardsMetrics, RecordingServer, request } from '../support/e2e/http';
import { ANNOTATION_PREFIX, Cluster, renderNginxConfig } from '../support/e2e/ingress-nginx';
import { RunningNginx, startNginx } from '../support/e2e/nginx';
import { Sandbox } from '../support/e2e/sandbox';
import { describeWithPrograms, findProgram } from '../support/e2e/tools';
import { BEACON, pathMatches } from '../support/e2e/browser';
import { EXAMPLE_CONFIG } from '../support/example';

const AUTH_URL = `${ANNOTATION_PREFIX}auth-url`;

interface Installation {
  readonly name: string;
  readonly host: string;
  readonly grafana: FakeGrafana;
  readonly server: RecordingServer;
  /** Paths of the synthesized Ingresses: the write path, and the public auth path in via-ingress mode. */
  readonly writePath: string;
  readonly ingressPaths: readonly string[];
}

const synthesized = synthesize(loadConfigFile(EXAMPLE_CONFIG));
const names = synthesized.map(s => s.installation.name);

describeWithPrograms('auth end to end (real nginx)', { nginx: findProgram('nginx', ['/usr/sbin/nginx']) }, ({ nginx }) => {
  const sandbox = new Sandbox();
  const installations = new Map<string, Installation>();
  let proxy: RunningNginx;
  /** The control: prod-eu's write Ingress with its auth-url pointed at Grafana's `/` instead. */
  const CONTROL_HOST = 'auth-at-root.control.invalid';

  beforeAll(async () => {
    const clusters: Cluster[] = [];
    for (const s of synthesized) {
      const grafana = await startFakeGrafana(sandbox, {
        subPath: s.installation.grafana.subPath,
        serveFromSubPath: s.installation.grafana.serveFromSubPath,
      });
      const server = await startFakeAnalyticsServer(sandbox);
      const ingresses = objectsOfKind(s, 'Ingress');
      const serverService = onlyObject(s, 'Service');
      const write = ingresses.filter(i => backends(i).some(b => b.service === serverService.metadata.name));
      expect(write).toHaveLength(1);
      const grafanaService = s.installation.grafana.service;
      const withControl = s.installation.name === 'prod-eu' && annotation(write[0], AUTH_URL) !== undefined;
      const fixtures = [grafanaOwnIngress(s), ...(withControl ? [authAtRootControl(write[0], CONTROL_HOST)] : [])];
      clusters.push({
        name: s.installation.name,
        domain: s.installation.auth.clusterDomain,
        services: [
          {
            namespace: serverService.metadata.namespace!,
            name: serverService.metadata.name,
            port: servicePort(serverService),
            loopbackPort: server.port,
          },
          { ...grafanaService, loopbackPort: grafana.port },
        ],
        ingresses: [...ingresses, ...fixtures],
      });
      installations.set(s.installation.name, {
        name: s.installation.name,
        host: rules(write[0])[0].host,
        grafana,
        server,
        writePath: backends(write[0])[0].path,
        ingressPaths: ingresses.flatMap(i => backends(i).map(b => b.path)),
      });
    }
    proxy = await startNginx(sandbox, nginx, (port, prefix) => renderNginxConfig({ prefix, port, clusters }));
  });

  afterAll(() => sandbox.cleanup());

  beforeEach(() => {
    for (const inst of installations.values()) {
      inst.server.received.length = 0;
      inst.grafana.received.length = 0;
    }
  });

  /** A browser's request: it sends the Grafana cookie only where the cookie's Path matches (RFC 6265 5.1.4). */
  function browser(
    inst: Installation,
    options: { path: string; method?: string; session?: string; body?: Buffer; host?: string },
  ): Promise<HttpResponse> {
    const cookie =
      options.session !== undefined && pathMatches(options.path, inst.grafana.cookiePath)
        ? { Cookie: `${GRAFANA_SESSION_COOKIE}=${options.session}; grafana_session_expiry=1700021600` }
        : undefined;
    return request({
      port: proxy.port,
      host: options.host ?? inst.host,
      path: options.path,
      method: options.method ?? 'POST',
      headers: { ...cookie, ...(options.body ? { 'Content-Type': 'text/plain;charset=UTF-8' } : {}) },
      body: options.body,
    });
  }

  describe.each(names)('%s', name => {
    const inst = () => installations.get(name)!;

    test('a beacon without a session cookie gets 401 and never reaches the server', async () => {
      // WHEN
      const res = await browser(inst(), { path: inst().writePath, body: BEACON });
      // THEN
      expect(res.status).toBe(401);
      expect(inst().server.received).toEqual([]);
      // The check did ask Grafana (a 401 from elsewhere would prove nothing).
      expect(inst().grafana.received.map(r => r.method)).toEqual(['GET']);
    });

    test('a beacon with an invalid session cookie gets 401 and never reaches the server', async () => {
      const res = await browser(inst(), { path: inst().writePath, body: BEACON, session: 'c0ffee0000000000000000000000dead' });
      expect(res.status).toBe(401);
      expect(inst().server.received).toEqual([]);
    });

    test('a beacon with a valid session reaches /write with its body intact', async () => {
      // WHEN
      const res = await browser(inst(), { path: inst().writePath, body: BEACON, session: inst().grafana.validSession });
      // THEN
      expect(res.status).toBe(201);
      expect(inst().server.received).toHaveLength(1);
      const received = inst().server.received[0];
      expect(received.method).toBe('POST');
      expect(received.url).toBe('/write');
      expect(received.body.equals(BEACON)).toBe(true);
      // Grafana was asked with a GET without body, carrying the browser's cookie.
      const asked = inst().grafana.received;
      expect(asked).toHaveLength(1);
      expect(asked[0].method).toBe('GET');
      expect(asked[0].url).toMatch(/\/api\/user$/);
      expect(asked[0].body).toHaveLength(0);
      expect(asked[0].headers.cookie).toContain(`${GRAFANA_SESSION_COOKIE}=${inst().grafana.validSession}`);
    });

    test('no request from a logged-out browser gets a 5xx: every one is a 401 and none reaches the server', async () => {
      // GIVEN every synthesized path, odd variants of it, and the ways a browser is logged out
      const paths = inst().ingressPaths.flatMap(p => [p, `${p}/`, `${p}/extra`, `${p}?v=1`, p.toUpperCase()]);
      const sessions = [undefined, '', 'not-a-session', 'c0ffee0000000000000000000000dead'];
      const results: string[] = [];
      // WHEN
      for (const p of paths) {
        for (const method of ['POST', 'GET', 'OPTIONS', 'PUT']) {
          for (const session of sessions) {
            const res = await browser(inst(), { path: p, method, session, body: method === 'GET' ? undefined : BEACON });
            results.push(`${method} ${p} session=${JSON.stringify(session)} -> ${res.status}`);
          }
        }
      }
      // THEN
      expect(results.filter(r => !r.endsWith('-> 401'))).toEqual([]);
      expect(results.length).toBe(paths.length * 4 * sessions.length);
      expect(inst().server.received).toEqual([]);
    });

    test('/metrics of the server is not reachable through the ingress, even signed in', async () => {
      // GIVEN the server does serve /metrics to a direct caller
      const direct = await request({ port: inst().server.port, host: 'in-cluster', path: '/metrics' });
      expect(direct.status).toBe(200);
      inst().server.received.length = 0;
      // WHEN a signed-in browser tries every way towards it
      const attempts = pathsTowardsMetrics(inst().writePath);
      for (const p of attempts) {
        for (const method of ['GET', 'POST']) {
          await browser(inst(), { path: p, method, session: inst().grafana.validSession, body: method === 'POST' ? BEACON : undefined });
        }
      }
      // THEN whatever reached the server was rewritten to /write (the query string passes, as in nginx)
      expect(inst().server.received.length).toBeGreaterThan(0);
      const paths = inst().server.received.map(r => new URL(r.url, 'http://server').pathname);
      expect(paths.filter(p => p !== '/write')).toEqual([]);
    });

    test('a body over the proxy-body-size limit is refused and never reaches the server', async () => {
      const res = await browser(inst(), { path: inst().writePath, body: Buffer.alloc(64 * 1024, 'a'), session: inst().grafana.validSession });
      expect(res.status).toBe(413);
      expect(inst().server.received).toEqual([]);
    });
  });

  test('control: an auth-url on Grafana\'s / (a 302 when logged out) gives 500, so the 5xx check can fail', async () => {
    const inst = installations.get('prod-eu')!;
    const res = await browser(inst, { host: CONTROL_HOST, path: inst.writePath, body: BEACON });
    expect(res.status).toBe(500);
    expect(inst.server.received).toEqual([]);
  });
});

function objectsOfKind(s: SynthesizedInstallation, kind: string): KubeObject[] {
  return s.objects.filter(o => o.kind === kind);
}

function onlyObject(s: SynthesizedInstallation, kind: string): KubeObject {
  const found = objectsOfKind(s, kind);
  if (found.length !== 1) throw new Error(`${s.installation.name}: expected one ${kind}, found ${found.length}`);
  return found[0];
}

interface Rule {
  host: string;
  http: { paths: { path: string; pathType: string; backend: { service: { name: string; port: { number: number } } } }[] };
}

function rules(ingress: KubeObject): Rule[] {
  return (ingress.spec as { rules: Rule[] }).rules;
}

function backends(ingress: KubeObject): { path: string; service: string }[] {
  return rules(ingress).flatMap(r => r.http.paths.map(p => ({ path: p.path, service: p.backend.service.name })));
}

function servicePort(service: KubeObject): number {
  const ports = (service.spec as { ports: { port: number }[] }).ports;
  if (ports.length !== 1) throw new Error(`Service ${service.metadata.name}: expected one port`);
  return ports[0].port;
}

/** Grafana's own Ingress on its host (the user's, not synthesized): Grafana at its sub-path. */
function grafanaOwnIngress(s: SynthesizedInstallation): KubeObject {
  const g = s.installation.grafana;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'grafana', namespace: g.service.namespace },
    spec: {
      rules: [{
        host: g.host,
        http: { paths: [{ path: g.subPath, pathType: 'Prefix', backend: { service: { name: g.service.name, port: { number: g.service.port } } } }] },
      }],
    },
  };
}

function annotation(object: KubeObject, key: string): string | undefined {
  return (object.metadata.annotations)?.[key];
}

/** The synthesized write Ingress on another host, its auth-url pointed at Grafana's `/`. */
function authAtRootControl(write: KubeObject, host: string): KubeObject {
  return {
    ...write,
    metadata: {
      ...write.metadata,
      name: 'control-auth-at-root',
      annotations: { ...write.metadata.annotations as object, [AUTH_URL]: annotation(write, AUTH_URL)!.replace(/\/api\/user$/, '/') },
    },
    spec: { rules: rules(write).map(r => ({ ...r, host })) },
  };
}
