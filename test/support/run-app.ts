import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runApp } from '../../lib/app/app';
import { AppOptions } from '../../lib/app/app';
import { OUTPUT_MARKER } from '../../lib/output/output-folder';

export const ROOT = path.join(__dirname, '..', '..');

/**
 * A fresh output folder as an earlier run left it (with the app's marker), holding one more file
 * the app must leave alone when it fails.
 */
export function outdirWithSentinel(): string {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'analytics-test-')), 'dist');
  fs.mkdirSync(outdir);
  fs.writeFileSync(path.join(outdir, OUTPUT_MARKER), 'left by an earlier run\n');
  fs.writeFileSync(path.join(outdir, 'sentinel.txt'), 'left by the test');
  return outdir;
}

/** What `outdirWithSentinel` holds, as `filesUnder` lists it. */
export const SENTINEL_FILES = [OUTPUT_MARKER, 'sentinel.txt'];

/** Every file under `dir`, relative, sorted. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter(f => fs.statSync(path.join(dir, f)).isFile()).sort();
}

export interface AppRun { readonly code: number; readonly stderr: string }

/** Runs the app in-process, capturing what it prints. */
export async function runInProcess(options: Omit<AppOptions, 'console'> & { isTTY?: boolean }): Promise<AppRun> {
  let stderr = '';
  const code = await runApp({ ...options, console: { write: (t: string) => { stderr += t; }, isTTY: options.isTTY } });
  return { code, stderr };
}

/** Runs main.ts as `cdk8s synth` does (ts-node, environment variables), capturing stderr. */
export function runMain(env: Record<string, string>): Promise<AppRun & { stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './scripts/ts-run.js', 'main.ts'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => { stdout += d; });
    child.stderr.on('data', d => { stderr += d; });
    child.once('error', reject);
    child.once('close', code => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
