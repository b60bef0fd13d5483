import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A file an output writer wants written, relative to the output directory. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/**
 * The file that marks a folder as this app's output: an existing non-empty folder without it is
 * someone else's, and is never replaced. Its content is fixed, so the output stays byte-identical.
 */
export const OUTPUT_MARKER = '.cdk8s-grafana-analytics';
const MARKER_TEXT = 'Written by cdk8s-grafana-analytics: the next synth replaces this folder whole.\n';

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
function lstatOrUndefined(p: string): fs.Stats | undefined {
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

/**
 * Who made a staging folder: pid, the process' start time and the boot, so a pid the system has
 * reused since is not taken for the owner. Linux /proc; elsewhere the pid alone.
 */
function ownerTag(pid: number): string {
  return `${pid}-${processStart(pid) ?? 0}-${bootId() ?? 0}`;
}

function processStart(pid: number): string | undefined {
  try {
    // The command name (field 2) may hold spaces and ')': the fields after the last ')' are fixed.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.substring(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let boot: string | undefined | null = null;
function bootId(): string | undefined {
  if (boot === null) {
    try {
      boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').replace(/[^0-9a-f]/g, '').substring(0, 12);
    } catch {
      boot = undefined;
    }
  }
  return boot;
}

function ownerAlive(pid: number, start: string, bootOfOwner: string): boolean {
  if (bootOfOwner !== String(bootId() ?? 0)) return false;
  if (start !== '0') return processStart(pid) === start;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Cleans up after runs that are over (killed by SIGKILL, SIGINT, SIGTERM, a power cut; a run
 * leaves nothing behind when it ends by itself): removes their staging folders, and puts back a
 * previous output one of them had moved aside when it was killed between its two renames. A live
 * run's folders stay. Returns the names of the folders removed or put back.
 */
export function removeStaleStagingFolders(target: string): string[] {
  const dir = path.dirname(target);
  const base = path.basename(target);
  const done: string[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return done;
  }
  for (const entry of entries) {
    if (!entry.startsWith(`${base}.`)) continue;
    const owner = /^\.(staging|previous)-([0-9]+)-([0-9]+)-([0-9a-f]+)-[0-9a-f]{8}$/.exec(entry.substring(base.length));
    if (!owner || ownerAlive(Number(owner[2]), owner[3], owner[4])) continue;
    if (owner[1] === 'previous' && !lstatOrUndefined(target)) fs.renameSync(path.join(dir, entry), target);
    else fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    done.push(entry);
  }
  return done;
}

/**
 * All-or-nothing output: files go to a staging folder beside `outdir` (from any thread, as they
 * are rendered), which then replaces `outdir` by renames. A failure discards the staging folder,
 * so it never leaves a half-written output behind; a killed run leaves the previous output in
 * place (or, killed between the two renames of `commit`, beside it as `<outdir>.previous-*`) and
 * its staging folder for the next run to clean up (`removeStaleStagingFolders`).
 */
export class StagedOutput {
  /** Creates the staging folder for `outdir` (after removing stale ones), with the output marker in it. */
  static begin(outdir: string): StagedOutput {
    const target = path.resolve(outdir);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    removeStaleStagingFolders(target);
    const dir = stagingName(target, 'staging');
    // mkdir, not mkdtemp (0700): the output folder's mode follows the umask like any new folder.
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, OUTPUT_MARKER), MARKER_TEXT);
    return new StagedOutput(target, dir);
  }

  private constructor(private readonly target: string, readonly dir: string) {}

  /** Puts the staged files in place: the previous output is moved aside first, then removed. */
  commit(): void {
    const aside = stagingName(this.target, 'previous');
    let moved = true;
    try {
      fs.renameSync(this.target, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      moved = false;
    }
    try {
      fs.renameSync(this.dir, this.target);
    } catch (e) {
      if (moved) fs.renameSync(aside, this.target);
      throw e;
    }
    if (moved) fs.rmSync(aside, { recursive: true, force: true });
  }

  discard(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A fresh name `<target>.<kind>-<owner>-<random>` beside `target` (see `ownerTag`). */
function stagingName(target: string, kind: 'staging' | 'previous'): string {
  return `${target}.${kind}-${ownerTag(process.pid)}-${crypto.randomBytes(4).toString('hex')}`;
}

/**
 * Writes files into a staging folder (`StagedOutput.dir`). Each file is created exclusively, so
 * two outputs that want the same path fail, even when different threads write them.
 */
export function writeStagedFiles(stagingDir: string, files: readonly OutputFile[]): void {
  const made = new Set<string>();
  for (const file of files) {
    const rel = path.normalize(file.path);
    if (path.isAbsolute(rel) || rel.startsWith('..')) throw new Error(`output path escapes the output directory: ${file.path}`);
    const full = path.join(stagingDir, rel);
    const dir = path.dirname(full);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    try {
      fs.writeFileSync(full, file.content, { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`two outputs want the same file: ${file.path}`);
      throw e;
    }
  }
}

/** Writes every file or none (see `StagedOutput`). */
export function writeOutputAtomically(outdir: string, files: readonly OutputFile[]): void {
  const staged = StagedOutput.begin(outdir);
  try {
    writeStagedFiles(staged.dir, files);
    staged.commit();
  } catch (e) {
    staged.discard();
    throw e;
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
