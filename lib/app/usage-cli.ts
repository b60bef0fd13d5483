/**
 * `grafana-analytics-usage` (`npm run usage -- ...`): the usage report on stdout, problems and
 * progress on stderr, and an exit code a CI job can act on. A thin layer on `usageReport`.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { prometheusDurationMs } from '../config/consumer-values';
import { readConfigFile } from './load';
import { ConfigError } from '../config/problems';
import { PROMETHEUS_DURATION } from '../config/internal/schema-parts';
import { AnalyticsConfig } from '../config/schema';
import { usageReport, usageReportExitCode } from './usage-report';
import { formatUsageReport, USAGE_REPORT_FORMATS, UsageReportFormat } from './usage-report-format';
import { Console } from './app';

/** The exit codes: 0 fine, 1 config or usage error, 2 Prometheus did not answer or short history, 3 the gate. */
export const USAGE_EXIT = { ok: 0, config: 1, prometheus: 2, unused: 3 } as const;

/** Above this many installations the report says on stderr how far it got. */
export const USAGE_PROGRESS_ABOVE = 10;

export const USAGE_HELP = `Usage: grafana-analytics-usage [options]

Which dashboards are used, per installation of the config, from the Prometheus that scrapes
each one, with the usage dashboard's own queries.

Options:
  --config FILE            the config (default: $GRAFANA_ANALYTICS_CONFIG, else config/installations.yaml)
  --range DURATION         the range, a Prometheus duration ending now (default: 30d)
  --prometheus URL         query this URL for every installation instead of its prometheus.url
  --installation NAME      only this installation (repeatable)
  --format FORMAT          table (default), markdown, csv or json
  --unused-for DURATION    exit 3 when a dashboard the config provisions had no view for this long
  --allow-short-history    apply --unused-for to the data there is where it covers less
  --concurrency N          queries in flight at once (default: 4)
  --timeout DURATION       deadline of each query (default: 60s)
  --time TIME              the end of the range, RFC 3339 or unix seconds (default: now)
  --help                   this text

Exit codes: 0 fine; 1 config or option error; 2 a Prometheus did not answer, or its data
covers less than --unused-for; 3 a dashboard was unused for --unused-for (2 wins over 3).
`;

export interface UsageCliIo {
  readonly stdout: Console;
  readonly stderr: Console;
  readonly env: NodeJS.ProcessEnv;
  /** @default process.cwd() */
  readonly cwd?: string;
}

/** Runs the command and returns its exit code. */
export async function runUsageCli(argv: readonly string[], io: UsageCliIo): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`${message}\n`);
    return USAGE_EXIT.config;
  };
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (e) {
    return fail(`grafana-analytics-usage: ${(e as Error).message}; see --help`);
  }
  if (values.help) {
    io.stdout.write(USAGE_HELP);
    return USAGE_EXIT.ok;
  }
  const format = (values.format ?? 'table') as UsageReportFormat;
  if (!USAGE_REPORT_FORMATS.includes(format)) {
    return fail(`grafana-analytics-usage: --format got "${values.format}"; allowed: ${USAGE_REPORT_FORMATS.join(', ')}`);
  }
  const timeout = values.timeout ?? '60s';
  if (!new RegExp(PROMETHEUS_DURATION).test(timeout) || prometheusDurationMs(timeout) === 0n) {
    return fail(`grafana-analytics-usage: --timeout got "${timeout}"; allowed: a non-zero duration such as 30s or 2m`);
  }
  const concurrency = values.concurrency === undefined ? undefined : /^[1-9][0-9]{0,3}$/.test(values.concurrency) ? Number(values.concurrency) : NaN;
  if (Number.isNaN(concurrency)) {
    return fail(`grafana-analytics-usage: --concurrency got "${values.concurrency}"; allowed: an integer from 1 to 9999`);
  }
  const time = values.time === undefined ? undefined : parseTime(values.time);
  if (time === null) {
    return fail(`grafana-analytics-usage: --time got "${values.time}"; allowed: an RFC 3339 time such as 2026-12-01T00:00:00Z, or unix seconds`);
  }
  const configFile = path.resolve(io.cwd ?? process.cwd(),
    values.config ?? io.env.GRAFANA_ANALYTICS_CONFIG ?? path.join('config', 'installations.yaml'));
  try {
    const report = await usageReport(readConfigFile(configFile) as AnalyticsConfig, {
      configFile,
      range: values.range,
      prometheus: values.prometheus,
      installations: values.installation,
      unusedFor: values['unused-for'],
      allowShortHistory: values['allow-short-history'],
      concurrency,
      timeoutMs: Number(prometheusDurationMs(timeout)),
      time,
      progress: (done, total) => {
        if (total > USAGE_PROGRESS_ABOVE && (done % Math.ceil(total / 10) === 0 || done === total)) {
          io.stderr.write(`queried ${done}/${total} installations\n`);
        }
      },
    });
    io.stdout.write(formatUsageReport(report, format));
    for (const inst of report.installations) {
      if (inst.error !== undefined) io.stderr.write(`${inst.name}: Prometheus did not answer: ${inst.error}\n`);
      else if (inst.history && !inst.history.sufficient && !values['allow-short-history']) {
        const since = inst.history.dataSince === null ? 'no data' : `data since ${inst.history.dataSince}`;
        io.stderr.write(`${inst.name}: insufficient history (${since}) for --unused-for ${report.unusedFor}; `
          + '--allow-short-history applies the gate to the data there is\n');
      }
    }
    return usageReportExitCode(report, values['allow-short-history']);
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message);
    throw e;
  }
}

/** An RFC 3339 time or unix seconds; null for anything else. */
function parseTime(text: string): Date | null {
  const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(text);
  const ms = rfc3339 ? Date.parse(text) : /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) * 1000 : NaN;
  return Number.isFinite(ms) ? new Date(ms) : null;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      'config': { type: 'string' },
      'range': { type: 'string' },
      'prometheus': { type: 'string' },
      'installation': { type: 'string', multiple: true },
      'format': { type: 'string' },
      'unused-for': { type: 'string' },
      'allow-short-history': { type: 'boolean' },
      'concurrency': { type: 'string' },
      'timeout': { type: 'string' },
      'time': { type: 'string' },
      'help': { type: 'boolean', short: 'h' },
    },
  }).values;
}
