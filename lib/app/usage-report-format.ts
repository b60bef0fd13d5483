/**
 * The usage report as text: an aligned table for a terminal, Markdown for a pull-request comment,
 * CSV for a spreadsheet, JSON for a script (the report as `usageReport` returns it).
 */
import { DashboardUsage, InstallationUsage, UsageReport } from './usage-report';

export const USAGE_REPORT_FORMATS = ['table', 'markdown', 'csv', 'json'] as const;
export type UsageReportFormat = typeof USAGE_REPORT_FORMATS[number];

export function formatUsageReport(report: UsageReport, format: UsageReportFormat): string {
  switch (format) {
    case 'json': return `${JSON.stringify(report, null, 2)}\n`;
    case 'csv': return csv(report);
    case 'markdown': return markdown(report);
    case 'table': return table(report);
  }
}

/** One row per dashboard: provisioned, the usage dashboard, unlisted. */
interface Row {
  readonly installation: InstallationUsage;
  readonly kind: 'provisioned' | 'usage' | 'unlisted';
  readonly uid: string | null;
  readonly title: string;
  readonly file: string | null;
  readonly configPath: string | null;
  readonly views: number | null;
  readonly sessionSeconds: number | null;
  readonly lastViewed: string | null;
  readonly unused: boolean;
}

function rows(report: UsageReport): Row[] {
  return report.installations.flatMap(inst => {
    const unused = new Set((inst.unused ?? []).map(d => d.uid));
    const none = { file: null, configPath: null, sessionSeconds: null, lastViewed: null, unused: false };
    return [
      ...inst.dashboards.map((d): Row => ({ installation: inst, kind: 'provisioned', ...d, unused: unused.has(d.uid) })),
      { installation: inst, kind: 'usage', ...none, uid: inst.usageDashboard.uid, title: '(usage dashboard)', views: inst.usageDashboard.views },
      ...inst.unlisted.map((u): Row => ({ installation: inst, kind: 'unlisted', ...none, ...u })),
    ];
  });
}

/** Seconds as a Prometheus-style duration: `0s`, `45s`, `12m5s`, `3h4m`. */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  const m = Math.floor(s / 60) % 60;
  return `${Math.floor(s / 3600)}h${m ? `${m}m` : ''}`;
}

/** What the text forms show for a figure: a number, "not scraped" (never a 0), or "-". */
function views(row: Row): string {
  if (row.views !== null) return String(row.views);
  return row.installation.error !== undefined ? 'error' : 'not scraped';
}

function lastViewed(row: Row): string {
  if (row.kind === 'unlisted' || row.views === null) return '-';
  if (row.kind === 'usage') return '-';
  return row.lastViewed ?? 'never';
}

function scraped(inst: InstallationUsage): string {
  if (inst.error !== undefined) return 'unknown (no answer)';
  return inst.scraped ? 'yes' : `no (${inst.scrapeProblem})`;
}

function history(inst: InstallationUsage): string | undefined {
  if (!inst.history) return undefined;
  if (inst.history.dataSince === null) return 'no data (not scraped)';
  return inst.history.sufficient ? `data since ${inst.history.dataSince}` : `insufficient history (data since ${inst.history.dataSince})`;
}

function dashboardCells(r: Row): string[] {
  return [
    r.installation.name,
    r.uid ?? '(unknown under a sub-path)',
    r.title,
    r.file ?? (r.kind === 'unlisted' ? '(not in the config)' : '(by the library)'),
    views(r),
    r.sessionSeconds === null ? '-' : duration(r.sessionSeconds),
    lastViewed(r),
  ];
}

const DASHBOARD_HEADER = ['INSTALLATION', 'UID', 'TITLE', 'FILE', 'VIEWS', 'TIME SPENT', 'LAST VIEWED'];
const INSTALLATION_HEADER = ['INSTALLATION', 'CLUSTER', 'PROMETHEUS', 'SCRAPED', 'RESTARTS AND FLUSHES'];

function installationCells(inst: InstallationUsage): string[] {
  const restarts = inst.restartsAndFlushes === null ? '-' : String(inst.restartsAndFlushes);
  return [inst.name, inst.cluster ?? '-', inst.prometheus ?? '-', scraped(inst), restarts];
}

function gate(report: UsageReport): { title: string; unused: { inst: InstallationUsage; d: DashboardUsage }[]; notes: string[] } | undefined {
  if (report.unusedFor === undefined) return undefined;
  const unused = report.installations.flatMap(inst => (inst.unused ?? []).map(d => ({ inst, d })));
  const notes = report.installations.flatMap(inst => {
    if (inst.error !== undefined) return [`${inst.name}: not checked, Prometheus did not answer`];
    const h = inst.history;
    return h && !h.sufficient ? [`${inst.name}: ${history(inst)}${inst.unused ? ', checked on the data there is' : ''}`] : [];
  });
  const title = `Unused for ${report.unusedFor}: ${unused.length} dashboard${unused.length === 1 ? '' : 's'} the config provisions had no view`;
  return { title, unused, notes };
}

/** A blank line and one line per installation whose Prometheus did not answer. */
function errors(report: UsageReport): string[] {
  const lines = report.installations.flatMap(i => (i.error === undefined ? [] : [`${i.name}: Prometheus did not answer: ${i.error}`]));
  return lines.length > 0 ? ['', ...lines] : [];
}

function table(report: UsageReport): string {
  const align = (lines: string[][], right: readonly number[]) => {
    const widths = lines.reduce((w, l) => l.map((c, i) => Math.max(w[i] ?? 0, c.length)), [] as number[]);
    const cell = (c: string, i: number, last: boolean) => (last ? c : right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]));
    return lines.map(l => l.map((c, i) => cell(c, i, i === l.length - 1)).join('  ').trimEnd());
  };
  const out = [
    `Dashboard usage in the ${report.range} to ${report.time}`,
    '',
    ...align([DASHBOARD_HEADER, ...rows(report).map(dashboardCells)], [4, 5]),
    '',
    ...align([INSTALLATION_HEADER, ...report.installations.map(installationCells)], [4]),
    ...errors(report),
  ];
  const g = gate(report);
  if (g) {
    const named = align(g.unused.map(({ inst, d }) => [`  ${inst.name}`, d.uid, d.configPath, d.file]), []);
    out.push('', g.title, ...named, ...g.notes.map(n => `  ${n}`));
  }
  return `${out.join('\n')}\n`;
}

/** A Markdown table cell: pipes escaped, one line. */
function md(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function markdown(report: UsageReport): string {
  const tableOf = (header: string[], right: readonly number[], body: string[][]) => [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (right.includes(i) ? '---:' : '---')).join(' | ')} |`,
    ...body.map(r => `| ${r.map(md).join(' | ')} |`),
  ];
  const title = (h: string) => (h === 'UID' ? h : h.charAt(0) + h.slice(1).toLowerCase());
  const out = [
    `### Dashboard usage in the ${report.range} to ${report.time}`,
    '',
    ...tableOf(DASHBOARD_HEADER.map(title), [4, 5], rows(report).map(dashboardCells)),
    '',
    ...tableOf(INSTALLATION_HEADER.map(title), [4], report.installations.map(installationCells)),
    ...errors(report).map(e => (e ? `- ${md(e)}` : e)),
  ];
  const g = gate(report);
  if (g) {
    out.push('', `#### ${g.title}`, '');
    out.push(...g.unused.map(({ inst, d }) => `- ${md(inst.name)}: \`${d.uid}\` ${md(d.title)}, ${d.configPath}, ${md(d.file)}`));
    out.push(...g.notes.map(n => `- ${md(n)}`));
  }
  return `${out.join('\n')}\n`;
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break. */
function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(report: UsageReport): string {
  const header = [
    'installation', 'cluster', 'kind', 'uid', 'title', 'file', 'config_path', 'views', 'session_seconds', 'last_viewed', 'scraped', 'unused', 'error',
  ];
  const body = rows(report).map(r => [
    r.installation.name, r.installation.cluster, r.kind, r.uid, r.title === '(usage dashboard)' ? null : r.title, r.file, r.configPath,
    r.views, r.sessionSeconds, r.lastViewed, r.installation.scraped, report.unusedFor === undefined ? null : r.unused, r.installation.error ?? null,
  ]);
  return [header, ...body].map(r => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
