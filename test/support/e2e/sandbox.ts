import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/**
 * Process groups still running, killed synchronously if the test process exits before a suite's
 * `cleanup()` ran (a crash, a timeout that kills the worker). Each child leads its own group, so
 * killing `-pid` also reaches what it forked (nginx workers) and nothing else.
 */
const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pid of liveGroups) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

/** A program started by a sandbox, with its output kept for error messages. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** stdout and stderr interleaved, the last 64 KiB. */
  output(): string;
  /** Set once the process has exited. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
}

const OUTPUT_LIMIT = 64 * 1024;
const STOP_GRACE_MS = 5000;

/**
 * Everything a suite starts or creates (processes, servers, temp dirs), released by `cleanup()`
 * in `afterAll`, which jest runs even when `beforeAll` or a test failed.
 */
export class Sandbox {
  private readonly processes: (ManagedProcess & { readonly child: ChildProcess })[] = [];
  private readonly closers: (() => Promise<void>)[] = [];
  private readonly dirs: string[] = [];

  /** A fresh directory under the OS temp dir, removed by `cleanup()`. */
  tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  /** Registers something to close on cleanup (in reverse order of registration). */
  onCleanup(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  /** Starts a program in its own process group; `cleanup()` stops it by PID. */
  start(name: string, command: string, args: readonly string[], options: { cwd?: string } = {}): ManagedProcess {
    const child = spawn(command, args, { cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
    const pid = child.pid;
    liveGroups.add(pid);
    let output = '';
    const append = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    let exited = false;
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => {
      child.on('exit', (code, signal) => {
        exited = true;
        resolve({ code, signal });
      });
    });
    const managed = { name, pid, child, exit, output: () => output, hasExited: () => exited };
    this.processes.push(managed);
    return managed;
  }

  /** Stops every process (SIGTERM, then SIGKILL after a grace period), closes servers, removes temp dirs. */
  async cleanup(): Promise<void> {
    const errors: unknown[] = [];
    await Promise.all(this.processes.splice(0).map(async p => {
      signalGroup(p.pid, 'SIGTERM');
      const timer = new Promise(resolve => setTimeout(resolve, STOP_GRACE_MS).unref());
      await Promise.race([p.exit, timer]);
      // Also reaps children the leader left behind (e.g. nginx workers after a killed master).
      signalGroup(p.pid, 'SIGKILL');
      await p.exit;
      liveGroups.delete(p.pid);
    }));
    for (const close of this.closers.splice(0).reverse()) {
      try { await close(); } catch (e) { errors.push(e); }
    }
    for (const dir of this.dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    if (errors.length > 0) throw new AggregateError(errors, 'sandbox cleanup failed');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pid, signal); } catch { /* the group is gone */ }
}

/** A TCP port free on 127.0.0.1 right now (for programs that cannot report the port they bound). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

/**
 * Polls `check` until it returns a value other than undefined. Fails early, with the program's
 * output, when `process` exits first.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, options: {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly process?: ManagedProcess;
}): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (options.process?.hasExited()) {
      throw new Error(`${options.process.name} exited while waiting for ${what}:\n${options.process.output()}`);
    }
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const output = options.process ? `\n${options.process.name} output:\n${options.process.output()}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}${output}`);
    }
    await new Promise(resolve => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
