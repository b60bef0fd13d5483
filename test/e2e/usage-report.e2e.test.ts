/**
 * The usage report end to end: a real Prometheus scrapes fake analytics servers through the
 * synthesized ServiceMonitors and evaluates the synthesized rules (support/e2e/usage-stack.ts);
 * `grafana-analytics-usage` queries it. Its figures must equal what was sent and what the
 * synthesized usage dashboard's panels show; the gate must name exactly the unviewed dashboards;
 * a Prometheus that is down, refuses, answers HTML or never answers must give exit code 2 with one
 * line; the tenant header and the bearer token must reach the server.
 *
 * Two installations: `root` (Grafana at the root, its server restarted mid-test; dashboards from
 * `defaults`) and `nested` (under /tools/grafana; its own dashboard list). Each gets: alpha 1
 * view, beta 5 (one with an end beacon, 46 s), gamma none, its usage dashboard 1, and a dashboard
 * not in the config 2.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { stringify } from 'yaml';
import { AnalyticsConfig } from '../../lib/config/schema';
import { addAnalyticsPanel, analyticsPanel } from '../../lib/grafana/analytics-panel';
import { runUsageCli } from '../../lib/app/usage-cli';
import { InstallationUsage, usageReport, UsageReport } from '../../lib/app/usage-report';
import { VIEWERS } from '../support/e2e/fake-analytics-server';
import { startRecordingServer } from '../support/e2e/http';
import { freePort, Sandbox } from '../support/e2e/sandbox';
import { describeWithPrograms, findProgram } from '../support/e2e/tools';
import { StackInstallation, startUsageStack, UsageStack } from '../support/e2e/usage-stack';

const [alice, bob, carol, dave] = VIEWERS;
const FILES = { alpha: 'dashboards/alpha.json', beta: 'dashboards/beta.json', gamma: 'dashboards/gamma.json' };
const TITLES = { alpha: 'Alpha Service', beta: 'Beta | Latency', gamma: 'Gamma, "quoted"' };
const UNLISTED = addAnalyticsPanel({ uid: 'team-board', title: 'Team Board', panels: [] }, analyticsPanel({ server: '/analytics-plugin/write' }));

interface Target { readonly expr: string; readonly instant?: boolean }
interface Panel { readonly title: string; readonly targets?: Target[] }

/** What a run of the command printed and returned. */
interface Run { readonly code: number; readonly stdout: string; readonly stderr: string }

async function cli(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runUsageCli(args, {
    stdout: { write: (t: string) => { stdout += t; } },
    stderr: { write: (t: string) => { stderr += t; } },
    env: {},
  });
  return { code, stdout, stderr };
}

/** A whole-line pattern: literal text and patterns, in order. */
function line(...parts: (string | RegExp)[]): RegExp {
  return new RegExp(`^${parts.map(p => (typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : p.source)).join('')}$`);
}

/** Ports and times vary from run to run; everything else in the text forms must not. */
function masked(text: string): string {
  return text.replace(/127\.0\.0\.1:\d{5}/g, '127.0.0.1:PORT_').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'YYYY-MM-DDTHH:MM:SSZ');
}

describeWithPrograms('usage report end to end (real Prometheus)', {
  prometheus: findProgram('prometheus'),
  promtool: findProgram('promtool'),
}, programs => {
  const sandbox = new Sandbox();
  let dir: string;
  let stack: UsageStack;
  let base: AnalyticsConfig;

  /** Writes a config for the report: the synthesized one plus prometheus keys; returns its file. */
  function reportConfig(name: string, prometheus: (inst: string) => Record<string, unknown>): string {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, stringify({
      ...base,
      installations: base.installations.map(i => ({ ...i, prometheus: prometheus(i.name) })),
    }));
    return file;
  }
  const promUrl = () => `http://127.0.0.1:${stack.prom.port}`;

  beforeAll(async () => {
    dir = sandbox.tempDir('usage-report');
    fs.mkdirSync(path.join(dir, 'dashboards'));
    for (const key of Object.keys(FILES) as (keyof typeof FILES)[]) {
      fs.writeFileSync(path.join(dir, FILES[key]), JSON.stringify({ uid: `${key}-uid`, title: TITLES[key], panels: [], schemaVersion: 39 }));
    }
    base = {
      defaults: { serviceMonitor: { interval: '1s' }, dashboards: [FILES.alpha, FILES.beta, FILES.gamma] },
      installations: [
        { name: 'root', grafana: { host: 'grafana.example.com' } },
        {
          name: 'nested', cluster: 'eu-1', grafana: { host: 'example.com', subPath: '/tools/grafana' },
          dashboards: [FILES.gamma, FILES.alpha, FILES.beta],
        },
      ],
    };
    stack = await startUsageStack(sandbox, programs, base, path.join(dir, 'config.yaml'));
    const view = (inst: StackInstallation, uid: string, viewer = alice, extra: { uuid?: string; time?: number } = {}) =>
      stack.post(inst, {
        type: 'start', uuid: extra.uuid ?? randomUUID(), dashboard: uid === UNLISTED.uid ? UNLISTED : inst.dashboards[uid], viewer, time: extra.time,
      });
    // Phase 1, after the first scrapes.
    for (const inst of stack.installations) {
      await view(inst, 'alpha-uid', alice);
      for (const viewer of [bob, carol, carol]) await view(inst, 'beta-uid', viewer);
      await view(inst, `${inst.name}-usage`, alice);
      await view(inst, UNLISTED.uid, dave);
    }
    await stack.scraped();
    // A restart of root's server, after everything was scraped: nothing is lost.
    stack.installations[0].server.restart();
    await stack.scraped();
    // Phase 2: beta twice more, one session with an end beacon; the unlisted dashboard again.
    for (const inst of stack.installations) {
      const w = randomUUID();
      await view(inst, 'beta-uid', carol, { uuid: w, time: 3000 });
      await stack.post(inst, { type: 'end', uuid: w, dashboard: inst.dashboards['beta-uid'], viewer: carol, time: 3045 });
      await view(inst, 'beta-uid', bob);
      await view(inst, UNLISTED.uid, dave);
    }
    await stack.scraped();
    // The rules evaluate one interval after the scrape they read, at the latest.
    await stack.scraped();
  }, 120_000);

  afterAll(() => sandbox.cleanup());

  /** The range that holds every record of the test. */
  const wholeRange = () => `${Math.ceil(Date.now() / 1000 - stack.started) + 5}s`;

  test('the report\'s figures equal the views sent and the usage dashboard panels\' figures', async () => {
    const range = wholeRange();
    const time = new Date(Math.floor(Date.now() / 1000) * 1000);
    const report = await usageReport(base, { configFile: path.join(dir, 'config.yaml'), range, time, prometheus: promUrl() });
    // Sent.
    const figures = (i: InstallationUsage) => ({
      scraped: i.scraped,
      views: Object.fromEntries(i.dashboards.map(d => [d.uid, d.views])),
      usage: i.usageDashboard.views,
      unlisted: i.unlisted,
      restartsAndFlushes: i.restartsAndFlushes,
      beta: i.dashboards.find(d => d.uid === 'beta-uid')?.sessionSeconds,
      lastViewed: i.dashboards.map(d => [d.uid, d.lastViewed === null ? null : typeof d.lastViewed]),
    });
    const views = { 'alpha-uid': 1, 'beta-uid': 5, 'gamma-uid': 0 };
    expect(report.installations.map(figures)).toEqual([
      { scraped: true, views, usage: 1, unlisted: [{ uid: 'team-board', title: 'team-board', views: 2 }], restartsAndFlushes: 1, beta: 46,
        lastViewed: [['alpha-uid', 'string'], ['beta-uid', 'string'], ['gamma-uid', null]] },
      { scraped: true, views, usage: 1, unlisted: [{ uid: null, title: 'Team Board', views: 2 }], restartsAndFlushes: 0, beta: 46,
        lastViewed: [['gamma-uid', null], ['alpha-uid', 'string'], ['beta-uid', 'string']] },
    ]);
    // Last viewed: within the test, and beta (viewed last) after alpha.
    for (const inst of report.installations) {
      const at = (uid: string) => Date.parse(inst.dashboards.find(d => d.uid === uid)?.lastViewed as string) / 1000;
      expect(at('alpha-uid')).toBeGreaterThanOrEqual(Math.floor(stack.started));
      expect(at('beta-uid')).toBeGreaterThan(at('alpha-uid'));
      expect(at('beta-uid')).toBeLessThanOrEqual(time.getTime() / 1000);
    }
    // Shown by the panels of the synthesized usage dashboard, evaluated at the same time over the same range.
    for (const [k, inst] of stack.installations.entries()) {
      const panels = (inst.dashboards[`${inst.name}-usage`] as unknown as { panels: Panel[] }).panels;
      const shown = async (title: string) => {
        const target = panels.find(p => p.title === title)?.targets?.[0] as Target;
        expect(target.instant).toBe(true);
        const data = await stack.prom.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
          `/api/v1/query?query=${encodeURIComponent(target.expr.split('$__range').join(range))}&time=${time.getTime() / 1000}`);
        return Object.fromEntries(data.result.map(r => [r.metric.dashboard_uid ?? '', Number(r.value[1])]));
      };
      const got = report.installations[k];
      const perDashboard = Object.fromEntries([...got.dashboards.map(d => [d.uid, d.views]), [`${inst.name}-usage`, got.usageDashboard.views],
        ...got.unlisted.map(u => [u.uid ?? u.title, u.views])].filter(([, v]) => v !== 0));
      expect(await shown('Views per dashboard')).toEqual(perDashboard);
      expect(Object.keys(await shown('Never-viewed dashboards'))).toEqual(got.dashboards.filter(d => d.views === 0).map(d => d.uid));
      expect((await shown('Time spent per dashboard'))['beta-uid']).toBe(46);
      expect(await shown('Server restarts and cache flushes')).toEqual({ '': got.restartsAndFlushes });
    }
  }, 60_000);

  test('table, markdown, csv and json, from the config\'s prometheus.url', async () => {
    const config = reportConfig('formats', () => ({ url: promUrl() }));
    const range = wholeRange();
    const runs = await Promise.all(['table', 'markdown', 'csv', 'json']
      .map(format => cli(['--config', config, '--range', range, '--format', format])));
    for (const run of runs) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const [table, markdown, csv, json] = runs.map(r => r.stdout.split(range).join('<range>'));
    expect(masked(table)).toMatchSnapshot('table');
    expect(masked(markdown)).toMatchSnapshot('markdown');
    expect(masked(csv)).toMatchSnapshot('csv');
    // The JSON shape.
    const report = JSON.parse(json) as UsageReport;
    expect(report).toMatchObject({
      range: '<range>', installations: [{ name: 'root', cluster: null, prometheus: promUrl(), scraped: true }, { name: 'nested', cluster: 'eu-1' }],
    });
    for (const inst of report.installations) {
      expect(Object.keys(inst))
        .toEqual(expect.arrayContaining(['name', 'cluster', 'prometheus', 'scraped', 'dashboards', 'unlisted', 'restartsAndFlushes']));
      for (const d of inst.dashboards) {
        expect(Object.keys(d)).toEqual(expect.arrayContaining(['uid', 'title', 'file', 'views', 'sessionSeconds', 'lastViewed']));
        expect(Number.isInteger(d.views)).toBe(true);
        if (d.lastViewed !== null) expect(new Date(d.lastViewed).toISOString().replace('.000Z', 'Z')).toBe(d.lastViewed);
      }
      for (const u of inst.unlisted) expect(Object.keys(u).sort()).toEqual(['title', 'uid', 'views']);
    }
  }, 60_000);

  test('--unused-for exits 3 naming exactly the unviewed dashboards, with installation, uid, config path and file', async () => {
    const config = reportConfig('gate', () => ({ url: promUrl() }));
    // The longest duration the data covers: from the later of the two servers' first samples.
    const first = await stack.prom.api<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
      `/api/v1/query?query=${encodeURIComponent('up[1h]')}&time=${Date.now() / 1000}`);
    const since = Math.max(...first.result.map(r => r.values[0][0]));
    // Evaluated at one time, so the window cannot slide past the first views however slow the runs.
    const time = String(Math.floor(Date.now() / 1000));
    const covered = `${Math.floor(Number(time) - since)}s`;
    const run = await cli(['--config', config, '--format', 'json', '--unused-for', covered, '--time', time, '--range', wholeRange()]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 3, stderr: '' });
    const report = JSON.parse(run.stdout) as UsageReport;
    const named = report.installations
      .map(i => ({ name: i.name, sufficient: i.history?.sufficient, unused: i.unused?.map(d => [d.uid, d.configPath, d.file]) }));
    expect(named).toEqual([
      { name: 'root', sufficient: true, unused: [['gamma-uid', 'defaults.dashboards[2]', FILES.gamma]] },
      { name: 'nested', sufficient: true, unused: [['gamma-uid', 'installations[1].dashboards[0]', FILES.gamma]] },
    ]);
    const table = await cli(['--config', config, '--unused-for', covered, '--time', time, '--range', wholeRange()]);
    expect(table.code).toBe(3);
    const gate = table.stdout.substring(table.stdout.indexOf('Unused for'));
    expect(gate.trimEnd().split('\n')).toEqual([
      `Unused for ${covered}: 2 dashboards the config provisions had no view`,
      '  root    gamma-uid  defaults.dashboards[2]          dashboards/gamma.json',
      '  nested  gamma-uid  installations[1].dashboards[0]  dashboards/gamma.json',
    ]);
  }, 60_000);

  test('a duration longer than the data: exit 2 "insufficient history (data since T)", unless --allow-short-history', async () => {
    const config = reportConfig('short', () => ({ url: promUrl() }));
    const run = await cli(['--config', config, '--unused-for', '1h', '--format', 'json', '--range', wholeRange()]);
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as UsageReport;
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const first = await stack.prom.api<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
      `/api/v1/query?query=${encodeURIComponent('up[1h]')}&time=${Date.now() / 1000}`);
    report.installations.forEach((inst, k) => {
      expect(inst.unused).toBeUndefined();
      expect(lines[k]).toBe(`${inst.name}: insufficient history (data since ${inst.history?.dataSince}) for --unused-for 1h; `
        + '--allow-short-history applies the gate to the data there is');
      // The first sample, found to the search step (2 s for 1h at a 1 s interval).
      const sample = first.result.find(r => r.metric.job === `${inst.name}-analytics`)?.values[0][0] as number;
      const found = Date.parse(inst.history?.dataSince as string) / 1000;
      expect(found).toBeGreaterThanOrEqual(Math.floor(sample));
      expect(found).toBeLessThanOrEqual(Math.ceil(sample) + 2);
    });
    const allowed = await cli(['--config', config, '--unused-for', '1h', '--allow-short-history', '--format', 'json', '--range', wholeRange()]);
    expect({ code: allowed.code, stderr: allowed.stderr }).toEqual({ code: 3, stderr: '' });
    expect((JSON.parse(allowed.stdout) as UsageReport).installations.map(i => i.unused?.map(d => d.uid))).toEqual([['gamma-uid'], ['gamma-uid']]);
  }, 60_000);

  test('a Prometheus that is down, answers 401, answers HTML or never answers: exit 2, one line naming the URL, the others reported', async () => {
    const unauthorized = await startRecordingServer(sandbox, () => ({
      status: 401, headers: { 'Content-Type': 'text/plain' }, body: 'Unauthorized\n',
    }));
    const html = await startRecordingServer(sandbox, () => ({
      status: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      body: '<!DOCTYPE html>\n<html><head><title>Grafana</title></head><body>Sign in</body></html>',
    }));
    const held = new Set<net.Socket>();
    const silent = net.createServer(socket => { held.add(socket); /* accepts, never answers */ });
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
    sandbox.onCleanup(() => new Promise<void>(resolve => {
      for (const socket of held) socket.destroy();
      silent.close(() => resolve());
    }));
    const down = `http://127.0.0.1:${await freePort()}`;
    const lost = 'nested: Prometheus did not answer: http://127.0.0.1:';
    const notApi = 'with a body that is not the Prometheus API';
    const cases: [string, string, RegExp][] = [
      ['down', down, line(lost, /\d+: connection refused \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)/)],
      ['401', `http://127.0.0.1:${unauthorized.port}`, line(lost, /\d+: HTTP 401 Unauthorized /, notApi, / \(text\/plain: "Unauthorized"\)/)],
      ['html', `http://127.0.0.1:${html.port}/prometheus`, line(lost, /\d+\/prometheus: answered HTTP 200 /, notApi,
        / \(text\/html; charset=utf-8: "<!DOCTYPE html> <html><head><title>Grafana<\/title><\/head><bo…"\)/)],
      ['timeout', `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, line(lost, /\d+: no answer within 1 s/)],
    ];
    for (const [name, url, line] of cases) {
      const config = reportConfig(`broken-${name}`, inst => ({ url: inst === 'root' ? promUrl() : url }));
      const run = await cli(['--config', config, '--format', 'json', '--timeout', '1s', '--range', wholeRange()]);
      expect(run.code).toBe(2);
      expect(run.stderr).not.toContain('    at ');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(line);
      expect(lines[0]).toContain(url);
      const [root, nested] = (JSON.parse(run.stdout) as UsageReport).installations;
      expect(root).toMatchObject({ scraped: true, restartsAndFlushes: 1 });
      expect(root.error).toBeUndefined();
      expect(root.dashboards.map(d => d.views)).toEqual([1, 5, 0]);
      expect(nested).toMatchObject({ scraped: null, restartsAndFlushes: null, prometheus: url });
      expect(nested.dashboards.map(d => d.views)).toEqual([null, null, null]);
    }
  }, 60_000);

  test('sends X-Scope-OrgID and the bearer token of prometheus.bearerTokenFile with every query; "not scraped" never reads as 0 views', async () => {
    const empty = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } });
    const tenant = await startRecordingServer(sandbox, () => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: empty }));
    fs.writeFileSync(path.join(dir, 'token'), 's3cr3t-token\n');
    const config = reportConfig('tenant', () => ({
      url: `http://127.0.0.1:${tenant.port}/prometheus`, headers: { 'X-Scope-OrgID': 'team-a' }, bearerTokenFile: 'token',
    }));
    const run = await cli(['--config', config, '--installation', 'nested', '--range', '1h']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(tenant.received.length).toBeGreaterThanOrEqual(7);
    for (const req of tenant.received) {
      expect({ method: req.method, url: req.url, tenant: req.headers['x-scope-orgid'], auth: req.headers.authorization }).toEqual({
        method: 'POST', url: '/prometheus/api/v1/query', tenant: 'team-a', auth: 'Bearer s3cr3t-token',
      });
    }
    // No sample of `up` at all: the views are unknown, not 0.
    expect(run.stdout).toMatch(/^nested +gamma-uid +Gamma, "quoted" +dashboards\/gamma\.json +not scraped +- +-$/m);
    expect(run.stdout).toMatch(/^nested +eu-1 +http:\/\/127\.0\.0\.1:\d+\/prometheus +no \(no target\) +-$/m);
    expect(run.stdout).not.toMatch(/^root /m);
  }, 60_000);
});
