/** Synthesizing from code writes what the app writes; `npm run synth` checks the config first. */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { loadAnalyticsConfig, loadConfigFile, resolveConfig, synthToDirectory } from '../lib';
import { CONFIG_OUTPUT_WRITERS, outputWriters } from '../lib/app/writers';
import { EXAMPLE_CONFIG } from './support/example';
import { filesUnder, outdirWithSentinel, ROOT, runInProcess } from './support/run-app';
import { version } from '../package.json';

const contents = (dir: string) => new Map(filesUnder(dir).map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));

describe('synthToDirectory', () => {
  test('writes byte for byte the files the app writes: manifests, Helm charts, Grafana values, GitOps files', async () => {
    // GIVEN the example config with a gitops block, once through the app as main.ts runs it, once from code
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-to-dir-'));
    fs.cpSync(path.dirname(EXAMPLE_CONFIG), dir, { recursive: true });
    const configFile = path.join(dir, 'installations.yaml');
    const config = parse(fs.readFileSync(configFile, 'utf8'));
    fs.writeFileSync(configFile, stringify({
      ...config,
      defaults: { ...config.defaults, cluster: 'eu-1' },
      gitops: { repoURL: 'https://github.com/acme/fleet.git', revision: 'main', path: 'deploy/dist', argocd: { namespace: 'argocd' } },
    }));
    const viaApp = outdirWithSentinel();
    const { code } = await runInProcess({
      configFile,
      outdir: viaApp,
      writers: outputWriters({ chartVersion: version }),
      configWriters: CONFIG_OUTPUT_WRITERS,
    });
    expect(code).toBe(0);
    const fromCode = path.join(dir, 'out');
    // WHEN
    const rendered = synthToDirectory(loadAnalyticsConfig(configFile), fromCode, { chartVersion: version });
    // THEN
    expect(contents(fromCode)).toEqual(contents(viaApp));
    expect(filesUnder(fromCode)).toEqual(expect.arrayContaining([
      'prod-eu.k8s.yaml', 'helm/prod-eu/Chart.yaml', 'helm/prod-eu/values.schema.json', 'grafana/prod-eu/values.yaml', 'gitops/argocd/prod-eu.yaml',
    ]));
    // A list of installations has no gitops block: the same files but the GitOps ones.
    const installationsOnly = path.join(dir, 'installations-only');
    synthToDirectory(loadConfigFile(configFile), installationsOnly, { chartVersion: version });
    expect(filesUnder(installationsOnly)).toEqual(filesUnder(fromCode).filter(f => !f.startsWith('gitops/')));
    expect(rendered.map(r => r.installation.name)).toEqual(['prod-eu', 'prod-us', 'staging']);
    expect(rendered[0].paths).toContain('prod-eu.k8s.yaml');
  });

  test('fails when two installations write the same file, and leaves the folder as it was', () => {
    // GIVEN an installation passed twice (resolveConfig would reject the repeated name), in two cdk8s Apps
    const [one] = resolveConfig({ installations: [{ name: 'one', grafana: { host: 'grafana.example.com' } }] });
    const outdir = outdirWithSentinel();
    const before = contents(outdir);
    // WHEN / THEN
    expect(() => synthToDirectory([one, one], outdir, { chartVersion: '1.0.0', chartsPerApp: 1 })).toThrow('two outputs want the same file: '
      + 'one.k8s.yaml');
    expect(contents(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
  });
});

describe('what synth prints', () => {
  test('says "1 installation" for one', async () => {
    const configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'one-')), 'config.yaml');
    fs.writeFileSync(configFile, 'installations:\n  - { name: one, grafana: { host: grafana.example.com } }\n');
    const { code, stderr } = await runInProcess({ configFile, outdir: outdirWithSentinel() });
    expect(code).toBe(0);
    expect(stderr).toMatch(/^total: 1 installation, \d+ objects, /m);
  });
});

/** `npm run synth -- <args>` with this config; resolves with its exit code and everything it printed. */
function npmRunSynth(configFile: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'synth', '--', ...args], {
      cwd: ROOT, env: { ...process.env, GRAFANA_ANALYTICS_CONFIG: configFile, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', d => { out += d; });
    child.stderr.on('data', d => { out += d; });
    child.once('error', reject);
    child.once('close', c => resolve({ code: c ?? -1, output: out }));
  });
}

describe('npm run synth', () => {
  test('fails on a bad config before the cdk8s CLI runs: the output folder stays, no stack trace', async () => {
    // GIVEN a bad config and an output folder holding a file
    const configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bad-')), 'config.yaml');
    fs.writeFileSync(configFile, 'installations:\n  - { name: Prod_EU, grafana: { host: "https://grafana.example.com/" } }\n');
    const outdir = outdirWithSentinel();
    const before = contents(outdir);
    // WHEN
    const { code, output } = await npmRunSynth(configFile, ['--output', outdir]);
    // THEN
    expect(code).not.toBe(0);
    expect(output).toBe([
      `invalid configuration in ${configFile} (2 problems):`,
      '  - installations[0].name: got "Prod_EU"; allowed: a DNS-1035 label (lower-case letters, digits and \'-\', starting with a letter) of at '
        + 'most 40 characters',
      '  - installations[0].grafana.host: got "https://grafana.example.com/"; allowed: a lower-case DNS host name without scheme, port or path, '
        + 'e.g. grafana.example.com',
      '',
    ].join('\n'));
    expect(contents(outdir)).toEqual(before);
  });

  test('refuses an output folder holding files the app did not write before the CLI deletes it', async () => {
    // GIVEN a folder of the user's own
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mine-'));
    fs.writeFileSync(path.join(outdir, 'notes.txt'), 'mine');
    // WHEN
    const { code, output } = await npmRunSynth(EXAMPLE_CONFIG, [`--output=${outdir}`]);
    // THEN
    expect(code).not.toBe(0);
    expect(output).toContain('it holds files this app did not write');
    expect(output).not.toContain('Synthesizing application');
    expect(filesUnder(outdir)).toEqual(['notes.txt']);
  });

  test('passes its arguments to the cdk8s CLI, which runs the app', async () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synth-')), 'out');
    const { code, output } = await npmRunSynth(EXAMPLE_CONFIG, ['-o', outdir]);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('total: 3 installations, ') });
    expect(filesUnder(outdir)).toEqual(expect.arrayContaining(['prod-eu.k8s.yaml', 'helm/prod-eu/Chart.yaml', 'grafana/prod-eu/values.yaml']));
  });
});
