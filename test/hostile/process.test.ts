/**
 * Hostile cases that need a real process, a signal, a small file system or the process' umask
 * (issue 14, families 1, 2, 7 and 8); the table-driven corpus is corpus.test.ts.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import * as workerThreads from 'worker_threads';
import { maxThreads, renderInParallel } from '../../lib/app/parallel';
import { OUTPUT_MARKER } from '../../lib/output/output-folder';
import { filesUnder, ROOT, runInProcess, runMain } from '../support/run-app';

const STACK_FRAME = /^\s+at .+[(:]/m;

function workspace(): { dir: string; config: string; outdir: string } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-process-')));
  const config = path.join(dir, 'installations.yaml');
  fs.writeFileSync(config, stringify({ installations: [{ name: 'prod', grafana: { host: 'grafana.example.com' } }] }));
  return { dir, config, outdir: path.join(dir, 'dist') };
}

/** An output folder as an earlier run left it. */
function previousOutput(outdir: string): Record<string, string> {
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(path.join(outdir, OUTPUT_MARKER), 'left by an earlier run\n');
  fs.writeFileSync(path.join(outdir, 'prod.k8s.yaml'), 'previous: output\n');
  return contents(outdir);
}

function contents(dir: string): Record<string, string> {
  return Object.fromEntries(filesUnder(dir).map(f => [f, fs.readFileSync(path.join(dir, f), 'base64')]));
}

const stagingFolders = (dir: string) => fs.readdirSync(dir).filter(e => e.includes('.staging-'));

describe('a run that is killed', () => {
  test.each(['SIGKILL', 'SIGINT', 'SIGTERM'] as const)('by %s leaves the previous output intact, and the next run removes its '
    + 'staging folder', async signal => {
    // GIVEN a previous output and a config large enough to be killed while it renders
    const w = workspace();
    const before = previousOutput(w.outdir);
    fs.writeFileSync(
      w.config,
      stringify({ installations: Array.from({ length: 300 }, (_, i) => ({ name: `g${i}`, grafana: { host: `g${i}.example.com` } })) }),
    );
    // WHEN the app is killed once its staging folder exists
    const child: ChildProcess = spawn(process.execPath, ['-r', './scripts/ts-run.js', 'main.ts'], {
      cwd: ROOT, env: { ...process.env, GRAFANA_ANALYTICS_CONFIG: w.config, CDK8S_OUTDIR: w.outdir, GRAFANA_ANALYTICS_THREADS: '1' }, stdio: 'ignore',
    });
    let done = false;
    const exited = new Promise<NodeJS.Signals | null>(resolve => child.once('exit', (_code, s) => { done = true; resolve(s); }));
    while (!done && stagingFolders(w.dir).length === 0) await new Promise(r => setTimeout(r, 10));
    child.kill(signal);
    // THEN it died by the signal, before it replaced anything
    expect(await exited).toBe(signal);
    expect(contents(w.outdir)).toEqual(before);
    expect(stagingFolders(w.dir)).toHaveLength(1);
    // AND the next run removes the dead run's staging folder
    fs.writeFileSync(w.config, stringify({ installations: [{ name: 'prod', grafana: { host: 'grafana.example.com' } }] }));
    const next = await runInProcess({ configFile: w.config, outdir: w.outdir });
    expect(next.code).toBe(0);
    expect(stagingFolders(w.dir)).toEqual([]);
    expect(filesUnder(w.outdir)).toEqual([OUTPUT_MARKER, 'prod.k8s.yaml']);
  }, 60000);
});

test('a previous output a killed run had moved aside (between its two renames) is put back by the next run, even one that fails', async () => {
  // GIVEN no output folder, and the previous output moved aside by a run that is gone
  const w = workspace();
  const before = previousOutput(w.outdir);
  const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
  const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').replace(/[^0-9a-f]/g, '').substring(0, 12);
  fs.renameSync(w.outdir, `${w.outdir}.previous-${dead}-1-${boot}-0000a51d`);
  // WHEN the next run fails on its config
  fs.writeFileSync(w.config, 'installations: []\n');
  const { code } = await runInProcess({ configFile: w.config, outdir: w.outdir });
  // THEN the previous output is back in place, byte for byte, and nothing is left beside it
  expect(code).toBe(1);
  expect(contents(w.outdir)).toEqual(before);
  expect(stagingFolders(w.dir)).toEqual([]);
  expect(fs.readdirSync(w.dir).filter(e => e.includes('.previous-'))).toEqual([]);
});

describe('main.ts on hostile input', () => {
  test('CDK8S_OUTDIR= (empty) is refused and deletes nothing', async () => {
    const w = workspace();
    const run = await runMain({ GRAFANA_ANALYTICS_CONFIG: w.config, CDK8S_OUTDIR: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('refusing the output folder "": it is empty (an empty $CDK8S_OUTDIR would mean the working directory); nothing was '
      + 'written or deleted\n');
    expect(fs.existsSync(path.join(ROOT, 'package.json'))).toBe(true);
  });

  test('a FIFO as the config is refused at once, not waited on', async () => {
    const w = workspace();
    const fifo = path.join(w.dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    const before = previousOutput(w.outdir);
    const run = await runMain({ GRAFANA_ANALYTICS_CONFIG: fifo, CDK8S_OUTDIR: w.outdir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the config file ${fifo} is a FIFO (named pipe); allowed: a regular file`);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(contents(w.outdir)).toEqual(before);
  });
});

describe('the output folder\'s mode', () => {
  test.each([['022', '755'], ['027', '750'], ['077', '700']])('follows the umask: %s gives %s', async (umask, mode) => {
    const w = workspace();
    const old = process.umask(parseInt(umask, 8));
    try {
      expect((await runInProcess({ configFile: w.config, outdir: w.outdir })).code).toBe(0);
    } finally {
      process.umask(old);
    }
    expect((fs.statSync(w.outdir).mode & 0o777).toString(8)).toBe(mode);
  });
});

describe('$GRAFANA_ANALYTICS_THREADS', () => {
  test(`is capped at twice the cores (${maxThreads()} here): 10^9 starts no more workers`, async () => {
    // GIVEN a render function that tells which thread rendered each item, and three items per allowed thread
    const module = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-threads-')), 'render.js');
    fs.writeFileSync(module, "exports.render = items => items.map(() => require('worker_threads').threadId);\n");
    const render = (items: string[]) => items.map(() => workerThreads.threadId);
    const items = Array.from({ length: 3 * maxThreads() }, (_, i) => `item${i}`);
    // WHEN 10^9 threads are asked for
    const threads = await renderInParallel(() => items, { module, exportName: 'render', render, threads: 1e9 });
    // THEN every item is rendered, on the cap's number of threads
    expect(threads).toHaveLength(items.length);
    expect(new Set(threads).size).toBe(maxThreads());
    expect(maxThreads()).toBe(2 * os.availableParallelism());
  });
});

/** Mounts a tmpfs of `size` at a fresh folder, or says why it cannot (not root, no mount). */
function mountTmpfs(size: string): { dir: string } | { skip: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (e) {
    fs.rmdirSync(dir);
    return { skip: `cannot mount a tmpfs (${String((e as { stderr?: Buffer }).stderr ?? e).trim()}): the disk-full and read-only cases need root` };
  }
}

const probe = mountTmpfs('64k');
if ('dir' in probe) execFileSync('umount', [probe.dir]);
const withTmpfs = 'skip' in probe ? test.skip : test;
if ('skip' in probe) {
   
  console.warn(`test/hostile/process.test.ts: SKIPPED the tmpfs cases: ${probe.skip}`);
}

describe('the machine\'s own errors are named as such', () => {
  const mounted: string[] = [];
  afterAll(() => { for (const dir of mounted) execFileSync('umount', ['-l', dir]); });
  const tmpfs = (size: string) => {
    const m = mountTmpfs(size);
    if ('skip' in m) throw new Error(m.skip);
    mounted.push(m.dir);
    return m.dir;
  };

  withTmpfs('a full disk (ENOSPC, 1 MiB tmpfs): exit 1, the previous output intact, no staging folder left', async () => {
    // GIVEN the output on a 1 MiB file system and a config whose output is larger (a 700 KB dashboard, written twice)
    const w = workspace();
    const disk = tmpfs('1m');
    const outdir = path.join(disk, 'dist');
    const before = previousOutput(outdir);
    fs.writeFileSync(path.join(w.dir, 'big.json'), JSON.stringify({ uid: 'big', title: 'Big', description: 'x'.repeat(700 * 1024) }));
    fs.writeFileSync(w.config, stringify({ installations: [{ name: 'prod', grafana: { host: 'grafana.example.com' }, dashboards: ['big.json'] }] }));
    // WHEN
    const { code, stderr } = await runInProcess({
      configFile: w.config,
      outdir,
      writers: [s => s.map(x => ({ path: `copy/${x.installation.name}.json`, content: 'y'.repeat(700 * 1024) }))],
    });
    // THEN
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(/^cannot write the output \(ENOSPC: no space left on device, write\): /.source
      + /a problem of this machine, not of the config or the library; nothing was replaced\n$/.source));
    expect(contents(outdir)).toEqual(before);
    expect(stagingFolders(disk)).toEqual([]);
  });

  withTmpfs('a read-only file system (EROFS): exit 1, the previous output intact', async () => {
    const w = workspace();
    const disk = tmpfs('1m');
    const outdir = path.join(disk, 'dist');
    const before = previousOutput(outdir);
    execFileSync('mount', ['-o', 'remount,ro', disk]);
    const { code, stderr } = await runInProcess({ configFile: w.config, outdir });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^cannot write the output \(EROFS: read-only file system, mkdir '.*dist\.staging-[^']+'\): a problem of this machine/);
    expect(stderr).not.toContain('internal error');
    expect(contents(outdir)).toEqual(before);
  });
});
