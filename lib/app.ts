/**
 * The app behind `cdk8s synth`: config file -> installations -> objects -> files, and what the user
 * sees on stderr. main.ts only reads the environment and calls `runApp`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ResolvedInstallation } from './config';
import { ConfigError, loadConfigFile } from './load-config';
import { OutputFile, writeOutputAtomically } from './output/files';
import { manifestFiles, toYamlStream } from './output/manifests';
import { synthesize, SynthesizedInstallation } from './synth';

/** Turns synthesized installations into files (Helm charts, Grafana values, ...). */
export type OutputWriter = (installations: readonly SynthesizedInstallation[]) => OutputFile[];

/** Where the user reads what happened: stderr, or a stand-in in tests. */
export interface Console {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface AppOptions {
  readonly configFile: string;
  readonly outdir: string;
  /** Writers besides the plain manifests, which are always written. @default - none */
  readonly writers?: readonly OutputWriter[];
  /** Write only one stream of plain manifests, for `cdk8s synth --stdout`. @default false */
  readonly stdoutMode?: boolean;
  readonly console: Console;
  /** Colors are for people: set from `NO_COLOR` (https://no-color.org). @default true */
  readonly color?: boolean;
}

/** Above this many installations, synth reports progress every this many. */
export const PROGRESS_EVERY = 100;

/** The one file written in `--stdout` mode: every installation's manifests, in config order. */
export const STDOUT_MANIFEST_FILE = 'manifests.k8s.yaml';

/** Runs the app and returns the process exit code: 0, or 1 with the reason on the console. */
export function runApp(options: AppOptions): number {
  const out = options.console;
  try {
    const installations = loadConfigFile(options.configFile);
    const synthesized = synthesizeWithProgress(installations, out);
    const files = options.stdoutMode
      ? [{ path: STDOUT_MANIFEST_FILE, content: stdoutStream(synthesized) }]
      : [...manifestFiles(synthesized), ...(options.writers ?? []).flatMap(w => w(synthesized))];
    writeOutputAtomically(options.outdir, files);
    out.write(summary(synthesized, files, options));
    return 0;
  } catch (e) {
    // A config problem is the user's to fix: the message says where, without a stack trace.
    // Anything else is a bug in this library, and its stack is what a bug report needs.
    const text = e instanceof ConfigError ? e.message : `internal error, please report it: ${(e as Error).stack ?? e}`;
    out.write(`${paint(text, out, options.color)}\n`);
    return 1;
  }
}

function synthesizeWithProgress(installations: ResolvedInstallation[], out: Console): SynthesizedInstallation[] {
  if (installations.length <= PROGRESS_EVERY) return synthesize(installations);
  const result: SynthesizedInstallation[] = [];
  for (let start = 0; start < installations.length; start += PROGRESS_EVERY) {
    result.push(...synthesize(installations.slice(start, start + PROGRESS_EVERY)));
    out.write(`synthesized ${result.length}/${installations.length} installations\n`);
  }
  return result;
}

/**
 * `cdk8s synth --stdout` concatenates every *.yaml it finds, one read stream per file, in parallel:
 * one file keeps the order, and every document starts with `---` so the stream stays valid YAML.
 */
function stdoutStream(synthesized: readonly SynthesizedInstallation[]): string {
  return synthesized.map(s => `---\n${toYamlStream(s.objects)}`).join('');
}

/** One aligned line per installation (name, namespace, host, objects, outputs), then a total. */
export function summary(synthesized: readonly SynthesizedInstallation[], files: readonly OutputFile[], options: Pick<AppOptions, 'outdir' | 'stdoutMode' | 'writers'>): string {
  const rows = synthesized.map(({ installation: inst, objects }) => [
    inst.name,
    inst.namespace,
    inst.grafana.subPath === '/' ? inst.grafana.host : `${inst.grafana.host}${inst.grafana.subPath}`,
    `${objects.length} objects`,
    options.stdoutMode ? '(stdout)' : installationOutputs(inst.name, files, options.outdir).join(' '),
  ]);
  const widths = rows.reduce((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), [] as number[]);
  // Counts right-aligned, the output paths left as they are: a thousand lines still read as a table.
  const align = (cell: string, i: number, last: boolean) => (last ? cell : i === 3 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]));
  const lines = rows.map(row => row.map((cell, i) => align(cell, i, i === row.length - 1)).join('  '));
  const objects = synthesized.reduce((n, s) => n + s.objects.length, 0);
  const skipped = options.writers?.length ? ' (plain manifests only: the other outputs need an output directory, run without --stdout)' : '';
  const where = options.stdoutMode ? `to stdout${skipped}` : `${files.length} files in ${options.outdir}`;
  lines.push(`total: ${synthesized.length} installations, ${objects} objects, ${where}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The outputs of one installation, as paths under `outdir`: files named `<name>.*`, and folders
 * named `<name>` (a Helm chart) shown once with a trailing slash. Installation names hold no '.',
 * so `prod.` never matches `prod-eu.k8s.yaml`.
 */
export function installationOutputs(name: string, files: readonly OutputFile[], outdir: string): string[] {
  const outputs = new Set<string>();
  for (const file of files) {
    const segments = file.path.split(/[\\/]/);
    const i = segments.findIndex((seg, j) => seg === name || (j === segments.length - 1 && seg.startsWith(`${name}.`)));
    if (i < 0) continue;
    const isFolder = i < segments.length - 1;
    outputs.add(path.join(outdir, ...segments.slice(0, i + 1)) + (isFolder ? path.sep : ''));
  }
  return [...outputs];
}

function paint(text: string, out: Console, color = true): string {
  return color && out.isTTY ? `\x1b[31m${text}\x1b[0m` : text;
}

/**
 * True when `cdk8s synth --stdout` runs the app. The CLI sets no flag for it: in --stdout mode it
 * creates a fresh temporary folder (`mkdtemp(<tmpdir>/cdk8s-)`), passes it as CDK8S_OUTDIR and
 * prints every *.yaml in it; otherwise it deletes the output folder before it runs the app.
 * (cdk8s-cli lib/cli/cmds/synth.js and lib/util.js `synthApp`, `mkdtemp`.)
 */
export function isCdk8sStdoutOutdir(outdir: string, tmpdir: string = os.tmpdir()): boolean {
  if (!/^cdk8s-[A-Za-z0-9]{6}$/.test(path.basename(outdir)) || !fs.existsSync(outdir)) return false;
  return fs.realpathSync(path.dirname(path.resolve(outdir))) === fs.realpathSync(tmpdir);
}
