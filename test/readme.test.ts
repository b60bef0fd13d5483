/** The README's code example runs as written against this library. */
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
