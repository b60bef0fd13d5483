/**
 * The usage pipeline for real: one fake analytics server per installation (counting like the
 * real one) started with the synthesized Deployment's args, and a real Prometheus scraping each
 * through its synthesized ServiceMonitor (translated as prometheus-operator does) and evaluating
 * its synthesized PrometheusRule. Beacons are posted as plugin 2.1.0 builds them from the
 * synthesized dashboards.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AnalyticsConfig } from '../../../lib/config/schema';
import { resolveConfig } from '../../../lib/app/load';
import { KubeObject, synthesize, SynthesizedInstallation } from '../../../lib/constructs/synth';
import { beacon, DashboardModel } from './beacon';
import { FakeAnalyticsServer, startFakeAnalyticsServer, Viewer, VIEWERS } from './fake-analytics-server';
import { request } from './http';
import { RunningPrometheus, startPrometheus, writeCheckedConfig } from './prometheus';
import { discoveredTargets, scrapeJob } from './prometheus-operator';
import { Sandbox, waitFor } from './sandbox';

export interface StackInstallation {
  readonly name: string;
  /** Grafana's public root URL, ending in `/`. */
  readonly rootUrl: string;
  readonly synthesized: SynthesizedInstallation;
  /** Every dashboard Grafana loads from the installation's ConfigMaps (the usage dashboard too), by uid. */
  readonly dashboards: Readonly<Record<string, DashboardModel>>;
  readonly server: FakeAnalyticsServer;
}

export interface UsageStack {
  readonly prom: RunningPrometheus;
  readonly installations: readonly StackInstallation[];
  /** Unix seconds just before Prometheus started. */
  readonly started: number;
  /** Posts one beacon as the plugin would; the server must accept it (201). */
  post(inst: StackInstallation, o: BeaconPost): Promise<void>;
  /** Resolves once Prometheus has scraped every server twice more after everything posted so far was processed. */
  scraped(): Promise<void>;
}

export interface BeaconPost {
  readonly type: 'start' | 'heartbeat' | 'end';
  readonly uuid: string;
  readonly dashboard: DashboardModel;
  /** @default the first viewer */
  readonly viewer?: Viewer;
  /** Unix seconds. @default 1000 */
  readonly time?: number;
  readonly theme?: 'light' | 'dark';
  readonly locale?: string;
}

export function only(s: SynthesizedInstallation, kind: string): KubeObject[] {
  return s.objects.filter(o => o.kind === kind);
}

/** The dashboards of an installation's ConfigMaps, as Grafana's sidecar would load them. */
export function dashboardsOf(s: SynthesizedInstallation): DashboardModel[] {
  return only(s, 'ConfigMap').flatMap(cm => Object.values((cm as { data?: Record<string, string> }).data ?? {})
    .filter(v => v.startsWith('{')).map(v => JSON.parse(v) as DashboardModel));
}

/**
 * A checked Prometheus config in `dir` that scrapes each installation's server through its
 * synthesized ServiceMonitor and evaluates its synthesized PrometheusRule; returns the file.
 */
export function writePrometheusConfig(
  dir: string, promtool: string, installations: readonly Pick<StackInstallation, 'name' | 'synthesized' | 'server'>[],
): string {
  const jobs = installations.map(inst => scrapeJob(only(inst.synthesized, 'ServiceMonitor')[0], 0,
    discoveredTargets(only(inst.synthesized, 'Service')[0], [`127.0.0.1:${inst.server.port}`])));
  // The operator writes each PrometheusRule's spec as a rule file.
  const ruleFiles = installations.map(inst => {
    const file = path.join(dir, `${inst.name}.rules.yaml`);
    fs.writeFileSync(file, JSON.stringify(only(inst.synthesized, 'PrometheusRule')[0].spec));
    return file;
  });
  // Prometheus' defaults (1m) everywhere else: the rules must carry their own interval.
  return writeCheckedConfig(dir, promtool, {
    global: { scrape_interval: '1m', evaluation_interval: '1m' }, rule_files: ruleFiles, scrape_configs: jobs,
  });
}

/**
 * Synthesizes `config` (relative dashboard files from `configFile`'s folder), starts a server per
 * installation and Prometheus, and waits for a first successful scrape of every server.
 */
export async function startUsageStack(
  sandbox: Sandbox, programs: { prometheus: string; promtool: string }, config: AnalyticsConfig, configFile: string,
): Promise<UsageStack> {
  const dir = sandbox.tempDir('usage-stack');
  const installations: StackInstallation[] = [];
  for (const s of synthesize(resolveConfig(config, configFile))) {
    const deployment = only(s, 'Deployment')[0] as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    const root = s.installation.grafana.subPath;
    installations.push({
      name: s.installation.name,
      rootUrl: `https://${s.installation.grafana.host}${root.endsWith('/') ? root : `${root}/`}`,
      synthesized: s,
      dashboards: Object.fromEntries(dashboardsOf(s).map(d => [d.uid, d])),
      server: await startFakeAnalyticsServer(sandbox, { args: deployment.spec.template.spec.containers[0].args }),
    });
  }
  const promConfig = writePrometheusConfig(dir, programs.promtool, installations);
  const started = Date.now() / 1000 - 1;
  const prom = await startPrometheus(sandbox, programs.prometheus, promConfig);
  const scrapesOf = (inst: StackInstallation) => inst.server.received.filter(r => r.url === '/metrics').length;
  const scraped = async () => {
    await Promise.all(installations.map(i => i.server.settled()));
    const before = installations.map(scrapesOf);
    await waitFor('two more scrapes of every server', async () =>
      (installations.every((inst, k) => scrapesOf(inst) >= before[k] + 2) ? true : undefined),
    { timeoutMs: 30000, intervalMs: 50, process: prom.process });
  };
  await waitFor('a successful scrape of every server', async () => {
    const up = await prom.api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent('up == 1')}`);
    return up.result.length === installations.length ? true : undefined;
  }, { timeoutMs: 30000, intervalMs: 100, process: prom.process });
  await scraped();
  const post = async (inst: StackInstallation, o: BeaconPost) => {
    const body = JSON.stringify(beacon({ ...o, rootUrl: inst.rootUrl, viewer: o.viewer ?? VIEWERS[0], time: o.time ?? 1000 }));
    const res = await request({ port: inst.server.port, host: 'analytics', path: '/write', method: 'POST', body });
    if (res.status !== 201) throw new Error(`${inst.name}: /write answered ${res.status}`);
  };
  return { prom, installations, started, post, scraped };
}
