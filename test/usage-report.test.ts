/**
 * The usage report without a Prometheus: what it asks (the usage dashboard's own expressions), how
 * it asks (bounded concurrency, progress), how it prints, and its exit codes. The real thing is in
 * e2e/usage-report.e2e.test.ts.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { AnalyticsConfig, formatUsageReport, resolveConfig, synthesize, usageReport, UsageReport, usageReportExitCode } from '../lib';
import { runUsageCli } from '../lib/app/usage-cli';
import { startRecordingServer } from './support/e2e/http';
import { Sandbox } from './support/e2e/sandbox';

const sandbox = new Sandbox();
afterAll(() => sandbox.cleanup());

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'usage-report-'));
}

/** A config with dashboards alpha and beta under defaults, `count` installations. */
function writeConfig(dir: string, count = 1, extra: Record<string, unknown> = {}): { file: string; config: AnalyticsConfig } {
  fs.mkdirSync(path.join(dir, 'dashboards'), { recursive: true });
  for (const key of ['alpha', 'beta']) {
    fs.writeFileSync(path.join(dir, 'dashboards', `${key}.json`), JSON.stringify({ uid: `${key}-uid`, title: `${key} board`, panels: [] }));
  }
  const config = {
    defaults: { dashboards: ['dashboards/alpha.json', 'dashboards/beta.json'], ...extra },
    installations: Array.from({ length: count }, (_, i) => ({ name: `g${i}`, grafana: { host: `g${i}.example.com` } })),
  } as AnalyticsConfig;
  const file = path.join(dir, 'config.yaml');
  fs.writeFileSync(file, stringify(config));
  return { file, config };
}

const vector = (result: unknown[]) => JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });

/** Answers every query with an empty vector, except `up`: scraped, since the epoch. */
async function fakePrometheus() {
  return startRecordingServer(sandbox, req => {
    const query = new URLSearchParams(req.body.toString('utf8')).get('query') ?? '';
    // Scraped, and since the epoch.
    const up = query.startsWith('avg(avg_over_time(up{') || query.startsWith('min(min_over_time(timestamp(up{');
    const body = vector(up ? [{ metric: {}, value: [0, query.startsWith('avg') ? '1' : '0'] }] : []);
    return { status: 200, headers: { 'Content-Type': 'application/json' }, body };
  });
}

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runUsageCli(args, { stdout: { write: t => { stdout += t; } }, stderr: { write: t => { stderr += t; } }, env: {} });
  return { code, stdout, stderr };
}

describe('usageReport', () => {
  test('runs the usage dashboard panels\' own expressions, with the range written in', async () => {
    // GIVEN a config and a Prometheus that records what it is asked
    const dir = tempDir();
    const { file, config } = writeConfig(dir);
    const prom = await fakePrometheus();
    // WHEN the report runs over 7d, with a gate of 90d
    await usageReport(config, { configFile: file, range: '7d', unusedFor: '90d', prometheus: `http://127.0.0.1:${prom.port}` });
    // THEN every figure panel's expression of the synthesized usage dashboard was asked, with $__range = 7d, and the never-viewed one with 90d
    const asked = prom.received.map(r => new URLSearchParams(r.body.toString('utf8')).get('query'));
    const [synthesized] = synthesize(resolveConfig(config, file));
    const usage = synthesized.objects.find(o => o.metadata.name === 'g0-analytics-usage-dashboard') as unknown as { data: Record<string, string> };
    const panels = JSON.parse(Object.values(usage.data)[0]).panels as { title: string; targets?: { expr: string }[] }[];
    const expr = (title: string) => panels.find(p => p.title === title)?.targets?.[0].expr as string;
    for (const title of ['Views per dashboard', 'Time spent per dashboard', 'Never-viewed dashboards', 'Server restarts and cache flushes']) {
      expect(expr(title)).toContain('$__range');
      expect(asked).toContain(expr(title).split('$__range').join('7d'));
    }
    expect(asked).toContain(expr('Never-viewed dashboards').split('$__range').join('90d'));
    expect(asked).toContain(expr('Views per dashboard').split('$__range').join('90d'));
    // AND the queries of its own, each once
    expect(asked.filter(q => q?.startsWith('max by (dashboard_uid) (max_over_time(timestamp('))).toHaveLength(1);
    expect(asked.filter(q => q?.startsWith('min(min_over_time(timestamp(up{namespace="monitoring",job="g0-analytics"})'))).toHaveLength(1);
    expect(asked).toHaveLength(10);
  });

  test('keeps at most `concurrency` queries in flight, over every installation', async () => {
    // GIVEN a Prometheus that answers after a while and counts what is in flight
    let inFlight = 0;
    let most = 0;
    const server = http.createServer((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      req.resume();
      req.on('end', () => setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(vector([]));
      }, 20));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    sandbox.onCleanup(() => new Promise(resolve => { server.close(() => resolve()); }));
    const dir = tempDir();
    const { file, config } = writeConfig(dir, 5);
    // WHEN
    const prometheus = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const report = await usageReport(config, { configFile: file, concurrency: 3, prometheus });
    // THEN
    expect(report.installations).toHaveLength(5);
    expect(most).toBe(3);
  });

  test('trusts an https Prometheus through prometheus.caFile, and refuses it without', async () => {
    // GIVEN an https Prometheus whose certificate a private CA signed
    const tls = path.join(__dirname, 'support', 'tls');
    const keyPair = { key: fs.readFileSync(path.join(tls, 'server.key')), cert: fs.readFileSync(path.join(tls, 'server.pem')) };
    const server = https.createServer(keyPair, (req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(vector([{ metric: {}, value: [0, '1'] }])));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    sandbox.onCleanup(() => new Promise(resolve => { server.close(() => resolve()); }));
    const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const dir = tempDir();
    fs.copyFileSync(path.join(tls, 'ca.pem'), path.join(dir, 'ca.pem'));
    // WHEN the CA file is given (relative to the config's folder), and when it is not
    const trusted = writeConfig(dir, 1, { prometheus: { url, caFile: 'ca.pem' } });
    const withCa = await usageReport(trusted.config, { configFile: trusted.file });
    const untrusted = writeConfig(tempDir(), 1, { prometheus: { url } });
    const withoutCa = await usageReport(untrusted.config, { configFile: untrusted.file });
    // THEN
    expect(withCa.installations[0]).toMatchObject({ scraped: true, prometheus: url });
    expect(withCa.installations[0].error).toBeUndefined();
    expect(withoutCa.installations[0].error).toMatch(new RegExp(`^${url.replace(/\./g, '\\.')}: TLS certificate not accepted \\(`));
    // AND a CA file that is not there is that installation's error, not a crash
    const missing = writeConfig(tempDir(), 1, { prometheus: { url, caFile: 'nope.pem' } });
    expect((await usageReport(missing.config, { configFile: missing.file })).installations[0].error)
      .toBe(`${url}: cannot read prometheus.caFile ${path.join(path.dirname(missing.file), 'nope.pem')}: ENOENT`);
  });

  test('a config without prometheus.url is a config error naming each installation, unless --prometheus is given', async () => {
    const { file, config } = writeConfig(tempDir(), 2);
    await expect(usageReport(config, { configFile: file })).rejects.toThrow(
      /installations\[0\]\.prometheus\.url: is required by the usage report.*\n.*installations\[1\]\.prometheus\.url: is required/);
    const run = await cli(['--config', file]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/^invalid configuration in .*config\.yaml \(2 problems\):\n {2}- installations\[0\]\.prometheus\.url: is required/);
  });
});

describe('grafana-analytics-usage', () => {
  test('--help prints the options and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--unused-for DURATION');
  });

  test.each([
    [['--frobnicate'], /^grafana-analytics-usage: Unknown option '--frobnicate'.*; see --help$/],
    [['--format', 'xml'], /^grafana-analytics-usage: --format got "xml"; allowed: table, markdown, csv, json$/],
    [['--range', '30 days'], /--range: got "30 days"; allowed: a non-zero Prometheus duration/],
    [['--unused-for', '0s'], /--unused-for: got "0s"; allowed: a non-zero Prometheus duration/],
    [['--installation', 'nope'], /--installation: got "nope"; allowed: the name of an installation of the config \(g0\)/],
    [['--time', 'yesterday'], /--time got "yesterday"; allowed: an RFC 3339 time/],
    [['--concurrency', '0'], /--concurrency got "0"; allowed: an integer from 1 to 9999/],
  ])('refuses %j with exit code 1 and one message', async (args, message) => {
    const { file } = writeConfig(tempDir(), 1, { prometheus: { url: 'http://127.0.0.1:1' } });
    const run = await cli(['--config', file, ...args]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr.trimEnd()).toMatch(message);
    expect(run.stderr).not.toContain('    at ');
  });

  test('reads $GRAFANA_ANALYTICS_CONFIG when --config is not given', async () => {
    const prom = await fakePrometheus();
    const { file } = writeConfig(tempDir(), 1, { prometheus: { url: `http://127.0.0.1:${prom.port}` } });
    let stdout = '';
    const code = await runUsageCli(['--format', 'json'], {
      stdout: { write: t => { stdout += t; } }, stderr: { write: () => true }, env: { GRAFANA_ANALYTICS_CONFIG: file },
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).installations.map((i: { name: string }) => i.name)).toEqual(['g0']);
  });

  test('reports progress on stderr for many installations', async () => {
    const prom = await fakePrometheus();
    const { file } = writeConfig(tempDir(), 12, { prometheus: { url: `http://127.0.0.1:${prom.port}` } });
    const run = await cli(['--config', file, '--format', 'csv']);
    expect(run.code).toBe(0);
    expect(run.stderr.trimEnd().split('\n')).toEqual([2, 4, 6, 8, 10, 12].map(n => `queried ${n}/12 installations`));
  });
});

describe('the report\'s text forms', () => {
  const report: UsageReport = {
    range: '30d',
    time: '2026-12-08T05:00:00Z',
    unusedFor: '90d',
    installations: [
      {
        name: 'prod', cluster: 'eu-1', prometheus: 'http://prom:9090', scraped: true,
        dashboards: [
          {
            uid: 'a', title: 'Costs | by team, "monthly"', file: 'dashboards/a.json', configPath: 'defaults.dashboards[0]',
            views: 12, sessionSeconds: 3725, lastViewed: '2026-12-08T04:10:00Z',
          },
          { uid: 'b', title: 'Old', file: 'dashboards/b.json', configPath: 'defaults.dashboards[1]', views: 0, sessionSeconds: 0, lastViewed: null },
        ],
        usageDashboard: { uid: 'prod-usage', views: 3 },
        unlisted: [{ uid: 'x', title: 'x', views: 2 }],
        restartsAndFlushes: 1,
        history: { dataSince: '2026-01-01T00:00:00Z', sufficient: true },
        unused: [{
          uid: 'b', title: 'Old', file: 'dashboards/b.json', configPath: 'defaults.dashboards[1]', views: 0, sessionSeconds: null, lastViewed: null,
        }],
      },
      {
        name: 'lab', cluster: null, prometheus: 'http://lab:9090', scraped: false, scrapeProblem: 'no target',
        dashboards: [{
          uid: 'a', title: 'Costs | by team, "monthly"', file: 'dashboards/a.json', configPath: 'installations[1].dashboards[0]',
          views: null, sessionSeconds: null, lastViewed: null,
        }],
        usageDashboard: { uid: 'lab-usage', views: null },
        unlisted: [],
        restartsAndFlushes: null,
        history: { dataSince: null, sufficient: false },
      },
      {
        name: 'edge', cluster: null, prometheus: 'http://edge:9090', scraped: null,
        dashboards: [], usageDashboard: { uid: 'edge-usage', views: null }, unlisted: [], restartsAndFlushes: null,
        error: 'http://edge:9090: HTTP 401 Unauthorized',
      },
    ],
  };

  test('table', () => {
    expect(formatUsageReport(report, 'table')).toMatchSnapshot();
  });

  test('markdown escapes pipes', () => {
    const text = formatUsageReport(report, 'markdown');
    expect(text).toContain('| prod | a | Costs \\| by team, "monthly" | dashboards/a.json | 12 | 1h2m | 2026-12-08T04:10:00Z |');
    expect(text).toMatchSnapshot();
  });

  test('csv: a header row, RFC 4180 quoting, empty for unknown', () => {
    const lines = formatUsageReport(report, 'csv').split('\r\n');
    expect(lines[0]).toBe('installation,cluster,kind,uid,title,file,config_path,views,session_seconds,last_viewed,scraped,unused,error');
    expect(lines[1]).toBe('prod,eu-1,provisioned,a,"Costs | by team, ""monthly""",dashboards/a.json,defaults.dashboards[0],12,3725,'
      + '2026-12-08T04:10:00Z,true,false,');
    expect(lines[2]).toBe('prod,eu-1,provisioned,b,Old,dashboards/b.json,defaults.dashboards[1],0,0,,true,true,');
    expect(lines[5]).toBe('lab,,provisioned,a,"Costs | by team, ""monthly""",dashboards/a.json,installations[1].dashboards[0],,,,false,false,');
    expect(lines[lines.length - 1]).toBe('');
  });

  test('json is the report itself', () => {
    expect(JSON.parse(formatUsageReport(report, 'json'))).toEqual(report);
  });

  test('exit codes: 2 (no answer, short history) wins over 3 (unused)', () => {
    expect(usageReportExitCode(report)).toBe(2);
    const answered = { ...report, installations: report.installations.slice(0, 1) };
    expect(usageReportExitCode(answered)).toBe(3);
    const short = { ...report.installations[0], history: { dataSince: '2026-12-01T00:00:00Z', sufficient: false } };
    const shortHistory = { ...report, installations: [report.installations[0], short] };
    expect(usageReportExitCode(shortHistory)).toBe(2);
    expect(usageReportExitCode(shortHistory, true)).toBe(3);
    expect(usageReportExitCode({ ...answered, installations: [{ ...answered.installations[0], unused: [] }] })).toBe(0);
  });
});
