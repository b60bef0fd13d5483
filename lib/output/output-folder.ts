/** Which folder the app may replace with its output, and the marker that says a folder is its own. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The file that marks a folder as this app's output: an existing non-empty folder without it is
 * someone else's, and is never replaced. Its content is fixed, so the output stays byte-identical.
 */
export const OUTPUT_MARKER = '.cdk8s-grafana-analytics';
export const MARKER_TEXT = 'Written by cdk8s-grafana-analytics: the next synth replaces this folder whole.\n';

/** The output folder is one the app must not replace; the message says why. */
export class OutputFolderRefused extends Error {
  constructor(readonly outdir: string, reason: string) {
    super(`refusing the output folder ${JSON.stringify(outdir)}: ${reason}; nothing was written or deleted`);
    this.name = 'OutputFolderRefused';
  }
}

/**
 * Why `outdir` must not be replaced (the app replaces its output folder whole), if it must not:
 * it is `/`, or holds (is or is an ancestor of) one of `protect` (the working directory, $HOME,
 * the config's folder, the dashboards), or exists and is not a folder of this app's output.
 */
export function outputFolderProblem(outdir: string, protect: readonly { readonly what: string; readonly path: string }[]): string | undefined {
  if (outdir === '') return 'it is empty (an empty $CDK8S_OUTDIR would mean the working directory)';
  const target = realPathOf(outdir);
  if (target === path.parse(target).root) return 'it is the root of the file system';
  for (const p of protect) {
    const real = realPathOf(p.path);
    if (real === target || real.startsWith(target + path.sep)) {
      return `it ${real === target ? 'is' : 'holds'} ${p.what} (${real}), and synth replaces the output folder whole`;
    }
  }
  const stat = lstatOrUndefined(outdir);
  if (!stat) {
    // A new folder: its nearest existing ancestor must be a folder to make it in.
    let parent = path.dirname(path.resolve(outdir));
    while (!fs.existsSync(parent)) parent = path.dirname(parent);
    return fs.statSync(parent).isDirectory() ? undefined : `${parent} is not a folder`;
  }
  if (stat.isSymbolicLink()) return 'it is a symbolic link; point at the folder itself';
  if (!stat.isDirectory()) return 'it exists and is not a folder';
  const entries = fs.readdirSync(outdir);
  if (entries.length > 0 && !entries.includes(OUTPUT_MARKER)) {
    return `it holds files this app did not write (no ${OUTPUT_MARKER} in it); delete it yourself or choose another folder`;
  }
  return undefined;
}

/** `lstat`, or undefined when nothing is there (also when a parent is a file: ENOTDIR). */
export function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if (['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw e;
  }
}

/** The real path of `p`, also when it does not exist yet: its nearest existing ancestor's, resolved. */
function realPathOf(p: string): string {
  const absolute = path.resolve(p);
  let existing = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

/** Where a user's own files are: an output folder must never hold them. */
export function protectedFolders(configFile?: string): { what: string; path: string }[] {
  return [
    { what: 'the working directory', path: process.cwd() },
    { what: 'the home folder', path: os.homedir() },
    { what: 'the temporary folder', path: os.tmpdir() },
    ...(configFile === undefined ? [] : [{ what: 'the config file', path: configFile }]),
  ];
}
