import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { resolveConfig } from '../lib';
import { isCdk8sStdoutOutdir } from '../lib/app/internal/environment';
import { installationOutputs } from '../lib/app/internal/summary';
import { OutputWriter, PROGRESS_EVERY, renderInstallations, STDOUT_MANIFEST_FILE } from '../lib/app/render';
import { StagedOutput, writeStagedFiles } from '../lib/output/files';
import { OUTPUT_MARKER } from '../lib/output/output-folder';
import { filesUnder, outdirWithSentinel, ROOT, runInProcess, SENTINEL_FILES } from './support/run-app';
import { EXAMPLE_CONFIG } from './support/example';


function writeConfig(config: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'analytics-config-')), 'config.yaml');
  fs.writeFileSync(file, stringify(config));
  return file;
}

/** Stands in for the Helm writer: a chart folder per installation. */
const fakeHelm: OutputWriter = synthesized => synthesized.flatMap(s => [
  { path: `helm/${s.installation.name}/Chart.yaml`, content: `name: ${s.installation.name}\n` },
  { path: `helm/${s.installation.name}/templates/all.yaml`, content: 'kind: List\n' },
]);

describe('what synth prints', () => {
  test('one aligned line per installation (name, namespace, host, objects, outputs), then a total', async () => {
    // GIVEN the example config and a second writer
    const outdir = outdirWithSentinel();
    // WHEN
    const { code, stderr } = await runInProcess({ configFile: EXAMPLE_CONFIG, outdir, writers: [fakeHelm] });
    // THEN
    expect(code).toBe(0);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^prod-eu +monitoring +grafana\\.prod-eu\\.example\\.com +9 objects +${outdir}/prod-eu\\.k8s\\.yaml `
      + `${outdir}/helm/prod-eu/$`));
    expect(lines[1]).toMatch(/^prod-us +analytics +ops\.prod-us\.example\.com\/grafana +10 objects /);
    expect(lines[2]).toMatch(/^staging +monitoring +grafana\.staging\.example\.com +10 objects /);
    // columns line up, so a thousand lines still read as a table
    expect(new Set(lines.slice(0, 3).map(l => l.indexOf(' objects'))).size).toBe(1);
    expect(lines[3]).toBe(`total: 3 installations, 29 objects, 9 files in ${outdir}`);
    expect(filesUnder(outdir)).toContain('helm/prod-eu/Chart.yaml');
  });

  test('reports progress while synthesizing many installations, and still one line each', async () => {
    // GIVEN more installations than one progress step
    const count = PROGRESS_EVERY * 2 + 50;
    const installations = Array.from({ length: count }, (_, i) => ({ name: `g${i}`, grafana: { host: `g${i}.example.com` } }));
    // WHEN
    const { code, stderr } = await runInProcess({ configFile: writeConfig({ installations }), outdir: outdirWithSentinel() });
    // THEN
    expect(code).toBe(0);
    const progress = stderr.split('\n').filter(l => l.startsWith('synthesized '));
    expect(progress).toEqual([`synthesized 100/${count} installations`, `synthesized 200/${count} installations`, `synthesized ${count}/${count} `
      + `installations`]);
    expect(stderr.split('\n').filter(l => / \d+ objects /.test(l))).toHaveLength(count);
    expect(stderr).toContain(`total: ${count} installations, `);
  });

  test('prints no progress for a small config', async () => {
    const { stderr } = await runInProcess({ configFile: EXAMPLE_CONFIG, outdir: outdirWithSentinel() });
    expect(stderr).not.toContain('synthesized ');
  });

  test('errors are red only on a terminal', async () => {
    const bad = path.join(__dirname, 'bad-configs', 'host-with-scheme.yaml');
    const onTty = await runInProcess({ configFile: bad, outdir: outdirWithSentinel(), isTTY: true });
    // eslint-disable-next-line no-control-regex -- the ANSI color codes are what this test is about
    expect(onTty.stderr).toMatch(/^\x1b\[31minvalid configuration[^]*\x1b\[0m\n$/);
    expect((await runInProcess({ configFile: bad, outdir: outdirWithSentinel(), isTTY: false })).stderr).not.toContain('\x1b[');
    expect((await runInProcess({ configFile: bad, outdir: outdirWithSentinel(), isTTY: true, color: false })).stderr).not.toContain('\x1b[');
  });

  test('names each installation\'s outputs: its files and its chart folders, not a neighbour\'s', () => {
    const paths = [
      'prod.k8s.yaml',
      'prod-eu.k8s.yaml',
      'helm/prod/Chart.yaml',
      'helm/prod/templates/a.yaml',
      'grafana/prod.values.yaml',
      'helm/prod-eu/Chart.yaml',
    ];
    expect(installationOutputs('prod', paths, 'dist')).toEqual(['dist/prod.k8s.yaml', 'dist/helm/prod/', 'dist/grafana/prod.values.yaml']);
  });
});

describe('objects two installations would both create', () => {
  test('fails when installations rendered apart (other threads or slices) create the same object: nothing written', async () => {
    // GIVEN two installations rendered separately, the second's auth Ingress renamed onto the first's
    const [a, b] = resolveConfig({
      defaults: { auth: { mode: 'via-ingress' }, grafana: { service: { namespace: 'grafana' } } },
      installations: [{ name: 'a', grafana: { host: 'a.example.com' } }, { name: 'b', grafana: { host: 'b.example.com' } }],
    });
    const [renderedA] = renderInstallations([a]);
    const [renderedB] = renderInstallations([b]);
    const clash = {
      ...renderedB,
      objects: renderedB.objects.map(o =>
        o.metadata.name === 'b-analytics-grafana-auth' ? { ...o, metadata: { ...o.metadata, name: 'a-analytics-grafana-auth' } } : o,
      ),
    };
    const outdir = outdirWithSentinel();
    // WHEN the app gets them from its renderer, as it gets the slices of its threads
    const { code, stderr } = await runInProcess({ configFile: EXAMPLE_CONFIG, outdir, renderer: async () => [renderedA, clash] });
    // THEN
    expect(code).toBe(1);
    expect(stderr).toContain('installations[1].name: got "b", whose Ingress "grafana/a-analytics-grafana-auth" is created by installations[0] '
      + '("a") too');
    expect(filesUnder(outdir)).toEqual(SENTINEL_FILES);
    // and without the clash the same renderer writes
    expect((await runInProcess({ configFile: EXAMPLE_CONFIG, outdir, renderer: async () => [renderedA, renderedB] })).code).toBe(0);
  });

  test('files a renderer already wrote to the staging folder are discarded with it', async () => {
    // GIVEN a renderer that writes both installations' files as it renders them (as threads do), then returns a clash
    const [a, b] = resolveConfig({
      defaults: { grafana: { service: { namespace: 'grafana' } } },
      installations: [{ name: 'a', grafana: { host: 'a.example.com' } }, { name: 'b', grafana: { host: 'b.example.com' } }],
    });
    const outdir = outdirWithSentinel();
    let staged: string[] = [];
    const renderer = async (_load: unknown, stagingDir: string | undefined) => {
      const [renderedA, renderedB] = renderInstallations([a, b], { stagingDir });
      staged = filesUnder(stagingDir!);
      return [renderedA, { ...renderedB, objects: renderedA.objects }];
    };
    // WHEN
    const { code } = await runInProcess({ configFile: EXAMPLE_CONFIG, outdir, renderer });
    // THEN the files had been written, and neither they nor the staging folder are left
    expect(code).toBe(1);
    expect(staged).toEqual([OUTPUT_MARKER, 'a.k8s.yaml', 'b.k8s.yaml']);
    expect(filesUnder(outdir)).toEqual(SENTINEL_FILES);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
  });
});

describe('staged output', () => {
  const staging = () => fs.mkdtempSync(path.join(os.tmpdir(), 'analytics-staging-'));

  test('two writers of the same path fail, even in separate calls (separate threads)', () => {
    const dir = staging();
    writeStagedFiles(dir, [{ path: 'helm/a/Chart.yaml', content: 'first' }]);
    expect(() => writeStagedFiles(dir, [{ path: 'helm/a/../a/Chart.yaml', content: 'second' }])).toThrow('two outputs want the same file: '
      + 'helm/a/../a/Chart.yaml');
    expect(fs.readFileSync(path.join(dir, 'helm/a/Chart.yaml'), 'utf8')).toBe('first');
  });

  test.each(['../outside.yaml', '/etc/outside.yaml', 'a/../../outside.yaml'])('a path outside the output directory fails: %s', p => {
    expect(() => writeStagedFiles(staging(), [{ path: p, content: '' }])).toThrow(`output path escapes the output directory: ${p}`);
  });

  test('commit replaces the output directory, discard leaves it', () => {
    const outdir = outdirWithSentinel();
    const discarded = StagedOutput.begin(outdir);
    writeStagedFiles(discarded.dir, [{ path: 'x.yaml', content: 'x' }]);
    discarded.discard();
    expect(filesUnder(outdir)).toEqual(SENTINEL_FILES);
    const committed = StagedOutput.begin(outdir);
    writeStagedFiles(committed.dir, [{ path: 'y/z.yaml', content: 'z' }]);
    committed.commit();
    expect(filesUnder(outdir)).toEqual([OUTPUT_MARKER, 'y/z.yaml']);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
  });
});

describe('cdk8s synth --stdout', () => {
  test('the app recognizes the folder the CLI makes for --stdout, and nothing else', () => {
    const cliTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-'));
    expect(isCdk8sStdoutOutdir(cliTemp)).toBe(true);
    expect(isCdk8sStdoutOutdir('dist')).toBe(false);
    expect(isCdk8sStdoutOutdir(path.join(os.tmpdir(), 'cdk8s-abcdef-not-made'))).toBe(false);
    const elsewhere = fs.mkdtempSync(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'x-')), 'cdk8s-'));
    expect(isCdk8sStdoutOutdir(elsewhere)).toBe(false);
  });

  test('in stdout mode only one stream of plain manifests is written, whatever the other writers make', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-'));
    const { code, stderr } = await runInProcess({ configFile: EXAMPLE_CONFIG, outdir, writers: [fakeHelm], stdoutMode: true });
    expect(code).toBe(0);
    expect(filesUnder(outdir)).toEqual([OUTPUT_MARKER, STDOUT_MANIFEST_FILE]);
    expect(stderr).toContain('total: 3 installations, 29 objects, to stdout (plain manifests only');
  });

  test('the real CLI prints a valid YAML stream of every object, in config order', async () => {
    // WHEN `cdk8s synth --stdout` runs the app the way cdk8s.yaml says
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade', '--stdout'],
        {
          cwd: ROOT,
          env: { ...process.env, GRAFANA_ANALYTICS_CONFIG: EXAMPLE_CONFIG },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', d => { out += d; });
      child.stderr.on('data', d => { err += d; });
      child.once('error', reject);
      child.once('close', c => resolve({ code: c ?? -1, stdout: out, stderr: err }));
    });
    // THEN
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.stringContaining('total: 3 installations, 29 objects, to stdout') });
    const docs = parseAllDocuments(stdout);
    expect(docs.flatMap(d => d.errors)).toEqual([]);
    const objects = docs.map(d => d.toJS());
    expect(objects).toHaveLength(29);
    expect(objects.every(o => typeof o.kind === 'string' && typeof o.metadata?.name === 'string')).toBe(true);
    expect(objects[0].metadata.name).toBe('prod-eu-analytics');
    expect(objects[objects.length - 1].metadata.name).toBe('staging-analytics');
  });
});
