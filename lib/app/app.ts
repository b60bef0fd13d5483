/**
 * The app behind `cdk8s synth`: config file -> installations -> objects -> files, and what the user
 * sees on stderr. main.ts only reads the environment and calls `runApp`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ResolvedInstallation } from '../config/schema';
import { loadAnalyticsConfig } from '../config/load';
import { ConfigError, ConfigProblem, quote } from '../config/problems';
import { duplicateObjectProblems, InstallationObjects, ResolvedConfig } from '../config/resolve';
import { OutputFile, StagedOutput, writeOutputAtomically, writeStagedFiles } from '../output/files';
import { OutputFolderRefused, outputFolderProblem, protectedFolders } from '../output/output-folder';
import { manifestFiles, toYamlStream } from '../output/manifests';
import { synthesize, SynthesizedInstallation } from '../constructs/synth';
import { usageDashboardUid } from '../grafana/usage-dashboard';

/** Turns synthesized installations into files (Helm charts, Grafana values, ...). */
export type OutputWriter = (installations: readonly SynthesizedInstallation[]) => OutputFile[];

/**
 * Turns the whole config into files that depend on several installations (the GitOps objects):
 * the app calls it once, after every installation has rendered.
 */
export type ConfigWriter = (config: ResolvedConfig) => OutputFile[];

/** Where the user reads what happened: stderr, or a stand-in in tests. */
export interface Console {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface RenderOptions {
  /** Writers besides the plain manifests, which are always written. @default - none */
  readonly writers?: readonly OutputWriter[];
  /** Write only one stream of plain manifests, for `cdk8s synth --stdout`. @default false */
  readonly stdoutMode?: boolean;
  /** Installations per cdk8s App (see `synthesize`). @default 10 */
  readonly chartsPerApp?: number;
  /** Called every `PROGRESS_EVERY` installations of a large config. @default - silent */
  readonly progress?: (done: number, total: number) => void;
  /**
   * Write each installation's files into this staging folder (`StagedOutput.dir`) as soon as they
   * are rendered, instead of returning their contents: threads write in parallel, and no thread
   * holds every file at once. Ignored in `stdoutMode`.
   * @default - files are returned
   */
  readonly stagingDir?: string;
}

/** One installation's files, and what the summary and the collision check need of its objects. */
export interface RenderedInstallation {
  readonly installation: ResolvedInstallation;
  /** Identity (API version, kind, namespace, name) of each object. */
  readonly objects: InstallationObjects['objects'];
  /** Its files' paths, relative to the output directory. */
  readonly paths: readonly string[];
  /**
   * Its files, unless they were written to `RenderOptions.stagingDir` already; in `--stdout` mode,
   * its part of the one manifest stream.
   */
  readonly files?: OutputFile[];
}

/**
 * Loads the installations and renders them, writing their files into `stagingDir` when it is
 * given (see `RenderOptions.stagingDir`). The default renders in this thread; main.ts passes one
 * that splits large configs over worker threads. Either way the result is in config order.
 */
export type Renderer = (load: () => ResolvedInstallation[], stagingDir: string | undefined) => Promise<RenderedInstallation[]>;

export interface AppOptions extends Omit<RenderOptions, 'progress'> {
  readonly configFile: string;
  readonly outdir: string;
  readonly console: Console;
  /** Colors are for people: set from `NO_COLOR` (https://no-color.org). @default true */
  readonly color?: boolean;
  /** @default - renders in this thread with `renderInstallations` */
  readonly renderer?: Renderer;
  /** Writers of files about several installations; skipped in `stdoutMode`. @default - none */
  readonly configWriters?: readonly ConfigWriter[];
}

/**
 * A tuning knob from the environment (`$GRAFANA_ANALYTICS_THREADS`, ...): unset or empty means the
 * default; anything but a positive integer is the user's mistake, reported like a config problem.
 */
export function positiveIntegerFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new ConfigError([{ path: `$${name}`, message: `got ${quote(value)}; allowed: a positive integer` }]);
  }
  return Number(value);
}

/**
 * Errors of the machine, not of the config or the library: a full disk, a read-only file
 * system, a quota, too many open files. The message says so instead of asking for a bug report.
 */
const ENVIRONMENT_ERRORS = new Set(['ENOSPC', 'EROFS', 'EDQUOT', 'EIO', 'EMFILE', 'ENFILE', 'EACCES', 'EPERM', 'EBUSY', 'ENAMETOOLONG']);

/** Above this many installations, synth reports progress every this many. */
export const PROGRESS_EVERY = 100;

/** The one file written in `--stdout` mode: every installation's manifests, in config order. */
export const STDOUT_MANIFEST_FILE = 'manifests.k8s.yaml';

/** Runs the app and returns the process exit code: 0, or 1 with the reason on the console. */
export async function runApp(options: AppOptions): Promise<number> {
  const out = options.console;
  let staged: StagedOutput | undefined;
  try {
    const protect = protectedFolders(options.configFile);
    const refused = outputFolderProblem(options.outdir, protect);
    if (refused) throw new OutputFolderRefused(options.outdir, refused);
    // The renderer calls `load` on this thread; the config writers need the whole config after it.
    const loaded: { config?: ResolvedConfig } = {};
    const load = () => (loaded.config = loadAnalyticsConfig(options.configFile)).installations;
    staged = options.stdoutMode ? undefined : StagedOutput.begin(options.outdir);
    const rendered = options.renderer
      ? await options.renderer(load, staged?.dir)
      : renderInstallations(load(), {
        ...options, stagingDir: staged?.dir, progress: (done, total) => out.write(`synthesized ${done}/${total} installations\n`),
      });
    const configFiles = staged && loaded.config ? (options.configWriters ?? []).flatMap(w => w(loaded.config!)) : [];
    if (staged) {
      commitRendered(staged, rendered, options.outdir, options.configFile, configFiles);
    } else {
      checkRendered(rendered, options.outdir, options.configFile);
      writeOutputAtomically(options.outdir, [{ path: STDOUT_MANIFEST_FILE, content: rendered.map(r => r.files?.[0].content ?? '').join('') }]);
    }
    staged = undefined;
    out.write(summary(rendered, options, configFiles.length));
    return 0;
  } catch (e) {
    staged?.discard();
    return reportFailure(e, options);
  }
}

/**
 * The checks `runApp` makes before it renders, writing nothing: the output folder (when given)
 * and the config. `npm run synth` runs them before the cdk8s CLI deletes the output folder.
 * Returns 0, or 1 with the reason on the console.
 */
export function checkConfig(options: Pick<AppOptions, 'configFile' | 'console' | 'color'> & { readonly outdir?: string }): number {
  try {
    if (options.outdir !== undefined) {
      const refused = outputFolderProblem(options.outdir, protectedFolders(options.configFile));
      if (refused) throw new OutputFolderRefused(options.outdir, refused);
    }
    loadAnalyticsConfig(options.configFile);
    return 0;
  } catch (e) {
    return reportFailure(e, options);
  }
}

function reportFailure(e: unknown, options: Pick<AppOptions, 'console' | 'color'>): 1 {
  // A config problem is the user's to fix: the message says where, without a stack trace.
  // So is a refused output folder, and the machine's own errors. Anything else is a bug in
  // this library, and its stack is what a bug report needs.
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const text = e instanceof ConfigError || e instanceof OutputFolderRefused ? e.message
    : code && ENVIRONMENT_ERRORS.has(code) ? `cannot write the output (${(e as Error).message}): a problem of this machine, not of the config or the library; nothing was replaced`
      : `internal error, please report it: ${(e as Error).stack ?? e}`;
  options.console.write(`${paint(text, options.console, options.color)}\n`);
  return 1;
}

/**
 * Replaces the output folder with the staged files of every installation (writing those not
 * staged yet) and the files of the whole config (`configFiles`: GitOps), after the checks that
 * need every installation at once. Throws ConfigError or
 * OutputFolderRefused.
 */
export function commitRendered(
  staged: StagedOutput, rendered: readonly RenderedInstallation[], outdir: string, source?: string, configFiles: readonly OutputFile[] = [],
): void {
  checkRendered(rendered, outdir, source);
  for (const r of rendered) if (r.files) writeStagedFiles(staged.dir, r.files);
  writeStagedFiles(staged.dir, configFiles);
  staged.commit();
}

function checkRendered(rendered: readonly RenderedInstallation[], outdir: string, source?: string): void {
  // Here, not per slice: slices (threads, progress steps) would miss collisions between them.
  const collisions = [...duplicateObjectProblems(rendered), ...sidecarFileProblems(rendered), ...usageUidProblems(rendered)];
  if (collisions.length > 0) throw new ConfigError(collisions, source);
  // The dashboards are known now: the output folder must not hold one either.
  const dashboards = rendered.flatMap(r => r.installation.dashboards.map(d => ({ what: `the dashboard file ${d.file}`, path: d.file })));
  const holdsInput = outputFolderProblem(outdir, dashboards);
  if (holdsInput) throw new OutputFolderRefused(outdir, holdsInput);
}

/**
 * Synthesizes installations and turns each into its own files. Every file depends on its own
 * installation only, so any split of the list (threads, Apps) writes the same bytes.
 */
export function renderInstallations(installations: readonly ResolvedInstallation[], options: RenderOptions = {}): RenderedInstallation[] {
  const step = installations.length > PROGRESS_EVERY ? PROGRESS_EVERY : installations.length;
  const rendered: RenderedInstallation[] = [];
  const stagingDir = options.stdoutMode ? undefined : options.stagingDir;
  for (let start = 0; start < installations.length; start += step) {
    for (const s of synthesize(installations.slice(start, start + step), { chartsPerApp: options.chartsPerApp })) {
      const files = installationFiles(s, options);
      const written = stagingDir !== undefined;
      if (written) writeStagedFiles(stagingDir, files);
      rendered.push({
        installation: s.installation,
        objects: s.objects.map(({ apiVersion, kind, metadata: { name, namespace }, data }) => ({
          apiVersion, kind, metadata: { name, namespace }, ...(kind === 'ConfigMap' && data ? { dataKeys: Object.keys(data as object) } : {}),
        })),
        paths: files.map(f => f.path),
        ...(written ? {} : { files }),
      });
    }
    if (step === PROGRESS_EVERY) options.progress?.(rendered.length, installations.length);
  }
  return rendered;
}

/**
 * `cdk8s synth --stdout` concatenates every *.yaml it finds, one read stream per file, in parallel:
 * one file keeps the order, and every document starts with `---` so the stream stays valid YAML.
 */
function installationFiles(s: SynthesizedInstallation, options: RenderOptions): OutputFile[] {
  if (options.stdoutMode) return [{ path: STDOUT_MANIFEST_FILE, content: `---\n${toYamlStream(s.objects)}` }];
  return [...manifestFiles([s]), ...(options.writers ?? []).flatMap(w => w([s]))];
}

/**
 * The Grafana dashboard sidecar writes the keys of every ConfigMap it watches into one folder:
 * two installations whose dashboard ConfigMaps share a namespace must not share a file name
 * (the ConfigMap names may differ while the file names do not).
 */
export function sidecarFileProblems(rendered: readonly Pick<RenderedInstallation, 'installation' | 'objects'>[]): ConfigProblem[] {
  const owners = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  rendered.forEach(({ installation, objects }, i) => {
    for (const o of objects) {
      for (const file of o.dataKeys ?? []) {
        if (!file.endsWith('.json')) continue;
        const key = `${o.metadata.namespace ?? ''}/${file}`;
        const first = owners.get(key);
        if (first === undefined) {
          owners.set(key, i);
        } else if (first !== i) {
          problems.push({
            path: `installations[${i}].dashboards`,
            message: `installation "${installation.name}" writes the dashboard file ${file} that installations[${first}] ("${rendered[first].installation.name}") writes too, in namespace ${o.metadata.namespace}, where one sidecar writes all of them into one folder; allowed: installation and dashboard file names whose file names differ`,
          });
        }
      }
    }
  });
  return problems;
}

/** A provisioned dashboard must not take the uid of the installation's own usage dashboard. */
export function usageUidProblems(rendered: readonly Pick<RenderedInstallation, 'installation'>[]): ConfigProblem[] {
  return rendered.flatMap(({ installation }, i) => installation.dashboards.flatMap((d, j) => (d.dashboard.uid === usageDashboardUid(installation.name)
    ? [{ path: `installations[${i}].dashboards[${j}]`, message: `file ${quote(d.file)} has uid "${d.dashboard.uid}"; allowed: any uid but "${d.dashboard.uid}", the uid of this installation's usage dashboard` }]
    : [])));
}

/**
 * One aligned line per installation (name, namespace, host, cluster when any installation has one,
 * objects, outputs), then a total; `configFiles` counts the files of the config writers.
 */
export function summary(
  rendered: readonly RenderedInstallation[], options: Pick<AppOptions, 'outdir' | 'stdoutMode' | 'writers'>, configFiles = 0,
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
    // The listed dashboards and the usage dashboard, and who loads them into Grafana.
    `${inst.dashboards.length + 1} dashboards via ${inst.grafana.provisioning}`,
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
