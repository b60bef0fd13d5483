/**
 * `npm run bench`: times the synth users run, for configs of 1 to 3000 installations, against
 * its floors, and writes the table to bench/results.md (committed, so commits can be compared).
 *
 * Every measured command is a separate process started the way `cdk8s synth` starts the app
 * (the `app` command of cdk8s.yaml, through a shell, with $CDK8S_OUTDIR and
 * $GRAFANA_ANALYTICS_CONFIG), so whatever main.ts writes is what gets timed. Output goes to a
 * fresh folder on the RAM disk (/dev/shm) to measure compute, and to one on the ordinary disk.
 *
 * Options: --sizes 1,10,100 --runs 5 --out bench/results.md --no-cli --no-instructions --helm-up-to 1000 --property-runs 1000 (see bench/README.md)
 *          --charts-per-app 1,5,10,25,50 (tunes `chartsPerApp` instead of the normal table)
 */
import { execSync, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { benchConfigYaml } from './generate-config';
import { OUTPUT_MARKER } from '../lib/output/output-folder';
import type { FloorEntry } from './yaml-floor';
import { HELM_ENV, helmBinary } from '../test/support/helm';

const ROOT = path.resolve(__dirname, '..');
const PROBE = path.join(__dirname, 'probe.js');
const RUNNER = 'node -r ./scripts/ts-run.js';

interface Options {
  readonly sizes: number[];
  readonly runs: number;
  readonly out: string;
  readonly cli: boolean;
  /** Count the app's instructions under callgrind for this many installations. */
  readonly instructions?: number;
  readonly chartsPerApp?: number[];
  /** Time one `helm template` per installation for sizes up to this one. */
  readonly helmUpTo: number;
  /** Configs of the schema property test's long run (0: none). */
  readonly propertyRuns: number;
}

/** One run of one command. */
interface Sample {
  readonly wallMs: number;
  /** CPU time of every node process of the run (the CLI's included). */
  readonly cpuMs: number;
  /** Peak RSS of the largest node process of the run. */
  readonly peakRssMiB: number;
}

interface Series {
  readonly samples: Sample[];
  readonly output?: OutputSummary;
}

interface OutputSummary {
  readonly files: number;
  readonly bytes: number;
  /** sha256 over every path and content: runs, disks and entry points must agree. */
  readonly digest: string;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (v: string) => v.split(',').map(Number).filter(n => Number.isInteger(n) && n > 0);
  return {
    sizes: list(get('sizes') ?? '1,10,100,1000,3000'),
    runs: Number(get('runs') ?? 5),
    out: get('out') ?? path.join('bench', 'results.md'),
    cli: !argv.includes('--no-cli'),
    instructions: argv.includes('--no-instructions') ? undefined : Number(get('instructions') ?? 100),
    chartsPerApp: get('charts-per-app') !== undefined ? list(get('charts-per-app')!) : undefined,
    helmUpTo: Number(get('helm-up-to') ?? 1000),
    propertyRuns: Number(get('property-runs') ?? 1000),
  };
}

/** The command `cdk8s synth` runs, from cdk8s.yaml. */
function appCommand(): string {
  const config = parse(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')) as { app?: string };
  if (!config.app) throw new Error('cdk8s.yaml has no app command');
  return config.app;
}

/** Runs `command` through a shell in the repository, as the CLI runs the app; fails loudly. */
function measure(command: string, env: Record<string, string>): Sample {
  const probeFile = path.join(os.tmpdir(), `bench-probe-${process.pid}-${crypto.randomUUID()}.jsonl`);
  const start = process.hrtime.bigint();
  const result = spawnSync(command, {
    cwd: ROOT,
    shell: true,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: {
      ...process.env,
      ...env,
      BENCH_PROBE_FILE: probeFile,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${PROBE}`.trim(),
    },
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(`'${command}' failed (exit ${result.status}):\n${result.stderr.slice(-4000)}`);
  }
  const processes = fs.readFileSync(probeFile, 'utf8').trim().split('\n')
    .map(l => JSON.parse(l) as { maxRssKiB: number; cpuMicros: number });
  fs.rmSync(probeFile, { force: true });
  return {
    wallMs,
    cpuMs: processes.reduce((sum, p) => sum + p.cpuMicros, 0) / 1000,
    peakRssMiB: Math.max(...processes.map(p => p.maxRssKiB)) / 1024,
  };
}

function series(runs: number, command: string, env: Record<string, string>, outdir?: string): Series {
  const samples: Sample[] = [];
  let output: OutputSummary | undefined;
  for (let i = 0; i < runs; i++) {
    samples.push(measure(command, env));
    if (outdir) {
      const summary = summarizeOutput(outdir);
      if (output && summary.digest !== output.digest) throw new Error(`'${command}' wrote different output in two runs`);
      output = summary;
    }
  }
  return { samples, output };
}

/**
 * The same installations rendered as a Helm-based setup renders them: one `helm template` process
 * per installation, one after the other, of the charts the app wrote into `outdir` (wall ms per run).
 */
function helmPerInstallation(runs: number, outdir: string): number[] {
  const charts = fs.readdirSync(path.join(outdir, 'helm')).sort();
  const script = `for c in ${charts.join(' ')}; do "${helmBinary()}" template "$c" "helm/$c" >/dev/null || exit 1; done`;
  return Array.from({ length: runs }, () => {
    const start = process.hrtime.bigint();
    const result = spawnSync('sh', ['-c', script], { cwd: outdir, env: HELM_ENV, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr.slice(-2000)}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  });
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

function summarizeOutput(dir: string): OutputSummary {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const files = listFiles(dir);
  for (const file of files) {
    const content = fs.readFileSync(path.join(dir, file));
    bytes += content.length;
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return { files: files.length, bytes, digest: hash.digest('hex').slice(0, 12) };
}

/**
 * The app's output as documents, for the YAML floor. Files that are not YAML, and Helm templates
 * (`helm/<chart>/templates/`: their `{{ }}` actions are not YAML), are kept as text: the floor only
 * writes them. Every other YAML file must parse: plain manifests hold `{{` too (dashboard legends),
 * and leaving them out made the floor far too low.
 */
function floorEntries(dir: string): FloorEntry[][] {
  // The output marker is written by StagedOutput itself, in the floor as in the app.
  const entries = listFiles(dir).filter(file => file !== OUTPUT_MARKER).map((file): FloorEntry => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    if (!/\.ya?ml$/.test(file) || /^helm\/[^/]+\/templates\//.test(file)) return { path: file, text };
    const docs = parseAllDocuments(text);
    if (!Array.isArray(docs) || docs.some(d => d.errors.length > 0)) throw new Error(`the app wrote ${file}, which is not valid YAML`);
    return { path: file, documents: docs.map(d => d.toJS() as unknown) };
  });
  // Grouped by installation (`<name>.k8s.yaml`, `helm/<name>/...`, `grafana/<name>/...`), which
  // the floor splits over its threads as the app does.
  const groups = new Map<string, FloorEntry[]>();
  for (const e of entries) {
    const [first, second] = e.path.split('/');
    const name = second === undefined ? first.split('.')[0] : second;
    groups.set(name, [...(groups.get(name) ?? []), e]);
  }
  return [...groups.values()];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const wall = (s: Series) => median(s.samples.map(x => x.wallMs));
const cpu = (s: Series) => median(s.samples.map(x => x.cpuMs));
const rss = (s: Series) => Math.max(...s.samples.map(x => x.peakRssMiB));
const sec = (ms: number) => (ms / 1000).toFixed(2);
const spread = (s: Series) => {
  const w = s.samples.map(x => x.wallMs);
  return `${sec(median(w))} (${sec(Math.min(...w))}–${sec(Math.max(...w))})`;
};
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** A fresh folder of our own: the CLI deletes its output folder before each run. */
function freshDir(parent: string, prefix: string): string {
  fs.mkdirSync(parent, { recursive: true });
  return fs.mkdtempSync(path.join(parent, prefix));
}

function machine(): string {
  const cpus = os.cpus();
  const git = (cmd: string) => {
    try {
      return execSync(`git ${cmd}`, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git('status --porcelain --untracked-files=no') ? ' (uncommitted changes)' : '';
  return [
    `- Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} `
      + `${os.release()}`,
    `- Node ${process.version}; commit ${git('rev-parse --short HEAD') || 'unknown'}${dirty}; `
      + `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- Load average at start: ${os.loadavg().map(l => l.toFixed(2)).join(', ')} (other processes on this machine slow every figure)`,
  ].join('\n');
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const ramParent = fs.existsSync('/dev/shm') ? '/dev/shm' : undefined;
  const ram = ramParent ? freshDir(ramParent, 'cdk8s-grafana-analytics-bench-') : undefined;
  const disk = freshDir(path.join(ROOT, '.cache'), 'bench-');
  const work = ram ?? disk;
  const app = appCommand();
  const log = (line: string) => console.error(line);
  try {
    const header = `Start: ${machine()}\n- App command (cdk8s.yaml): \`${app}\``;
    log(header);
    const configs = new Map(options.sizes.map(n => {
      const file = path.join(work, `config-${n}.yaml`);
      fs.writeFileSync(file, benchConfigYaml(n));
      return [n, file] as const;
    }));
    // The first run after a source change transpiles (here into an empty cache of its own).
    const coldMs = measure(app, {
      CDK8S_OUTDIR: path.join(work, 'cold'), GRAFANA_ANALYTICS_CONFIG: configs.get(options.sizes[0])!, TS_RUN_CACHE: path.join(work, 'cold-cache'),
    }).wallMs;

    if (options.chartsPerApp) {
      const table = tuneChartsPerApp(options, app, configs, work, log);
      process.stdout.write(`${table}\n`);
      return;
    }
    const report = fullReport(options, app, configs, ram, disk, coldMs, log) + longPropertyRun(options.propertyRuns, log);
    const text = `# Benchmark results\n\nWritten by \`npm run bench\` (bench/run.ts); see bench/README.md for what each column `
      + `means.\n\n${machine()}\n- App command (cdk8s.yaml): \`${app}\`\n\n${report}\n`;
    fs.writeFileSync(path.resolve(ROOT, options.out), text);
    process.stdout.write(text);
    log(`\nwritten to ${options.out}`);
  } finally {
    if (ram) fs.rmSync(ram, { recursive: true, force: true });
    fs.rmSync(disk, { recursive: true, force: true });
  }
}

/** The schema property test (test/hostile/schema-property.test.ts) on many more configs than CI runs; fails the benchmark when it fails. */
function longPropertyRun(runs: number, log: (line: string) => void): string {
  if (runs === 0) return '';
  log(`schema property test, ${runs} configs`);
  const started = Date.now();
  const run = spawnSync('npx', ['jest', 'test/hostile/schema-property.test.ts'], {
    cwd: ROOT, env: { ...process.env, PROPERTY_RUNS: String(runs) }, stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`the schema property test failed on ${runs} configs (exit ${run.status})`);
  return `\n\nSchema property test (test/hostile/schema-property.test.ts), ${runs} configs: passed in `
    + `${((Date.now() - started) / 1000).toFixed(0)} s.`;
}

function fullReport(
  options: Options, app: string, configs: Map<number, string>, ram: string | undefined, disk: string,
  coldMs: number, log: (line: string) => void,
): string {
  const { runs } = options;
  const nodeFloor = series(runs, 'node -e 0', {});
  log(`node -e 0: ${spread(nodeFloor)} s`);
  const rows: string[] = [];
  const appWall = new Map<number, number>();
  for (const n of options.sizes) {
    const config = configs.get(n)!;
    const ramOut = ram ? path.join(ram, `out-${n}`) : undefined;
    const diskOut = path.join(disk, `out-${n}`);
    const env = (outdir: string) => ({ CDK8S_OUTDIR: outdir, GRAFANA_ANALYTICS_CONFIG: config });
    measure(app, env(ramOut ?? diskOut)); // warm-up: page cache, lazy compilation
    const onRam = ramOut ? series(runs, app, env(ramOut), ramOut) : undefined;
    const helm = n <= options.helmUpTo ? helmPerInstallation(runs, ramOut ?? diskOut) : undefined;
    const onDisk = series(runs, app, env(diskOut), diskOut);
    const output = (onRam ?? onDisk).output!;
    if (onDisk.output!.digest !== output.digest) throw new Error(`${n} installations: RAM disk and ordinary disk outputs differ`);
    const documents = path.join(disk, `documents-${n}.jsonl`);
    fs.writeFileSync(documents, floorEntries(ramOut ?? diskOut).map(group => `${JSON.stringify(group)}\n`).join(''));
    const floorOut = ramOut ? `${ramOut}-floor` : `${diskOut}-floor`;
    const floor = series(runs, `${RUNNER} bench/yaml-floor.ts ${documents}`, { CDK8S_OUTDIR: floorOut }, floorOut);
    let cli: Series | undefined;
    if (options.cli) {
      const cliOut = path.join(disk, `cli-${n}`);
      cli = series(runs, `npx cdk8s synth --no-check-upgrade --output ${cliOut}`, { GRAFANA_ANALYTICS_CONFIG: config }, cliOut);
      if (cli.output!.digest !== output.digest) throw new Error(`${n} installations: the CLI wrote other output than the app`);
    }
    const main = onRam ?? onDisk;
    appWall.set(n, wall(main));
    const row = [
      n,
      spread(main),
      sec(cpu(main)),
      rss(main).toFixed(0),
      spread(onDisk),
      cli ? spread(cli) : '–',
      spread(floor),
      (wall(main) / wall(floor)).toFixed(2),
      `${sec(cpu(floor))} / ${(cpu(main) / cpu(floor)).toFixed(2)}`,
      `${output.files} / ${mib(output.bytes)}`,
      (wall(main) / n).toFixed(n >= 100 ? 2 : 1),
      helm ? `${sec(median(helm))} (${sec(Math.min(...helm))}–${sec(Math.max(...helm))})` : '–',
      helm ? (median(helm) / wall(main)).toFixed(1) : '–',
      output.digest,
    ];
    rows.push(`| ${row.join(' | ')} |`);
    log(rows[rows.length - 1]);
    fs.rmSync(documents, { force: true });
  }
  const ratio = (a: number, b: number) => appWall.has(a) && appWall.has(b) ? (appWall.get(a)! / appWall.get(b)!).toFixed(2) : 'not measured';
  const marginal = appWall.has(3000) && appWall.has(1000) ? `${((appWall.get(3000)! - appWall.get(1000)!) / 2000).toFixed(2)} ms` : 'not measured';
  const where = ram ? 'RAM disk' : 'ordinary disk (no /dev/shm here)';
  const runners = compareRunners(runs, disk, log);
  return [
    `## Synth time by number of installations (${runs} runs each, after one warm-up run)`,
    '',
    `Wall times in seconds: median (min–max). "app" is the cdk8s.yaml app command run directly, output on the ${where} unless the column says `
      + `otherwise; "CLI" is \`npx cdk8s synth --no-check-upgrade --output <ordinary disk>\`.`,
    '',
    '| installations | app wall | app CPU | app peak RSS MiB | app, ordinary disk | CLI, ordinary disk | YAML-only floor | app / floor | floor CPU '
      + '/ app CPU ÷ floor CPU | files / MiB | app ms per installation | `helm template` per installation | helm / app | output sha256 |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    `- Floor \`node -e 0\`: ${spread(nodeFloor)} s. First synth after a source change (transpiles into .cache/ts-run): ${sec(coldMs)} s.`,
    `- Scaling: t(1000)/t(100) = ${ratio(1000, 100)} (target ≤ 11), t(3000)/t(1000) = ${ratio(3000, 1000)} (target ≤ 3.3); marginal cost between `
      + `1000 and 3000: ${marginal} per installation.`,
    ...(options.instructions ? [instructionsLine(app, options.instructions, ram ?? disk, log)] : []),
    '',
    runners,
  ].join('\n');
}

/**
 * Instructions the app executes for `n` installations on one thread, counted by callgrind: unlike
 * seconds on this shared machine (2x apart from one minute to the next), the count repeats within
 * about 1 %, so it is the figure to compare across commits.
 */
function instructionsLine(app: string, n: number, work: string, log: (line: string) => void): string {
  const config = path.join(work, `config-instructions-${n}.yaml`);
  fs.writeFileSync(config, benchConfigYaml(n));
  const command = `valgrind --tool=callgrind --callgrind-out-file=/dev/null ${app}`;
  const result = spawnSync(command, {
    cwd: ROOT, shell: true, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CDK8S_OUTDIR: path.join(work, 'instructions'), GRAFANA_ANALYTICS_CONFIG: config, GRAFANA_ANALYTICS_THREADS: '1' },
  });
  const collected = /Collected : (\d+)/.exec(result.stderr ?? '');
  const line = result.status === 0 && collected
    ? (`- Instructions (\`valgrind --tool=callgrind\`, one thread, ${n} installations, the app command): ${(Number(collected[1]) / 1e9).toFixed(2)} `
      + `G; repeatable within about 1 % whatever the load, so compare this across commits.`)
    : (`- Instructions: not counted `
      + `(${result.error?.message ?? `valgrind exit ${result.status}: ${(result.stderr ?? '').trim().split('\n').pop()}`}).`);
  log(line);
  return line;
}

/** How the app command's runner compares on the example config (config/installations.yaml). */
function compareRunners(runs: number, disk: string, log: (line: string) => void): string {
  const candidates: [string, string][] = [
    ['`node -r ./scripts/ts-run.js main.ts` (cached transpile; cdk8s.yaml)', `${RUNNER} main.ts`],
    ['`node -r ts-node/register/transpile-only main.ts`', 'node -r ts-node/register/transpile-only main.ts'],
    ['`npx ts-node --transpile-only main.ts` (the previous app command)', 'npx ts-node --transpile-only main.ts'],
  ];
  const rows = candidates.map(([label, command]) => {
    const out = path.join(disk, 'example');
    const s = series(runs, command, { CDK8S_OUTDIR: out });
    const row = `| ${label} | ${spread(s)} | ${rss(s).toFixed(0)} |`;
    log(row);
    return row;
  });
  const cliOut = path.join(disk, 'example-cli');
  const cli = series(runs, `npx cdk8s synth --no-check-upgrade --output ${cliOut}`, {}, cliOut);
  const cliCheck = series(runs, `npx cdk8s synth --output ${cliOut}`, {}, cliOut);
  const cliRows = [
    `| \`npx cdk8s synth --no-check-upgrade\` (what \`npm run synth\` runs) | ${spread(cli)} | ${rss(cli).toFixed(0)} |`,
    `| \`npx cdk8s synth\` (also asks npmjs.org for a newer CLI) | ${spread(cliCheck)} | ${rss(cliCheck).toFixed(0)} |`,
  ];
  cliRows.forEach(r => log(r));
  return [
    `## Example config (config/installations.yaml, ${runs} runs each)`,
    '',
    '| command | wall s: median (min–max) | peak RSS MiB |',
    '|---|---:|---:|',
    ...rows,
    ...cliRows,
  ].join('\n');
}

function tuneChartsPerApp(options: Options, app: string, configs: Map<number, string>, work: string, log: (line: string) => void): string {
  const header = `| installations | ${options.chartsPerApp!.map(c => `${c} per App`).join(' | ')} |`;
  const rows = [header, `|---:|${options.chartsPerApp!.map(() => '---:|').join('')}`];
  for (const n of options.sizes) {
    let digest: string | undefined;
    const cells = options.chartsPerApp!.map(perApp => {
      const out = path.join(work, `tune-${n}`);
      const s = series(options.runs, app, {
        CDK8S_OUTDIR: out, GRAFANA_ANALYTICS_CONFIG: configs.get(n)!, GRAFANA_ANALYTICS_CHARTS_PER_APP: String(perApp),
      }, out);
      if (digest && s.output!.digest !== digest) throw new Error(`${n} installations, ${perApp} per App: output differs from other splits`);
      digest = s.output!.digest;
      return `${sec(wall(s))} s / ${sec(cpu(s))} s CPU`;
    });
    rows.push(`| ${n} | ${cells.join(' | ')} |`);
    log(rows[rows.length - 1]);
  }
  return `Median wall / median CPU, ${options.runs} runs each; every split wrote byte-identical output.\n\n${rows.join('\n')}`;
}

main();
