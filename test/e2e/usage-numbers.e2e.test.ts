/**
 * Usage numbers end to end, under Prometheus' real timing: the fake analytics server (counting
 * like the real one) runs with the synthesized Deployment's args, behind a slow network (/metrics
 * answers 40-80 % of the scrape interval late); a real Prometheus scrapes it through the
 * synthesized ServiceMonitor (translated as prometheus-operator does) and evaluates the
 * synthesized PrometheusRule; beacons are posted exactly as plugin 2.1.0 builds them from the
 * synthesized dashboards. Then every query of the synthesized usage dashboard is evaluated as
 * Grafana would and each figure is compared with what was sent.
 *
 * Six installations, so that rule evaluations fall at several phases of their scrapes (each
 * target's and each rule group's phase comes from a hash): three with Grafana at the root, three
 * under /tools/grafana; half are restarted mid-test, the other half flush their cache by
 * exceeding --max-cache-size. The scenario: views only after the first scrape; dashboards viewed
 * 0, 1, 2 and many times; new role, theme and locale combinations mid-range; a session whose
 * labels change between beacons; a dashboard not listed in the config; views while every scrape
 * fails for 2+ intervals (503 or no answer); views and a label change while Prometheus is stopped,
 * then started again on the same TSDB; a restart or flush. The only deviations allowed are the two
 * the server makes unavoidable: a view that arrived after the last scrape before the restart/flush
 * is gone, and a session open across it is counted again at its next beacon.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { resolveConfig } from '../../lib';
import { synthesize, SynthesizedInstallation } from '../../lib/constructs/synth';
import { addAnalyticsPanel, analyticsPanel } from '../../lib/grafana/analytics-panel';
import { beacon, DashboardModel } from '../support/e2e/beacon';
import { FakeAnalyticsServer, startFakeAnalyticsServer, VIEWERS } from '../support/e2e/fake-analytics-server';
import { request } from '../support/e2e/http';
import { RunningPrometheus, startPrometheus } from '../support/e2e/prometheus';
import { Sandbox, waitFor } from '../support/e2e/sandbox';
import { describeWithPrograms, findProgram } from '../support/e2e/tools';
import { dashboardsOf, only, writePrometheusConfig } from '../support/e2e/usage-stack';

/** Scrape interval set in the config (the ServiceMonitor's); short to keep the suite fast. */
const SCRAPE_SECONDS = 2;
/** Grafana's `$__interval` for these short ranges: its floor, the data source's scrape interval. */
const INTERVAL = `${SCRAPE_SECONDS}s`;
/** How late each installation's /metrics answers, as a share of the interval (the timeout is the interval). */
const LATENESS = [0.4, 0.8, 0.55, 0.7, 0.45, 0.65];
/** Generous bounds for what takes a few intervals on a quiet machine (the machine may be busy). */
const WAIT_MS = 60000;

const [alice, bob, carol, dave] = VIEWERS;
const TITLES = { alpha: 'Alpha Service', beta: 'Beta / Latency', gamma: 'Gamma "quoted" $dollar' } as const;
/** Sessions each installation holds before its restart or flush: a flushing one holds no more. */
const SESSIONS_BEFORE_FLUSH = 17;

interface Installation {
  readonly name: string;
  readonly rootUrl: string;
  /** Restarted mid-test; the others flush their cache. */
  readonly restarts: boolean;
  readonly synthesized: SynthesizedInstallation;
  /** Provisioned dashboards as Grafana loads them (from the ConfigMaps), by key. */
  readonly dashboards: Record<'alpha' | 'beta' | 'gamma' | 'usage', DashboardModel>;
  /** A dashboard not listed in the config, carrying the library's panel with its default options. */
  readonly unlisted: DashboardModel;
  server: FakeAnalyticsServer;
}

const NAMES = ['root-a', 'root-b', 'root-c', 'nested-a', 'nested-b', 'nested-c'];
/** Which installations restart (the others flush): both kinds at the root and under a sub-path. */
const RESTARTS = new Set(['root-a', 'root-c', 'nested-b']);

function configure(dir: string): SynthesizedInstallation[] {
  const files = Object.entries(TITLES).map(([key, title]) => {
    const file = path.join(dir, `${key}.json`);
    fs.writeFileSync(file, JSON.stringify({ uid: `${key}-uid`, title, panels: [], schemaVersion: 39 }));
    return file;
  });
  const config = {
    defaults: { serviceMonitor: { interval: `${SCRAPE_SECONDS}s` }, dashboards: files },
    installations: NAMES.map(name => ({
      name,
      grafana: name.startsWith('root') ? { host: `${name}.example.com` } : { host: `${name}.example.com`, subPath: '/tools/grafana' },
      // The sessions before the restart/flush phase fit; the next one makes the server flush its cache.
      ...(RESTARTS.has(name) ? {} : { server: { maxCacheSize: SESSIONS_BEFORE_FLUSH } }),
    })),
  };
  return synthesize(resolveConfig(config, path.join(dir, 'config.yaml')));
}

interface Target { readonly expr: string; readonly legendFormat?: string; readonly instant?: boolean; readonly range?: boolean }
interface Panel { readonly title: string; readonly type: string; readonly targets?: Target[] }

type Figures = Record<string, number>;
/** Names a panel shows more than once. */
const DUPLICATES = Symbol('duplicates');

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describeWithPrograms('usage numbers end to end (real Prometheus, slow and failing scrapes, Prometheus restarted)', {
  prometheus: findProgram('prometheus'),
  promtool: findProgram('promtool'),
}, ({ prometheus, promtool }) => {
  const sandbox = new Sandbox();
  let prom: RunningPrometheus;
  let configFile: string;
  let installations: Installation[];
  let from: number;

  async function post(inst: Installation, type: 'start' | 'heartbeat' | 'end', uuid: string, dashboard: DashboardModel, viewer = alice,
    extra: { theme?: 'light' | 'dark'; locale?: string; time?: number } = {}): Promise<void> {
    const body = JSON.stringify(beacon({ type, uuid, rootUrl: inst.rootUrl, dashboard, viewer, time: extra.time ?? 1000, ...extra }));
    const res = await request({ port: inst.server.port, host: 'analytics', path: '/write', method: 'POST', body });
    expect(res.status).toBe(201);
  }

  const query = async (expr: string) => (await prom.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
    `/api/v1/query?query=${encodeURIComponent(expr)}`)).result;
  const job = (inst: Installation) => `namespace="${inst.synthesized.installation.namespace}", job="${inst.name}-analytics"`;

  /**
   * Waits until the rules of every installation have evaluated a scrape that started after
   * everything posted so far was processed: a successful scrape newer than now has been appended
   * (seen at wall time t), then the group evaluated twice after t (a late evaluation takes the
   * newest interval slot as its timestamp, so the second one's is past t).
   */
  async function recorded(): Promise<void> {
    await Promise.all(installations.map(i => i.server.settled()));
    const since = Date.now() / 1000;
    await Promise.all(installations.map(async inst => {
      const seen = await waitFor(`a successful scrape of ${inst.name} after ${since}`, async () => {
        const up = await query(`timestamp(up{${job(inst)}}) > ${since} and up{${job(inst)}} == 1`);
        return up.length === 1 ? Date.now() / 1000 : undefined;
      }, { timeoutMs: WAIT_MS, intervalMs: 100, process: prom.process });
      const evaluated = (after: number) => waitFor(`an evaluation of ${inst.name}'s rules after ${after}`, async () => {
        const { groups } = await prom.api<{ groups: { name: string; lastEvaluation: string }[] }>('/api/v1/rules');
        const last = Date.parse(groups.find(g => g.name === `grafana-analytics.${inst.name}`)?.lastEvaluation ?? '') / 1000;
        return last > after ? last : undefined;
      }, { timeoutMs: WAIT_MS, intervalMs: 100, process: prom.process });
      await evaluated(await evaluated(seen));
    }));
  }

  async function startPrometheusAgain(dataDir?: string): Promise<void> {
    prom = await startPrometheus(sandbox, prometheus, configFile, dataDir);
  }

  beforeAll(async () => {
    const dir = sandbox.tempDir('usage-config');
    installations = configure(dir).map(s => {
      const all = dashboardsOf(s);
      const byUid = (uid: string) => all.find(d => d.uid === uid)!;
      const root = s.installation.grafana.subPath;
      return {
        name: s.installation.name,
        rootUrl: `https://${s.installation.grafana.host}${root.endsWith('/') ? root : `${root}/`}`,
        restarts: RESTARTS.has(s.installation.name),
        synthesized: s,
        dashboards: { alpha: byUid('alpha-uid'), beta: byUid('beta-uid'), gamma: byUid('gamma-uid'), usage: byUid(`${s.installation.name}-usage`) },
        unlisted: addAnalyticsPanel({ uid: 'team-board', title: 'Team Board', panels: [] }, analyticsPanel({ server: '/analytics-plugin/write' })),
        server: undefined as unknown as FakeAnalyticsServer,
      };
    });
    for (const [k, inst] of installations.entries()) {
      const deployment = only(inst.synthesized, 'Deployment')[0] as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
      inst.server = await startFakeAnalyticsServer(sandbox, { args: deployment.spec.template.spec.containers[0].args });
      inst.server.metricsDelayMs = LATENESS[k] * SCRAPE_SECONDS * 1000;
    }
    configFile = writePrometheusConfig(dir, promtool, installations);
    from = Date.now() / 1000 - 1;
    await startPrometheusAgain();
    await waitFor('a successful scrape of every server', async () =>
      ((await query('up == 1')).length === installations.length ? true : undefined), { timeoutMs: WAIT_MS, intervalMs: 100, process: prom.process });
    await recorded();
  }, 3 * WAIT_MS);

  afterAll(() => sandbox.cleanup());

  test('every figure of the usage dashboard equals what was sent, except the two stated losses', async () => {
    const sessionX = new Map<string, string>();
    const sessionZ = new Map<string, string>();
    // Phase 1, after the first scrape: alpha once, beta twice, the usage dashboard and the unlisted one once.
    for (const inst of installations) {
      const { alpha, beta, usage } = inst.dashboards;
      await post(inst, 'start', randomUUID(), alpha, alice);
      await post(inst, 'start', randomUUID(), beta, bob);
      await post(inst, 'start', randomUUID(), beta, carol);
      await post(inst, 'start', randomUUID(), usage, alice);
      sessionZ.set(inst.name, randomUUID());
      await post(inst, 'start', sessionZ.get(inst.name)!, inst.unlisted, dave);
    }
    await recorded();
    // Phase 2: beta many times on an existing series, a new theme and a new locale, a session whose
    // labels change before its end beacon; the usage dashboard a second time.
    for (const inst of installations) {
      const { beta, usage } = inst.dashboards;
      sessionX.set(inst.name, randomUUID());
      await post(inst, 'start', sessionX.get(inst.name)!, beta, carol, { time: 2000 });
      for (let i = 0; i < 4; i++) await post(inst, 'start', randomUUID(), beta, carol);
      await post(inst, 'start', randomUUID(), beta, alice, { theme: 'light' });
      await post(inst, 'start', randomUUID(), beta, bob, { locale: 'de-DE' });
      await post(inst, 'start', randomUUID(), usage, alice);
      await post(inst, 'end', sessionX.get(inst.name)!, beta, carol, { time: 2030, theme: 'light' });
    }
    await recorded();
    // Phase 3: every scrape fails (503 on half the installations, no answer at all on the others)
    // while alpha and beta (on a new locale) are viewed, for at least two more intervals.
    for (const [k, inst] of installations.entries()) inst.server.metricsFailure = k % 2 === 0 ? 'status-503' : 'no-answer';
    await waitFor('a failed scrape of every server', async () =>
      ((await query('up == 0')).length === installations.length ? true : undefined), { timeoutMs: WAIT_MS, intervalMs: 100, process: prom.process });
    const failedBefore = installations.map(i => i.server.failedScrapes);
    for (const inst of installations) {
      await post(inst, 'start', randomUUID(), inst.dashboards.alpha, carol);
      await post(inst, 'start', randomUUID(), inst.dashboards.beta, bob, { locale: 'fr-FR' });
    }
    await waitFor('two more failed scrapes of every server', async () =>
      (installations.every((inst, k) => inst.server.failedScrapes >= failedBefore[k] + 2) ? true : undefined),
    { timeoutMs: WAIT_MS, intervalMs: 50 });
    for (const inst of installations) inst.server.metricsFailure = undefined;
    await recorded();
    // Phase 4: Prometheus stopped; meanwhile alpha and the usage dashboard are viewed, and session X
    // moves back to the dark theme (its light series vanishes without a staleness marker). Then
    // Prometheus starts again on the same TSDB.
    await sandbox.stop(prom.process);
    for (const inst of installations) {
      await post(inst, 'start', randomUUID(), inst.dashboards.alpha, alice);
      await post(inst, 'start', randomUUID(), inst.dashboards.usage, bob);
      await post(inst, 'heartbeat', sessionX.get(inst.name)!, inst.dashboards.beta, carol, { time: 2040, theme: 'dark' });
    }
    await Promise.all(installations.map(i => i.server.settled()));
    await sleep(3000 * SCRAPE_SECONDS);
    await startPrometheusAgain(prom.dataDir);
    await recorded();
    const durationsBefore = installations.map(i => durationsOf(i.server.peek()));
    // Phase 5: a view of beta that no scrape sees: the restarting installations restart right
    // after it; the others' cache (17 sessions) overflows with it and is flushed.
    for (const inst of installations) {
      expect([inst.name, inst.server.sessions]).toEqual([inst.name, SESSIONS_BEFORE_FLUSH]);
      await post(inst, 'start', randomUUID(), inst.dashboards.beta, carol);
      // No scrape can come between: the beacon is processed and the process replaced in one turn.
      await inst.server.settled();
      if (inst.restarts) inst.server.restart();
    }
    expect(installations.map(i => [i.name, i.server.sessions, i.server.flushes])).toEqual(installations.map(i => [i.name, 0, i.restarts ? 0 : 1]));
    await recorded();
    // Phase 6, after the restart/flush: beta again on a series seen before it (born again at 1), a
    // session with an end beacon, the unlisted dashboard again, and the end beacon of a session
    // opened before the restart (counted again).
    for (const inst of installations) {
      const { beta } = inst.dashboards;
      const w = randomUUID();
      await post(inst, 'start', w, beta, carol, { time: 3000 });
      await post(inst, 'end', w, beta, carol, { time: 3045 });
      await post(inst, 'start', randomUUID(), inst.unlisted, dave);
      await post(inst, 'end', sessionZ.get(inst.name)!, inst.unlisted, dave, { time: 1500 });
    }
    await recorded();
    const durationsAfter = installations.map(i => durationsOf(i.server.peek()));
    const to = Date.now() / 1000;

    const failures: string[] = [];
    let figures = 0;
    for (const [k, inst] of installations.entries()) {
      const t = (key: 'alpha' | 'beta' | 'gamma' | 'usage') => inst.dashboards[key].title;
      // Sent: alpha 1 + 1 + 1 = 3, beta 2 + 7 + 1 + 1 + 1 = 12, gamma 0, usage 2 + 1 = 3, unlisted 2.
      // The unlisted dashboard shows under its uid at the root, under its name below a sub-path (the
      // plugin's uid is "grafana"). Shown: beta loses the view nobody scraped (phase 5); the
      // unlisted dashboard's session Z counts again.
      const unlisted = inst.name.startsWith('root') ? inst.unlisted.uid : inst.unlisted.title;
      const views: Figures = { [t('alpha')]: 3, [t('beta')]: 12 - 1, [t('usage')]: 3, [unlisted]: 2 + 1 };
      const expected: Record<string, Figures> = {
        'Views per dashboard': views,
        'Least-used dashboards': { ...views, [t('gamma')]: 0 },
        'Never-viewed dashboards': { [t('gamma')]: 0 },
        'Sessions by role': { admin: 5, editor: 4, user: 12 - 1 },
        'Time spent per dashboard': sumFigures(durationsBefore[k], durationsAfter[k], inst),
        'Views over time': views,
        'Server restarts and cache flushes': { '': 1 },
      };
      const panels = (inst.dashboards.usage as unknown as { panels: Panel[] }).panels.filter(p => p.targets && p.targets.length > 0);
      for (const [title, want] of Object.entries(expected)) {
        const panel = panels.find(p => p.title === title);
        const got = panel ? await evaluate(panel, from, to) : undefined;
        for (const [name, value] of Object.entries(want)) {
          figures += 1;
          const shown = got?.[name] ?? (title.startsWith('Never') || got === undefined ? undefined : 0);
          if (shown !== value) failures.push(`${inst.name} / ${title} / ${name || 'total'}: expected ${value}, shown ${shown ?? 'nothing'}`);
        }
        // Anything else shown is wrong too, a 0 or a second entry under the same name included.
        for (const [name, value] of Object.entries(got ?? {})) {
          if (!(name in want)) failures.push(`${inst.name} / ${title}: unexpected ${name} = ${value}`);
        }
        for (const name of got?.[DUPLICATES] ?? []) failures.push(`${inst.name} / ${title}: ${name} shown more than once`);
      }
    }
    const wrong = new Set(failures.map(f => f.split(' / ')[0]));
    console.log(`usage figures: ${figures - failures.length} of ${figures} exact; installations with a wrong figure: ${wrong.size} of `
      + `${installations.length}\n${failures.join('\n')}`);
    expect(failures).toEqual([]);
  }, 10 * WAIT_MS);

  /** The figures a panel shows: instant queries by legend; range queries summed over the range. */
  async function evaluate(panel: Panel, start: number, end: number): Promise<Figures & { [DUPLICATES]?: string[] }> {
    const out: Figures & { [DUPLICATES]?: string[] } = {};
    const seen = new Set<string>();
    const add = (name: string, value: number) => {
      if (seen.has(name)) (out[DUPLICATES] ??= []).push(name);
      seen.add(name);
      out[name] = (out[name] ?? 0) + value;
    };
    for (const target of panel.targets ?? []) {
      const range = Math.round(end - start);
      const expr = target.expr
        .replace(/\$__interval/g, INTERVAL)
        .replace(/\$__range/g, `${range}s`);
      const legend = (labels: Record<string, string>) =>
        (target.legendFormat ?? '').replace(/\{\{\s*(\w+)\s*\}\}/g, (_, l: string) => labels[l] ?? '');
      if (target.range) {
        const data = await prom.api<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
          `/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${end - range}&end=${end}&step=${SCRAPE_SECONDS}`);
        for (const r of data.result) add(legend(r.metric), r.values.reduce((n, [, v]) => n + Number(v), 0));
      } else {
        const data = await prom.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
          `/api/v1/query?query=${encodeURIComponent(expr)}&time=${end}`);
        for (const r of data.result) add(legend(r.metric), Number(r.value[1]));
      }
    }
    return out;
  }

  function sumFigures(before: Record<string, number>, after: Record<string, number>, inst: Installation): Figures {
    const out: Figures = {};
    for (const d of [before, after]) for (const [name, v] of Object.entries(d)) {
      const title = Object.values(inst.dashboards).find(x => x.uid === name || x.title === name)?.title ?? name;
      out[title] = (out[title] ?? 0) + v;
    }
    return out;
  }
});

/** Per-session durations summed per dashboard name label, from an exposition. */
function durationsOf(exposition: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of exposition.split('\n')) {
    const m = /^grafana_analytics_sessions_duration_seconds_total\{.*dashboard_name="((?:[^"\\]|\\.)*)".*\} (\S+)$/.exec(line);
    if (m) out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
  }
  return out;
}
