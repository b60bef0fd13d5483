import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { benchConfig } from '../bench/generate-config';
import { ConfigError, resolveAnalyticsConfig, synthesize } from '../lib';
import { positiveIntegerFromEnv } from '../lib/app/internal/environment';
import { MIN_INSTALLATIONS_PER_THREAD, renderInParallel } from '../lib/app/parallel';

const ROOT = path.resolve(__dirname, '..');
const INSTALLATIONS = 50;

/** Runs the app command of cdk8s.yaml, as `cdk8s synth` does, and returns every file it wrote. */
function runApp(configFile: string, outdir: string, env: Record<string, string> = {}): Map<string, string> {
  const { app } = parse(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')) as { app: string };
  const result = spawnSync(app, {
    cwd: ROOT,
    shell: true,
    encoding: 'utf8',
    env: { ...process.env, ...env, GRAFANA_ANALYTICS_CONFIG: configFile, CDK8S_OUTDIR: outdir },
  });
  if (result.status !== 0) throw new Error(`${app} failed: ${result.stderr}`);
  const files = fs.readdirSync(outdir, { recursive: true, withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => path.relative(outdir, path.join(e.parentPath, e.name)))
    .sort();
  return new Map(files.map(f => [f, fs.readFileSync(path.join(outdir, f), 'utf8')]));
}

describe('output identity of the fast path', () => {
  let dir: string;
  let configFile: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-identity-'));
    configFile = path.join(dir, 'config.yaml');
    // With gitops: the files about several installations (a Flux folder per cluster) must not depend on the split either.
    const config = benchConfig(INSTALLATIONS);
    fs.writeFileSync(configFile, stringify({
      ...config,
      gitops: { repoURL: 'https://git.example.com/platform/fleet.git', path: 'deploy/dist' },
      installations: (config.installations as object[]).map((inst, i) => ({ ...inst, cluster: `cluster-${i % 3}` })),
    }, { lineWidth: 0 }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the app command writes byte for byte what one App on one thread writes, whatever the split', () => {
    // GIVEN the reference: every chart in a single App, on a single thread
    const reference = runApp(configFile, path.join(dir, 'reference'), {
      GRAFANA_ANALYTICS_CHARTS_PER_APP: String(INSTALLATIONS), GRAFANA_ANALYTICS_THREADS: '1',
    });
    // WHEN the fast path runs as users run it, and split across two threads and Apps of 7 charts
    const fastPath = runApp(configFile, path.join(dir, 'fast'));
    const split = runApp(configFile, path.join(dir, 'split'), {
      GRAFANA_ANALYTICS_CHARTS_PER_APP: '7', GRAFANA_ANALYTICS_THREADS: '2',
    });
    // THEN every file is the same
    expect(reference.size).toBeGreaterThanOrEqual(INSTALLATIONS);
    expect([...reference.keys()]).toEqual(expect.arrayContaining([
      'grafana-00049.k8s.yaml', 'gitops/argocd/grafana-00049.yaml', 'gitops/argocd-root.yaml', 'gitops/flux/cluster-2/kustomization.yaml',
    ]));
    // installations of one cluster come from both threads' slices
    expect(reference.get('gitops/flux/cluster-0/kustomization.yaml')).toContain('helmrelease-grafana-00048.yaml');
    expect(reference.get('gitops/flux/cluster-0/kustomization.yaml')).toContain('helmrelease-grafana-00000.yaml');
    expect(fastPath).toEqual(reference);
    expect(split).toEqual(reference);
  });
});

describe('synthesize', () => {
  const installations = resolveAnalyticsConfig(benchConfig(INSTALLATIONS)).installations;
  const byName = (s: ReturnType<typeof synthesize>) => new Map(s.map(x => [x.installation.name, JSON.stringify(x.objects)]));

  test('gives each installation the same objects whatever the order of the charts in the App', () => {
    // GIVEN the installations in reverse and in a scrambled order
    const reversed = [...installations].reverse();
    const scrambled = installations.map((inst, i) => ({ inst, key: (i * 37) % INSTALLATIONS })).sort((a, b) => a.key - b.key).map(x => x.inst);
    // WHEN each order is synthesized in one App
    const reference = byName(synthesize(installations, { chartsPerApp: INSTALLATIONS }));
    // THEN every installation's objects are the same
    expect(byName(synthesize(reversed, { chartsPerApp: INSTALLATIONS }))).toEqual(reference);
    expect(byName(synthesize(scrambled, { chartsPerApp: 3 }))).toEqual(reference);
  });

  test('keeps the installation order whatever the split into Apps', () => {
    const names = (perApp: number) => synthesize(installations, { chartsPerApp: perApp }).map(s => s.installation.name);
    expect(names(1)).toEqual(installations.map(i => i.name));
    expect(names(13)).toEqual(installations.map(i => i.name));
  });

  test('fails when GRAFANA_ANALYTICS_CHARTS_PER_APP is not a positive integer', () => {
    const name = 'GRAFANA_ANALYTICS_CHARTS_PER_APP';
    expect(positiveIntegerFromEnv(name, {})).toBeUndefined();
    expect(positiveIntegerFromEnv(name, { [name]: '' })).toBeUndefined();
    expect(positiveIntegerFromEnv(name, { [name]: '25' })).toBe(25);
    expect(() => positiveIntegerFromEnv(name, { [name]: '0' })).toThrow(ConfigError);
    expect(() => positiveIntegerFromEnv(name, { [name]: '0' })).toThrow(/\$GRAFANA_ANALYTICS_CHARTS_PER_APP: got "0"; allowed: a positive integer/);
    expect(() => positiveIntegerFromEnv(name, { [name]: 'ten' })).toThrow(/got "ten"/);
  });
});

describe('renderInParallel', () => {
  const fixture = path.join(__dirname, 'support', 'render-fixture.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { render } = require(fixture) as { render: (items: string[]) => { path: string; content: string }[] };
  const items = Array.from({ length: 9 }, (_, i) => `item-${i}`);

  test('returns the files of every slice in the order of the items', async () => {
    const files = await renderInParallel(() => items, { module: fixture, exportName: 'render', render, threads: 3 });
    expect(files.map(f => f.path)).toEqual(items.map(i => `${i}.txt`));
    // the first slice is rendered on the calling thread, the others in workers
    expect(files[0].content).toMatch(/thread main/);
    expect(files[8].content).toMatch(/thread worker/);
  });

  test('renders a small config on the calling thread only', async () => {
    const files = await renderInParallel(() => items.slice(0, MIN_INSTALLATIONS_PER_THREAD - 1), { module: fixture, exportName: 'render', render });
    expect(files.every(f => f.content.includes('thread main'))).toBe(true);
  });

  test('fails when a worker fails, with the worker\'s error', async () => {
    await expect(renderInParallel(() => [...items, 'boom'], { module: fixture, exportName: 'render', render, threads: 2 }))
      .rejects.toThrow(/cannot render boom/);
  });

  test('fails when GRAFANA_ANALYTICS_THREADS is not a positive integer', () => {
    const name = 'GRAFANA_ANALYTICS_THREADS';
    expect(positiveIntegerFromEnv(name, { [name]: '2' })).toBe(2);
    expect(() => positiveIntegerFromEnv(name, { [name]: '-1' })).toThrow(/\$GRAFANA_ANALYTICS_THREADS: got "-1"; allowed: a positive integer/);
  });
});
