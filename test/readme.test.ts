/** The README's code example runs as written against this library. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import * as lib from '../lib';
import { Manifest, validateManifests } from './support/kube-schema';

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

test('the "Using the constructs" example synthesizes valid objects', () => {
  // GIVEN the TypeScript example, with the App writing to a temporary folder
  const [, source] = /## Using the constructs from another project[\s\S]*?```ts\n([\s\S]*?)```/.exec(README) ?? [];
  expect(source).toContain("from 'cdk8s-grafana-analytics'");
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  const js = ts.transpileModule(source.replace('new App()', `new App({ outdir: ${JSON.stringify(outdir)} })`), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  // WHEN it runs with the package name resolved to this library
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (name: string) => (name === 'cdk8s-grafana-analytics' ? lib : require(name));
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the README's example, compiled, as users would
  new Function('require', 'exports', js)(load, {});
  // THEN both charts are written, with the objects the example asks for
  const objects = (file: string): Manifest[] => parseAllDocuments(fs.readFileSync(path.join(outdir, file), 'utf8')).map(d => d.toJS());
  const kinds = (file: string) => objects(file).map(o => o.kind);
  expect(fs.readdirSync(outdir).sort()).toEqual(['custom.k8s.yaml', 'prod.k8s.yaml']);
  expect(kinds('custom.k8s.yaml')).toEqual(['ServiceAccount', 'Deployment', 'Service', 'ServiceMonitor']);
  expect(kinds('prod.k8s.yaml')).toEqual(expect.arrayContaining(['Deployment', 'Ingress', 'NetworkPolicy', 'PrometheusRule']));
  expect(validateManifests([...objects('custom.k8s.yaml'), ...objects('prod.k8s.yaml')])).toEqual([]);
  fs.rmSync(outdir, { recursive: true, force: true });
});

test('the README links only files the package ships', () => {
  // GIVEN what `npm pack` would put in the tarball
  const { stdout } = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
  const shipped = new Set((JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map(f => f.path));
  // WHEN
  const targets = [...README.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map(m => m[1]).filter(t => !/^[a-z]+:/.test(t));
  // THEN
  expect(targets.length).toBeGreaterThan(0);
  expect(targets.filter(t => !shipped.has(t))).toEqual([]);
});

test('the invalid-props example throws exactly the message the README shows', () => {
  // GIVEN the example and the text the README says it throws
  const [, source, message] = /```ts\n([^`]*?)```\s*throws\s*```text\n([\s\S]*?)```/.exec(README) ?? [];
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (name: string) => (name === 'cdk8s-grafana-analytics' ? lib : require(name));
  // WHEN
  let thrown: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the README's example, compiled, as users would
  new Function('require', 'exports', js)(load, {});
  } catch (e) {
    thrown = e;
  }
  // THEN
  expect(thrown).toBeInstanceOf(lib.PropsError);
  expect((thrown as Error).message).toBe(message.trimEnd());
});
