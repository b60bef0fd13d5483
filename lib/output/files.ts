import * as fs from 'fs';
import * as path from 'path';

/** A file an output writer wants written, relative to the output directory. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/**
 * All-or-nothing output: files go to a staging folder beside `outdir` (from any thread, as they
 * are rendered), which then replaces `outdir` in one rename. A failure discards the staging
 * folder, so it never leaves a half-written output behind.
 */
export class StagedOutput {
  /** Creates the staging folder for `outdir`. */
  static begin(outdir: string): StagedOutput {
    const target = path.resolve(outdir);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    return new StagedOutput(target, fs.mkdtempSync(`${target}.staging-`));
  }

  private constructor(private readonly target: string, readonly dir: string) {}

  commit(): void {
    fs.rmSync(this.target, { recursive: true, force: true });
    fs.renameSync(this.dir, this.target);
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
