import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/**
 * Watches the test process: when it dies before `cleanup()` ran (a crash, a worker killed on
 * timeout), it kills every process group listed in `<root>/pids` and removes `<root>`. jest gives
 * test files a copy of `process` whose 'exit' event never fires, so a hook there would not do.
 */
const WATCHDOG = `while kill -0 "$1" 2>/dev/null; do sleep 1; done
if [ -f "$2/pids" ]; then while read -r pid; do kill -KILL "-$pid" 2>/dev/null; done < "$2/pids"; fi
rm -rf "$2"`;

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
  private root?: { readonly dir: string; readonly watchdog: ChildProcess };

  /** A fresh directory inside the sandbox's temp dir, removed by `cleanup()`. */
  tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(this.rootDir(), `${prefix}-`));
  }

  private rootDir(): string {
    if (!this.root) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-sandbox-'));
      const watchdog = spawn('sh', ['-c', WATCHDOG, 'e2e-watchdog', String(process.pid), dir], { detached: true, stdio: 'ignore' });
      watchdog.unref();
      this.root = { dir, watchdog };
    }
    return this.root.dir;
  }

  /** Registers something to close on cleanup (in reverse order of registration). */
  onCleanup(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  /** Starts a program in its own process group; `cleanup()` stops it by PID. */
  start(name: string, command: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): ManagedProcess {
    const pidFile = path.join(this.rootDir(), 'pids');
    const child = spawn(command, args, {
      cwd: options.cwd, env: options.env ? { ...process.env, ...options.env } : undefined, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
    const pid = child.pid;
    fs.appendFileSync(pidFile, `${pid}\n`);
    let output = '';
    const append = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    // A child left running (a suite without cleanup) must not keep jest alive; the watchdog kills it.
    child.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
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

  /** Stops one process as `cleanup()` does; returns once it has exited. */
  async stop(process: ManagedProcess): Promise<void> {
    const i = this.processes.findIndex(p => p === process);
    if (i >= 0) await stopProcess(this.processes.splice(i, 1)[0]);
  }

  /** Stops every process (SIGTERM, then SIGKILL after a grace period), closes servers, removes the temp dir. */
  async cleanup(): Promise<void> {
    const errors: unknown[] = [];
    await Promise.all(this.processes.splice(0).map(stopProcess));
    for (const close of this.closers.splice(0).reverse()) {
      try { await close(); } catch (e) { errors.push(e); }
    }
    if (this.root) {
      this.root.watchdog.kill('SIGKILL');
      fs.rmSync(this.root.dir, { recursive: true, force: true });
      this.root = undefined;
    }
    if (errors.length > 0) throw new AggregateError(errors, 'sandbox cleanup failed');
  }
}

async function stopProcess(p: ManagedProcess): Promise<void> {
  signalGroup(p.pid, 'SIGTERM');
  const timer = new Promise(resolve => setTimeout(resolve, STOP_GRACE_MS).unref());
  await Promise.race([p.exit, timer]);
  // Also reaps children the leader left behind (e.g. nginx workers after a killed master).
  signalGroup(p.pid, 'SIGKILL');
  await p.exit;
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
      const last = lastError instanceof Error ? lastError.toString() : JSON.stringify(lastError);
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${last})` : ''}${output}`);
    }
    await new Promise(resolve => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
