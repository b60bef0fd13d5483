import * as fs from 'fs';
import * as path from 'path';

/** A file an output writer wants written, relative to the output directory. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Writes every file or none: the files go to a staging folder beside `outdir`, which then
 * replaces `outdir` in one rename, so a failure never leaves a half-written output behind.
 */
export function writeOutputAtomically(outdir: string, files: readonly OutputFile[]): void {
  const target = path.resolve(outdir);
  const seen = new Set<string>();
  for (const file of files) {
    const rel = path.normalize(file.path);
    if (path.isAbsolute(rel) || rel.startsWith('..')) throw new Error(`output path escapes the output directory: ${file.path}`);
    if (seen.has(rel)) throw new Error(`two outputs want the same file: ${file.path}`);
    seen.add(rel);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(`${target}.staging-`);
  try {
    const dirs = new Set(files.map(f => path.dirname(path.join(staging, f.path))));
    for (const dir of dirs) fs.mkdirSync(dir, { recursive: true });
    for (const file of files) fs.writeFileSync(path.join(staging, file.path), file.content);
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
