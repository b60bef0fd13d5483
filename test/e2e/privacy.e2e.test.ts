/**
 * Privacy end to end: a real Prometheus scrapes an analytics server that emits user identity
 * (user metrics on), through scrape jobs translated from the synthesized ServiceMonitors the way
 * prometheus-operator translates them. What Prometheus stores is asserted through its HTTP API.
 */
import * as fs from 'fs';
import { parseConfigYaml } from '../../lib/app/load';
import { resolveAnalyticsConfig } from '../../lib';
import { KubeObject, synthesize, SynthesizedInstallation } from '../../lib/constructs/synth';
import { beacon } from '../support/e2e/beacon';
import { DASHBOARDS, FakeAnalyticsServer, startFakeAnalyticsServer, VIEWERS } from '../support/e2e/fake-analytics-server';
import { request } from '../support/e2e/http';
import { RunningPrometheus, startPrometheus, writeCheckedConfig } from '../support/e2e/prometheus';
import { discoveredTargets, scrapeJob } from '../support/e2e/prometheus-operator';
import { Sandbox, waitFor } from '../support/e2e/sandbox';
import { describeWithPrograms, findProgram } from '../support/e2e/tools';
import { EXAMPLE_CONFIG } from '../support/example';

const IDENTITY_LABELS = ['user_login', 'user_name', 'user_email'];
const SESSION_METRICS = ['grafana_analytics_sessions_total', 'grafana_analytics_sessions_duration_seconds_total'];

/**
 * The example installations, plus two built for this test: `identity-opt-in` (user identity in
 * metrics by explicit opt-in) and `privacy-control` (like prod-eu; its job has the metric
 * relabelings removed to show what would be stored without them). A 1 s scrape interval instead
 * of the default keeps the suite short; the job still reads it from the ServiceMonitor.
 */
function installations(): SynthesizedInstallation[] {
  const config = parseConfigYaml(fs.readFileSync(EXAMPLE_CONFIG, 'utf8')) as {
    defaults?: { serviceMonitor?: Record<string, unknown> };
    installations: Record<string, unknown>[];
  };
  config.defaults = { ...config.defaults, serviceMonitor: { ...config.defaults?.serviceMonitor, interval: '1s' } };
  config.installations.push(
    { name: 'identity-opt-in', grafana: { host: 'grafana.opt-in.example.com' }, server: { storeUserIdentityInMetrics: true } },
    { name: 'privacy-control', grafana: { host: 'grafana.control.example.com' } },
  );
  // The example's source path: dashboard files are resolved relative to it.
  return synthesize(resolveAnalyticsConfig(config, EXAMPLE_CONFIG).installations);
}

type Series = Record<string, string>;

const synthesized = installations();
const EXAMPLES = synthesized.map(s => s.installation.name).filter(n => n !== 'identity-opt-in' && n !== 'privacy-control');

describeWithPrograms('privacy end to end (real Prometheus)', {
  prometheus: findProgram('prometheus'),
  promtool: findProgram('promtool'),
}, ({ prometheus, promtool }) => {
  const sandbox = new Sandbox();
  let server: FakeAnalyticsServer;
  let futureServer: FakeAnalyticsServer;
  let prom: RunningPrometheus;
  /** Prometheus `job` label (the Service name, as the operator sets it) per installation. */
  const jobOf = new Map<string, string>();

  beforeAll(async () => {
    // Two pods behind each Service: today's server, and a future one that also labels user_email.
    server = await startFakeAnalyticsServer(sandbox);
    futureServer = await startFakeAnalyticsServer(sandbox, { emitUserEmail: true });
    // One session (start and end, so it has a duration) per viewer and dashboard, before the first scrape.
    for (const fake of [server, futureServer]) {
      for (const viewer of VIEWERS) {
        for (const d of DASHBOARDS) {
          for (const [type, time] of [['start', 1000], ['end', 1030]] as const) {
            const body = JSON.stringify(
              beacon({
                type,
                uuid: `${viewer.login}-${d.uid}`,
                rootUrl: 'https://grafana.example.com/',
                viewer,
                time,
                dashboard: {
                  uid: d.uid,
                  title: d.name,
                  panels: [{ type: 'macropower-analytics-panel', options: { analyticsOptions: { dashboard: '$__dashboard' } } }],
                },
              }),
            );
            expect((await request({ port: fake.port, host: 'analytics', path: '/write', method: 'POST', body })).status).toBe(201);
          }
        }
      }
      await fake.settled();
    }
    const addresses = [`127.0.0.1:${server.port}`, `127.0.0.1:${futureServer.port}`];
    const jobs = synthesized.map(s => {
      const service = only(s, 'Service');
      const serviceMonitor = only(s, 'ServiceMonitor');
      jobOf.set(s.installation.name, service.metadata.name);
      const job = scrapeJob(serviceMonitor, 0, discoveredTargets(service, addresses));
      if (s.installation.name === 'privacy-control') {
        expect(job.metric_relabel_configs).toBeDefined();
        delete job.metric_relabel_configs;
      }
      return job;
    });
    const dir = sandbox.tempDir('e2e-prometheus-config');
    const configFile = writeCheckedConfig(dir, promtool, { global: { scrape_interval: '1m' }, scrape_configs: jobs });
    prom = await startPrometheus(sandbox, prometheus, configFile);
    // Wait until every target was scraped successfully: its samples are then stored.
    await waitFor('a successful scrape of every target', async () => {
      const up = await prom.api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent('up == 1')}`);
      return up.result.length === synthesized.length * addresses.length ? true : undefined;
    }, { timeoutMs: 30000, intervalMs: 250, process: prom.process });
  }, 90000); // Prometheus' start and first scrape have their own 30 s limits

  afterAll(() => sandbox.cleanup());

  async function storedSeries(installation: string): Promise<Series[]> {
    const match = `{__name__=~"${SESSION_METRICS.join('|')}",job="${jobOf.get(installation)}"}`;
    return prom.api<Series[]>(`/api/v1/series?match[]=${encodeURIComponent(match)}`);
  }

  test.each(EXAMPLES)('%s: no stored series carries user identity; dashboard and role labels are kept', async name => {
    // WHEN
    const series = await storedSeries(name);
    // THEN both session metrics were stored from both pods
    for (const metric of SESSION_METRICS) {
      expect(new Set(series.filter(s => s.__name__ === metric).map(s => s.instance)).size).toBe(2);
    }
    // no identity label, and no identity value under any other label
    const identityValues = new Set(VIEWERS.flatMap(v => [v.login, v.name, v.email]));
    const leaks = series.flatMap(s => Object.entries(s)
      .filter(([k, v]) => IDENTITY_LABELS.includes(k) || identityValues.has(v))
      .map(([k, v]) => `${k}="${v}"`));
    expect(leaks).toEqual([]);
    // what the dashboards need is still there
    expect(new Set(series.map(s => s.dashboard_uid))).toEqual(new Set(DASHBOARDS.map(d => d.uid)));
    expect(new Set(series.map(s => s.dashboard_name))).toEqual(new Set(DASHBOARDS.map(d => d.name)));
    expect(new Set(series.map(s => s.user_role))).toEqual(new Set(VIEWERS.map(v => v.role)));
  });

  test('control: without the metric relabelings the same scrape stores user_login, user_name and user_email', async () => {
    const series = await storedSeries('privacy-control');
    expect(new Set(series.map(s => s.user_login))).toEqual(new Set(VIEWERS.map(v => v.login)));
    expect(new Set(series.map(s => s.user_name))).toEqual(new Set(VIEWERS.map(v => v.name)));
    expect(new Set(series.filter(s => s.instance === `127.0.0.1:${futureServer.port}`).map(s => s.user_email)))
      .toEqual(new Set(VIEWERS.map(v => v.email)));
  });

  test('identity opt-in: nothing is dropped, so every per-user series is stored and counts stay whole', async () => {
    const series = await storedSeries('identity-opt-in');
    const perMetricAndPod = VIEWERS.length * DASHBOARDS.length;
    expect(series).toHaveLength(SESSION_METRICS.length * 2 * perMetricAndPod);
    expect(new Set(series.map(s => s.user_login))).toEqual(new Set(VIEWERS.map(v => v.login)));
  });
});

function only(s: SynthesizedInstallation, kind: string): KubeObject {
  const found = s.objects.filter(o => o.kind === kind);
  if (found.length !== 1) throw new Error(`${s.installation.name}: expected one ${kind}, found ${found.length}`);
  return found[0];
}
