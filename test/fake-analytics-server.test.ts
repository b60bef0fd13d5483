/**
 * The fake analytics server counts like the real one (DESIGN.md section 8), or the usage e2e
 * suite would hide the defects it exists to find.
 */
import { beacon, interpolate, uidFromPath } from './support/e2e/beacon';
import { FakeAnalyticsServer, FlagError, parseServerArgs, startFakeAnalyticsServer, VIEWERS } from './support/e2e/fake-analytics-server';
import { request } from './support/e2e/http';
import { Sandbox } from './support/e2e/sandbox';

const sandbox = new Sandbox();
afterAll(() => sandbox.cleanup());

const dashboard = (uid: string, title: string, option = '$__dashboard') => ({
  uid, title, panels: [{ type: 'macropower-analytics-panel', options: { analyticsOptions: {
    dashboard: option, postStart: true, postEnd: true, postHeartbeat: false, heartbeatInterval: 60, heartbeatAlways: false,
  } } }],
});
const A = dashboard('aaa', 'Alpha');
const [alice, bob] = VIEWERS;

async function post(server: FakeAnalyticsServer, body: object | string): Promise<number> {
  const res = await request({
    port: server.port,
    host: 'analytics',
    path: '/write',
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return res.status;
}
async function scrape(server: FakeAnalyticsServer): Promise<Map<string, number>> {
  await server.settled();
  const res = await request({ port: server.port, host: 'analytics', path: '/metrics' });
  return new Map(res.body.toString('utf8').split('\n').filter(l => l && !l.startsWith('#')).map(l => {
    const at = l.lastIndexOf(' ');
    return [l.slice(0, at), Number(l.slice(at + 1))];
  }));
}
const sessions = (m: Map<string, number>) => [...m].filter(([k]) => k.startsWith('grafana_analytics_sessions_total{'));
const view = (type: 'start' | 'heartbeat' | 'end', uuid: string, extra: Partial<Parameters<typeof beacon>[0]> = {}) =>
  beacon({ type, uuid, rootUrl: 'https://grafana.example.com/', dashboard: A, viewer: alice, time: 1000, ...extra });

describe('fake analytics server', () => {
  test('no series before the first session; a label set appears at the number of its sessions', async () => {
    const server = await startFakeAnalyticsServer(sandbox, { args: ['--disable-user-metrics'] });
    expect(sessions(await scrape(server))).toEqual([]);
    expect(await post(server, view('start', 'u1'))).toBe(201);
    expect(await post(server, view('start', 'u2'))).toBe(201);
    expect(await post(server, view('start', 'u3', { viewer: bob }))).toBe(201);
    const m = sessions(await scrape(server));
    expect(m.map(([, v]) => v).sort()).toEqual([1, 2]);
    expect(m[0][0]).toBe('grafana_analytics_sessions_total{grafana_host="grafana.example.com:443",grafana_env="production",dashboard_name="Alpha",'
      + 'dashboard_uid="aaa",dashboard_timezone="utc",user_theme="dark",user_timezone="browser",user_locale="en-US",user_role="admin"}');
  });

  test('a session takes its latest payload\'s labels; heartbeat and end for an unknown uuid add a session', async () => {
    const server = await startFakeAnalyticsServer(sandbox, { args: ['--disable-user-metrics'] });
    await post(server, view('start', 'u1'));
    await post(server, view('heartbeat', 'u1', { theme: 'light', time: 1030 }));
    let m = sessions(await scrape(server));
    expect(m).toHaveLength(1);
    expect(m[0][0]).toContain('user_theme="light"');
    await post(server, view('heartbeat', 'unknown-1'));
    await post(server, view('end', 'unknown-2'));
    await post(server, { ...view('start', 'unknown-3'), type: 'whatever' });
    m = sessions(await scrape(server));
    expect(server.sessions).toBe(4);
    expect(m.reduce((n, [, v]) => n + v, 0)).toBe(4);
  });

  test('a second start for a cached uuid is ignored', async () => {
    const server = await startFakeAnalyticsServer(sandbox, { args: ['--disable-user-metrics'] });
    await post(server, view('start', 'u1'));
    await post(server, view('start', 'u1', { theme: 'light' }));
    const m = sessions(await scrape(server));
    expect(m.map(([k, v]) => [k.includes('user_theme="dark"'), v])).toEqual([[true, 1]]);
  });

  test('durations run from the start beacon\'s timeOrigin (or a created session\'s time) to the latest beacon; start-only sessions '
    + 'have none', async () => {
    const server = await startFakeAnalyticsServer(sandbox, { args: ['--disable-user-metrics'] });
    await post(server, view('start', 'u1'));
    let m = await scrape(server);
    expect([...m.keys()].filter(k => k.includes('duration'))).toEqual([]);
    await post(server, view('end', 'u1', { time: 1090 }));
    await post(server, view('start', 'u2', { time: 1000 }));
    await post(server, view('heartbeat', 'u2', { time: 1060 }));
    await post(server, view('heartbeat', 'u3', { time: 1060 }));
    await post(server, view('end', 'u3', { time: 1080 }));
    m = await scrape(server);
    // timeOrigin is a second before the start beacon's time: 91 + 61 + 20
    expect([...m].filter(([k]) => k.includes('duration')).map(([, v]) => v)).toEqual([172]);
  });

  test('a restart empties the cache and restarts the process counters', async () => {
    const server = await startFakeAnalyticsServer(sandbox, { args: ['--disable-user-metrics'] });
    await post(server, view('start', 'u1'));
    const before = await scrape(server);
    await scrape(server);
    server.restart();
    const after = await scrape(server);
    expect(sessions(after)).toEqual([]);
    expect(after.get('grafana_analytics_exporter_scrapes_total')).toBe(1);
    expect(before.get('grafana_analytics_exporter_scrapes_total')).toBe(1);
    expect(after.get('process_start_time_seconds')).toBeGreaterThan(before.get('process_start_time_seconds')!);
  });

  test('exceeding --max-cache-size flushes the whole cache; the process goes on', async () => {
    const server = await startFakeAnalyticsServer(sandbox, { args: ['--max-cache-size=2'] });
    const first = await scrape(server);
    for (const uuid of ['u1', 'u2']) await post(server, view('start', uuid));
    expect(sessions(await scrape(server))).toHaveLength(1);
    await post(server, view('start', 'u3'));
    const m = await scrape(server);
    expect(server.flushes).toBe(1);
    expect(sessions(m)).toEqual([]);
    expect(m.get('grafana_analytics_exporter_scrapes_total')).toBe(3);
    expect(m.get('process_start_time_seconds')).toBe(first.get('process_start_time_seconds'));
  });

  test('user metrics: user_login and user_name unless --disable-user-metrics', async () => {
    const on = await startFakeAnalyticsServer(sandbox);
    await post(on, view('start', 'u1'));
    expect(sessions(await scrape(on))[0][0]).toContain('user_login="alice",user_name="Alice Liddell"');
    const off = await startFakeAnalyticsServer(sandbox, {
      args: ['--disable-user-metrics', '--disable-session-log', '--disable-variable-log', '--log-format=json', '--max-cache-size=5'],
    });
    await post(off, view('start', 'u1'));
    expect(sessions(await scrape(off))[0][0]).not.toMatch(/user_login|user_name/);
  });

  test('a bad body gets 400 and adds nothing', async () => {
    const server = await startFakeAnalyticsServer(sandbox);
    expect(await post(server, '{not json')).toBe(400);
    expect(server.sessions).toBe(0);
  });

  test('behind a slow network: /metrics answers after the set delay, with the cache as of the request', async () => {
    const server = await startFakeAnalyticsServer(sandbox, { args: ['--disable-user-metrics'] });
    server.metricsDelayMs = 300;
    const started = Date.now();
    const answer = request({ port: server.port, host: 'analytics', path: '/metrics' });
    // A session that arrives while the answer is on its way is not in it.
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(await post(server, view('start', 'late'))).toBe(201);
    const res = await answer;
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).not.toMatch(/^grafana_analytics_sessions_total\{/m);
    server.metricsDelayMs = 0;
    expect(sessions(await scrape(server))).toHaveLength(1);
  });

  test('scrapes fail while set to: a 503, or no answer until the client gives up; beacons still count', async () => {
    const server = await startFakeAnalyticsServer(sandbox, { args: ['--disable-user-metrics'] });
    server.metricsFailure = 'status-503';
    expect(await post(server, view('start', 'during'))).toBe(201);
    expect((await request({ port: server.port, host: 'analytics', path: '/metrics' })).status).toBe(503);
    server.metricsFailure = 'no-answer';
    const hung = await Promise.race([
      request({ port: server.port, host: 'analytics', path: '/metrics' }).then(() => 'answered'),
      new Promise(resolve => setTimeout(() => resolve('no answer'), 500)),
    ]);
    expect(hung).toBe('no answer');
    expect(server.failedScrapes).toBe(2);
    server.metricsFailure = undefined;
    expect(sessions(await scrape(server)).map(([, v]) => v)).toEqual([1]);
  });

  test.each([['--max-cache-size=many'], ['--unknown-flag'], ['--log-format=xml'], ['--disable-user-metrics=maybe'], ['positional']])('refuses %s '
    + 'like the real server (non-zero exit)', arg => {
    expect(() => parseServerArgs([arg])).toThrow(FlagError);
    expect(new FlagError('x').exitCode).not.toBe(0);
  });

  test('the synthesized flags parse', () => {
    expect(parseServerArgs(['--disable-user-metrics', '--max-cache-size', '7'])).toEqual({ disableUserMetrics: true, maxCacheSize: 7 });
  });
});

describe('plugin 2.1.0 beacons', () => {
  test('the uid comes from the page path: right at the root, the path segment under a sub-path', () => {
    expect(uidFromPath('/d/aaa/alpha')).toBe('aaa');
    expect(uidFromPath('/grafana/d/aaa/alpha')).toBe('d');
    expect(uidFromPath('/a/b/d/aaa/alpha')).toBe('b');
    expect(view('start', 'u', { rootUrl: 'https://example.com/a/b/' }).dashboard).toEqual({ name: 'Alpha', uid: 'b' });
    expect(view('start', 'u').dashboard).toEqual({ name: 'Alpha', uid: 'aaa' });
  });

  test('the name is the panel option after Grafana\'s substitution', () => {
    const d = { uid: 'aaa', title: 'Alpha' };
    expect(interpolate('$__dashboard', d)).toBe('Alpha');
    expect(interpolate('${__dashboard}', d)).toBe('Alpha');
    expect(interpolate('${__dashboard.uid}', d)).toBe('aaa');
    expect(interpolate('aaa', d)).toBe('aaa');
    expect(
      beacon({ type: 'start', uuid: 'u', rootUrl: 'http://g:3000/', dashboard: dashboard('aaa', 'Alpha', 'literal-uid'), viewer: bob, time: 1 }),
    ).toMatchObject({
      dashboard: { name: 'literal-uid', uid: 'aaa' },
      host: { hostname: 'g', port: '3000' },
      user: { isGrafanaAdmin: false, hasEditPermissionInFolders: true },
    });
  });
});
