/** What synth prints when it is done: one aligned line per installation, then a total. */
import * as path from 'path';
import type { OutputWriter, RenderedInstallation } from '../render';

/** What the summary says about where the files went. */
export interface SummaryOptions {
  readonly outdir: string;
  readonly stdoutMode?: boolean;
  readonly writers?: readonly OutputWriter[];
}

/**
 * One aligned line per installation (name, namespace, host, cluster when any installation has one,
 * objects, outputs), then a total; `configFiles` counts the files of the config writers.
 */
export function summary(
  rendered: readonly RenderedInstallation[], options: SummaryOptions, configFiles = 0,
): string {
  const clusters = rendered.some(r => r.installation.cluster !== undefined);
  // Each installation's own files: searching every file for every installation was quadratic
  // (1000 installations, 16,000 files: 1.7 s).
  const rows = rendered.map(({ installation: inst, objects, paths }) => [
    inst.name,
    inst.namespace,
    inst.grafana.subPath === '/' ? inst.grafana.host : `${inst.grafana.host}${inst.grafana.subPath}`,
    ...(clusters ? [inst.cluster === undefined ? 'no cluster' : `cluster ${inst.cluster}`] : []),
    `${objects.length} objects`,
    options.stdoutMode ? '(stdout)' : installationOutputs(inst.name, paths, options.outdir).join(' '),
  ]);
  const countColumn = clusters ? 4 : 3;
  const widths = rows.reduce((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), [] as number[]);
  // Counts right-aligned, the output paths left as they are: a thousand lines still read as a table.
  const align = (cell: string, i: number, last: boolean) => (last ? cell : i === countColumn ? cell.padStart(widths[i]) : cell.padEnd(widths[i]));
  const lines = rows.map(row => row.map((cell, i) => align(cell, i, i === row.length - 1)).join('  '));
  const objectTotal = rendered.reduce((n, r) => n + r.objects.length, 0);
  const skipped = options.writers?.length ? ' (plain manifests only: the other outputs need an output directory, run without --stdout)' : '';
  const fileCount = rendered.reduce((n, r) => n + r.paths.length, configFiles);
  const where = options.stdoutMode ? `to stdout${skipped}` : `${fileCount} files in ${options.outdir}`;
  lines.push(`total: ${rendered.length} installation${rendered.length === 1 ? '' : 's'}, ${objectTotal} objects, ${where}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The outputs of one installation, as paths under `outdir`: files named `<name>.*`, and folders
 * named `<name>` (a Helm chart) shown once with a trailing slash. Installation names hold no '.',
 * so `prod.` never matches `prod-eu.k8s.yaml`.
 */
export function installationOutputs(name: string, paths: readonly string[], outdir: string): string[] {
  const outputs = new Set<string>();
  for (const file of paths) {
    const segments = file.split(/[\\/]/);
    const i = segments.findIndex((seg, j) => seg === name || (j === segments.length - 1 && seg.startsWith(`${name}.`)));
    if (i < 0) continue;
    const isFolder = i < segments.length - 1;
    outputs.add(path.join(outdir, ...segments.slice(0, i + 1)) + (isFolder ? path.sep : ''));
  }
  return [...outputs];
}
