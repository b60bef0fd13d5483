/**
 * The app behind `cdk8s synth`: config file -> installations -> objects -> files, and what the user
 * sees on stderr. main.ts only reads the environment and calls `synthApp` (lib/app/synth-app.ts).
 */
import { loadAnalyticsConfig } from './load';
import { ResolvedConfig } from '../config/resolve';
import { ResolvedInstallation } from '../config/schema';
import { ConfigError } from '../config/problems';
import { StagedOutput, writeOutputAtomically } from '../output/files';
import { OutputFolderRefused, outputFolderProblem, protectedFolders } from '../output/output-folder';
import {
  checkRendered,
  commitRendered,
  ConfigWriter,
  RenderedInstallation,
  renderInstallations,
  RenderOptions,
  STDOUT_MANIFEST_FILE,
} from './render';
import { summary } from './internal/summary';

/** Where the user reads what happened: stderr, or a stand-in in tests. */
export interface Console {
  write(text: string): unknown;
  readonly isTTY?: boolean;
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
 * Errors of the machine, not of the config or the library: a full disk, a read-only file
 * system, a quota, too many open files. The message says so instead of asking for a bug report.
 */
const ENVIRONMENT_ERRORS = new Set(['ENOSPC', 'EROFS', 'EDQUOT', 'EIO', 'EMFILE', 'ENFILE', 'EACCES', 'EPERM', 'EBUSY', 'ENAMETOOLONG']);

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
    : code && ENVIRONMENT_ERRORS.has(code) ? (`cannot write the output (${(e as Error).message}): a problem of this machine, not of the config or `
      + `the library; nothing was replaced`)
      : `internal error, please report it: ${(e as Error).stack ?? String(e)}`;
  options.console.write(`${paint(text, options.console, options.color)}\n`);
  return 1;
}

function paint(text: string, out: Console, color = true): string {
  return color && out.isTTY ? `\x1b[31m${text}\x1b[0m` : text;
}
