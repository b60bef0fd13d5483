/**
 * Rendering installations to files: synthesize, write each installation's files (plain manifests
 * and the writers'), then check what needs every installation at once and commit the staged folder.
 */
import { ResolvedConfig } from '../config/resolve';
import { ResolvedInstallation } from '../config/schema';
import { ConfigError } from '../config/problems';
import { OutputFile, StagedOutput, writeStagedFiles } from '../output/files';
import { OutputFolderRefused, outputFolderProblem } from '../output/output-folder';
import { manifestFiles, toYamlStream } from '../output/manifests';
import { synthesize, SynthesizedInstallation } from '../constructs';
import { duplicateObjectProblems, InstallationObjects, sidecarFileProblems, usageUidProblems } from './internal/collisions';

/** Turns synthesized installations into files (Helm charts, Grafana values, ...). */
export type OutputWriter = (installations: readonly SynthesizedInstallation[]) => OutputFile[];

/**
 * Turns the whole config into files that depend on several installations (the GitOps objects):
 * the app calls it once, after every installation has rendered.
 */
export type ConfigWriter = (config: ResolvedConfig) => OutputFile[];

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

/** Above this many installations, synth reports progress every this many. */
export const PROGRESS_EVERY = 100;

/** The one file written in `--stdout` mode: every installation's manifests, in config order. */
export const STDOUT_MANIFEST_FILE = 'manifests.k8s.yaml';

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

export function checkRendered(rendered: readonly RenderedInstallation[], outdir: string, source?: string): void {
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
          apiVersion, kind, metadata: { name, namespace }, ...(kind === 'ConfigMap' && data ? { dataKeys: Object.keys(data) } : {}),
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

