/**
 * `npm run bench:rules`: what the usage recording rules cost a real Prometheus (Debian's 2.42) for
 * one big server: 500 provisioned dashboards and 20,000 label combinations of
 * `grafana_analytics_sessions_total` (and as many of the duration counter), some of them growing
 * at every scrape. The synthesized ServiceMonitor and PrometheusRule run as prometheus-operator
 * would run them, at a 5 s interval (the held series' lookback then holds about a third of the
 * 120 samples an hour holds at the default 30 s; reading them is a small part of the cost, the
 * newest scrape's 40,000 series the large one). Prints, and writes to bench/rules-results.md: the rule
 * group's evaluation time (`evaluationTime` of /api/v1/rules, which is
 * `prometheus_rule_group_last_duration_seconds`), the slowest rules, and the recorded series.
 *
 * Options: --seconds 240 --out bench/rules-results.md
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig, synthesize } from '../lib';
import { startRecordingServer } from '../test/support/e2e/http';
import { startPrometheus, writeCheckedConfig } from '../test/support/e2e/prometheus';
import { discoveredTargets, scrapeJob } from '../test/support/e2e/prometheus-operator';
import { Sandbox, waitFor } from '../test/support/e2e/sandbox';
import { findProgram } from '../test/support/e2e/tools';

const DASHBOARDS = 500;
const COMBINATIONS = 20000;
/** Short, to fill the held series' lookbacks in minutes; long enough that ingesting 40,000 samples a scrape does not dominate. */
const INTERVAL_SECONDS = 5;
/** Label sets that gain a session at each scrape. */
const GROWING = 200;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** The exposition of scrape `n`: every label combination, `GROWING` of them one session more than at the scrape before. */
function exposition(n: number): string {
  const themes = ['dark', 'light'];
  const roles = ['admin', 'editor', 'user'];
  const locales = ['en-US', 'de-DE', 'fr-FR', 'ja-JP', 'pt-BR', 'es-ES', 'it-IT'];
  const period = COMBINATIONS / GROWING;
  const sessions: string[] = [];
  const seconds: string[] = [];
  for (let k = 0; k < COMBINATIONS; k++) {
    const d = k % DASHBOARDS;
    const c = Math.floor(k / DASHBOARDS);
    const labels = `grafana_host="grafana.example.com:443",grafana_env="production",dashboard_name="Dashboard ${d}",dashboard_uid="dash-${d}",`
      + `dashboard_timezone="browser",user_theme="${themes[c % 2]}",user_timezone="Europe/Berlin",`
      + `user_locale="${locales[Math.floor(c / 2) % 7]}",user_role="${roles[Math.floor(c / 14) % 3]}"`;
    // Label set k gains a session at the scrapes n with n = k modulo `period`.
    const phase = k % period;
    const count = 1 + (k % 5) + (n >= phase ? Math.floor((n - phase) / period) + 1 : 0);
    sessions.push(`grafana_analytics_sessions_total{${labels}} ${count}`);
    seconds.push(`grafana_analytics_sessions_duration_seconds_total{${labels}} ${count * 37}`);
  }
  return [
    '# TYPE grafana_analytics_sessions_total counter', ...sessions,
    '# TYPE grafana_analytics_sessions_duration_seconds_total counter', ...seconds,
    '# TYPE process_start_time_seconds gauge', 'process_start_time_seconds 1700000000.5', '',
  ].join('\n');
}

async function main(): Promise<void> {
  const seconds = Number(option('seconds', '240'));
  const out = option('out', path.join(__dirname, 'rules-results.md'));
  const prometheus = findProgram('prometheus');
  const promtool = findProgram('promtool');
  if (!prometheus || !promtool) throw new Error('bench:rules needs prometheus and promtool (scripts/install-test-deps.sh)');
  const sandbox = new Sandbox();
  try {
    const dir = sandbox.tempDir('bench-rules');
    const files = Array.from({ length: DASHBOARDS }, (_, d) => {
      const file = path.join(dir, `dash-${d}.json`);
      fs.writeFileSync(file, JSON.stringify({ uid: `dash-${d}`, title: `Dashboard ${d}`, panels: [], schemaVersion: 39 }));
      return file;
    });
    const [s] = synthesize(resolveConfig({
      defaults: { serviceMonitor: { interval: `${INTERVAL_SECONDS}s` }, dashboards: files },
      installations: [{ name: 'big', grafana: { host: 'grafana.example.com' } }],
    }, path.join(dir, 'config.yaml')));
    const kind = (k: string) => s.objects.find(o => o.kind === k)!;
    let scrapes = 0;
    const server = await startRecordingServer(sandbox, req => (req.url === '/metrics'
      ? { status: 200, headers: { 'Content-Type': 'text/plain; version=0.0.4' }, body: exposition(scrapes++) }
      : { status: 404 }));
    // Keep no request bodies: 10 MB a scrape.
    const received = server.received;
    setInterval(() => received.splice(0), 1000).unref();
    const ruleFile = path.join(dir, 'rules.yaml');
    fs.writeFileSync(ruleFile, JSON.stringify(kind('PrometheusRule').spec));
    const job = scrapeJob(kind('ServiceMonitor'), 0, discoveredTargets(kind('Service'), [`127.0.0.1:${server.port}`]));
    const configFile = writeCheckedConfig(dir, promtool, {
      global: { scrape_interval: '1m', evaluation_interval: '1m' }, rule_files: [ruleFile], scrape_configs: [job],
    });
    const prom = await startPrometheus(sandbox, prometheus, configFile);
    interface Rule { readonly name: string; readonly evaluationTime: number }
    interface Group { readonly name: string; readonly evaluationTime: number; readonly lastEvaluation: string; readonly rules: Rule[] }
    const groups = async () => (await prom.api<{ groups: Group[] }>('/api/v1/rules')).groups;
    const started = Date.now();
    const durations = new Map<string, { group: number; rules: Rule[] }>();
    // One reading per evaluation, the last third of the run: the held series' lookbacks are full by then.
    while (Date.now() - started < seconds * 1000) {
      await new Promise(resolve => setTimeout(resolve, 500));
      const [g] = await groups();
      if (g && Date.now() - started > seconds * 1000 * 2 / 3) durations.set(g.lastEvaluation, { group: g.evaluationTime, rules: g.rules });
    }
    const count = encodeURIComponent('count by (__name__) ({__name__=~".+:.+:.+", job="big-analytics"})');
    const series = await waitFor('the recorded series', async () =>
      (await prom.api<{ result: { metric: { __name__: string }; value: [number, string] }[] }>(`/api/v1/query?query=${count}`)).result,
    { timeoutMs: 30000 });
    const heldSamples = await prom.api<{ result: { value: [number, string] }[] }>(
      `/api/v1/query?query=${encodeURIComponent('max(count_over_time(instance:grafana_analytics_cache:held{job="big-analytics"}[1h]))')}`);
    const evals = [...durations.values()];
    const sorted = evals.map(e => e.group).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const worst = sorted[sorted.length - 1];
    const perRule = new Map<string, number[]>();
    for (const e of evals) for (const r of e.rules) perRule.set(r.name, [...perRule.get(r.name) ?? [], r.evaluationTime]);
    const ms = (x: number) => (x * 1000).toFixed(1);
    const lines = [
      '# Usage recording rules on a real Prometheus',
      '',
      `One server: ${DASHBOARDS} provisioned dashboards, ${COMBINATIONS} label combinations (each with a duration series), `
        + `${GROWING} of them growing at each scrape; interval ${INTERVAL_SECONDS} s, ${seconds} s run, ${evals.length} evaluations read `
        + `in its last third; up to ${heldSamples.result[0]?.value[1] ?? '?'} samples per held series in the lookback `
        + `(production at 30 s: 120). Prometheus ${prometheus}, load average ${os.loadavg().map(l => l.toFixed(1)).join(' ')}.`,
      '',
      `| rule group evaluation | ms |`,
      `|---|---:|`,
      `| median | ${ms(median)} |`,
      `| slowest | ${ms(worst)} |`,
      `| budget: 10 % of the default 30 s interval | 3000.0 |`,
      '',
      '| rule | median ms |',
      '|---|---:|',
      ...[...perRule.entries()].map(([name, t]) => `| ${name} | ${ms(t.sort((a, b) => a - b)[Math.floor(t.length / 2)])} |`),
      '',
      '| recorded series | count |',
      '|---|---:|',
      ...series.sort((a, b) => (a.metric.__name__ < b.metric.__name__ ? -1 : 1)).map(r => `| ${r.metric.__name__} | ${r.value[1]} |`),
      '',
    ];
    fs.writeFileSync(out, lines.join('\n'));
    console.log(lines.join('\n'));
  } finally {
    await sandbox.cleanup();
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
