import * as fs from 'fs';
import * as path from 'path';
import { MARKER_TEXT, OUTPUT_MARKER } from './output-folder';
import { removeStaleStagingFolders, stagingName } from './staging-owner';

/** A file an output writer wants written, relative to the output directory. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
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
