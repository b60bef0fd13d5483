/**
 * go-yaml, the YAML reader of kubectl and helm (YAML 1.1: NEL, LS and PS are line breaks, `yes`
 * and `on` are booleans, Go number syntax), reads every YAML file the app writes back into exactly
 * the objects the app built, whatever text a config or a dashboard carries. Read with the real
 * tools: `kubectl label --local -o json` for streams of objects, and helm's `fromYaml | toJson`
 * in a throwaway chart for the other files. One tool run reads many files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { KubeObject, loadConfigFile, SynthesizedInstallation, synthesize } from '../lib';
import { writeOutputAtomically } from '../lib/output/files';
import { grafanaValues } from '../lib/output/grafana-values';
import { helmChart } from '../lib/output/helm-chart';
import { chartMetadata } from '../lib/output/helm/text';
import { chartValues } from '../lib/output/helm/values';
import { manifestFiles } from '../lib/output/manifests';
import { version as packageVersion } from '../package.json';
import { runHelm, runKubectl } from './support/helm';
import { runMain } from './support/run-app';

type Json = Record<string, any>;

/** One string per class of text go-yaml could misread, or refuse, if it were written raw or plain. */
const C0 = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).filter(c => !'\t\n\r'.includes(c)).join('');
const C1 = Array.from({ length: 32 }, (_, c) => String.fromCharCode(0x80 + c)).filter(c => c !== '\u0085').join('');
const HOSTILE: Record<string, string> = {
  nel: 'before\u0085after',
  lineSeparator: 'title\u2028kind: Secret\u2028metadata:\u2028  name: injected',
  paragraphSeparator: 'title\u2029---\u2029apiVersion: v1',
  c0: `a${C0}b`,
  c1: `a${C1}b`,
  del: 'a\u007fb',
  nonCharacters: '\ufffe\uffff\u{1fffe}\u{10ffff}',
  nul: 'a\u0000b',
  bom: 'inside\ufefftext',
  cr: 'one\rtwo\r\nthree',
  esc: '\u001b[31mred\u001b[0m',
  tabsAndLines: '\tindented\n\n  more\n',
  braces: '{{ .Values.replicas }} {{- "}}" -}} {{{ {"a":{}} {}}} }}{{',
  quotes: `"double" 'single' \`back\``,
  // The old reserved marker, and the template tokens' own prefix (which then grows past it).
  tokens: '__helm_chart_token_0__ helmaction0 helmactionz1: ""',
  indicators: '- a: b # c & *d !e %f @g | > ? [ ] { } ,',
  spaces: '  leading and trailing  ',
  astral: '\u{1f600}',
  yes: 'yes', on: 'on', y: 'y', n: 'N', off: 'Off', true: 'TRUE', nil: 'null', tilde: '~', merge: '<<', equals: '=',
  octal: '0o7', negativeOctal: '-0o7', oldOctal: '0777', hex: '0x1F', upperHex: '0X1F', binary: '0b101',
  underscored: '1_000', floatUnderscored: '1.5_0', dotFloat: '.5', exponent: '1e3', signed: '+1', sexagesimal: '1:20',
  doubleUnderscore: '1__0', hexUnderscore: '0x_1F', signedDotFloat: '+.5', negativeHex: '-0x1F', tabLines: 'a\n\tb\n',
  infinity: '.inf', date: '2001-12-14', version: '0.10',
};
const ALL = Object.values(HOSTILE).join(' | ');

/** `kubectl` reads a stream: one JSON object per document, in order. */
async function readStreams(files: readonly string[]): Promise<Json[]> {
  const result = await runKubectl(['label', '--local', '-o', 'json', ...files.flatMap(f => ['-f', f]), 'go-yaml-readback-']);
  if (result.code !== 0) throw new Error(`kubectl could not read ${files.join(', ')}:\n${result.stderr}`);
  // kubectl prints each object as indented JSON: a line that is only `{` starts the next one.
  return result.stdout.split(/\n(?=\{\n)/).map(text => JSON.parse(text));
}

/** helm's go-yaml reads single-document files: `fromYaml | toJson` of each, in a chart of its own. */
async function readDocuments(files: readonly string[], dir: string): Promise<Json[]> {
  const chart = fs.mkdtempSync(path.join(dir, 'probe-'));
  fs.mkdirSync(path.join(chart, 'templates'));
  fs.mkdirSync(path.join(chart, 'docs'));
  fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: probe\nversion: 0.1.0\n');
  files.forEach((f, i) => fs.copyFileSync(f, path.join(chart, 'docs', `${String(i).padStart(4, '0')}.yaml`)));
  fs.writeFileSync(path.join(chart, 'templates', 'probe.yaml'),
    '{{- range $path, $_ := .Files.Glob "docs/*" }}\n# {{ $.Files.Get $path | fromYaml | toJson }}\n{{- end }}\n');
  const result = await runHelm(['template', 'probe', chart]);
  if (result.code !== 0) throw new Error(`helm could not read ${files.join(', ')}:\n${result.stderr}`);
  const documents = result.stdout.split('\n').filter(line => line.startsWith('# {')).map(line => JSON.parse(line.slice(2)));
  for (const d of documents) if ('Error' in d) throw new Error(`helm's fromYaml failed: ${d.Error}`);
  return documents;
}

/** JSON-equal view of what the app built (no undefined, no key order). */
const asJson = (value: unknown): Json => JSON.parse(JSON.stringify(value));

/** The objects as the chart renders them with default values: Helm's labels added. */
function withHelmLabels(objects: readonly KubeObject[], name: string): Json[] {
  return objects.map(o => {
    const copy = asJson(o);
    copy.metadata.labels = {
      ...copy.metadata.labels,
      'helm.sh/chart': `${name}-${packageVersion}`,
      'app.kubernetes.io/managed-by': 'Helm',
      'app.kubernetes.io/instance': name,
    };
    const pod = copy.spec?.template?.metadata?.labels;
    if (pod?.['app.kubernetes.io/managed-by']) pod['app.kubernetes.io/managed-by'] = 'Helm';
    return copy;
  });
}

let dir: string;
let configFile: string;
let synthesized: SynthesizedInstallation[];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'go-yaml-readback-'));
  // GIVEN a dashboard carrying every class in its title, tags, panel titles and keys, and a config
  // whose names, labels and image tag are YAML 1.1 booleans and Go numbers where the schema allows
  const dashboard = {
    // A lone surrogate too (a \ud800 escape in the file): JSON.stringify escapes it again in the ConfigMap.
    uid: 'hostile', title: `Hostile ${ALL} \ud800`, description: ALL, tags: Object.values(HOSTILE),
    panels: Object.entries(HOSTILE).map(([key, text], i) => ({
      type: 'text', title: text, gridPos: { x: 0, y: i, w: 24, h: 1 }, options: { content: text, [text]: key },
    })),
  };
  fs.writeFileSync(path.join(dir, 'hostile.json'), JSON.stringify(dashboard));
  fs.writeFileSync(path.join(dir, 'plain.json'), JSON.stringify({ uid: 'plain', title: 'yes', panels: [] }));
  configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, stringify({
    installations: [
      {
        name: 'on', namespace: 'yes', dashboards: ['hostile.json', 'plain.json'],
        grafana: { host: 'y', subPath: '/no', service: { name: 'off', namespace: 'n' } },
        dashboardSidecar: { labelKey: 'on', labelValue: 'yes' },
        serviceMonitor: { labels: { y: 'n', release: '0o7', '1_000': '1e3', '0x1F': '1.5_0' } },
        server: { image: 'docker.io/macropower/analytics-panel-server:0o7' },
      },
      { name: 'y', dashboards: ['plain.json'], grafana: { host: 'true.example.com' }, server: { image: 'registry.example.com/server:1_0' } },
    ],
  }));
  synthesized = synthesize(loadConfigFile(configFile));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('go-yaml reads the app\'s output exactly as built', () => {
  let outdir: string;

  beforeAll(async () => {
    outdir = path.join(dir, 'dist');
    const run = await runMain({ GRAFANA_ANALYTICS_CONFIG: configFile, CDK8S_OUTDIR: outdir });
    if (run.code !== 0) throw new Error(run.stderr);
  });

  test('the config carries the hostile text into the objects', () => {
    const json = JSON.stringify(synthesized.map(s => s.objects));
    // The dashboard JSON keeps LS, PS and NEL as they are (JSON.stringify does not escape them).
    for (const c of ['\u2028', '\u2029', '\u0085', '\ufeff', '\uffff']) expect(json).toContain(c);
    expect(synthesized[0].objects.find(o => o.kind === 'ServiceMonitor')?.metadata.labels).toMatchObject({ release: '0o7' });
    expect(synthesized[0].installation.dashboards[0].dashboard.title).toContain('\ud800');
    expect(json).toContain('\\ud800');
  });

  test('plain manifests, every installation (kubectl)', async () => {
    for (const s of synthesized) {
      expect(await readStreams([path.join(outdir, `${s.installation.name}.k8s.yaml`)])).toEqual(asJson(s.objects));
    }
  });

  test('the --stdout stream (kubectl)', async () => {
    // GIVEN the folder `cdk8s synth --stdout` makes (see isCdk8sStdoutOutdir)
    const stdoutDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-'));
    try {
      const run = await runMain({ GRAFANA_ANALYTICS_CONFIG: configFile, CDK8S_OUTDIR: stdoutDir });
      expect(run.code).toBe(0);
      // THEN
      expect(await readStreams([path.join(stdoutDir, 'manifests.k8s.yaml')])).toEqual(asJson(synthesized.flatMap(s => s.objects)));
    } finally {
      fs.rmSync(stdoutDir, { recursive: true, force: true });
    }
  });

  test('the rendered templates of every chart (helm template, then kubectl)', async () => {
    for (const s of synthesized) {
      const name = s.installation.name;
      const rendered = await runHelm(['template', name, path.join(outdir, 'helm', name), '--namespace', s.installation.namespace]);
      expect(rendered.stderr).toBe('');
      const file = path.join(dir, `rendered-${name}.yaml`);
      fs.writeFileSync(file, rendered.stdout);
      const objects = await readStreams([file]);
      // helm writes the templates in its own order (by kind)
      const key = (o: Json) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
      const sort = (list: Json[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
      expect(sort(objects)).toEqual(sort(withHelmLabels(s.objects, name)));
    }
  });

  test('Chart.yaml, values.yaml and the Grafana values of every installation (helm fromYaml)', async () => {
    const files = synthesized.flatMap(({ installation: { name } }) => [
      path.join(outdir, 'helm', name, 'Chart.yaml'),
      path.join(outdir, 'helm', name, 'values.yaml'),
      path.join(outdir, 'grafana', name, 'values.yaml'),
    ]);
    const expected = synthesized.flatMap(({ installation }) => [
      chartMetadata(installation, packageVersion), chartValues(installation), grafanaValues(installation),
    ]);
    expect(await readDocuments(files, dir)).toEqual(asJson(expected));
    expect(expected[2]).toMatchObject({ sidecar: { dashboards: { label: 'on', labelValue: 'yes' } } });
  });
});

describe('the writer, for any string an object can hold', () => {
  // Strings the config cannot carry raw (JSON.stringify escapes C0 controls in dashboard JSON):
  // as keys and values of a ConfigMap and its annotations, written by the plain and the chart writer.
  const configMap = (namespace: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    // Labels as every object of the app has them (kubectl's label command adds an empty map otherwise).
    metadata: { name: 'hostile', namespace, labels: { app: 'hostile' }, annotations: HOSTILE },
    data: { ...HOSTILE, ...Object.fromEntries(Object.entries(HOSTILE).map(([k, v]) => [v, k])), all: ALL },
  });

  test('plain manifests and the rendered chart read back as built', async () => {
    const [s] = synthesized;
    const withHostile: SynthesizedInstallation = { ...s, objects: [...s.objects, configMap(s.installation.namespace)] };
    const out = path.join(dir, 'writer');
    writeOutputAtomically(out, [
      ...manifestFiles([withHostile]),
      ...helmChart(withHostile, { chartVersion: packageVersion }).map(f => ({ ...f, path: `chart/${f.path}` })),
    ]);
    const rendered = await runHelm(['template', s.installation.name, path.join(out, 'chart'), '--namespace', s.installation.namespace,
      '--show-only', 'templates/configmap-hostile.yaml']);
    expect(rendered.stderr).toBe('');
    fs.writeFileSync(path.join(out, 'rendered.yaml'), rendered.stdout);
    // WHEN
    const [plain, template] = await Promise.all([
      readStreams([path.join(out, `${s.installation.name}.k8s.yaml`)]), readStreams([path.join(out, 'rendered.yaml')]),
    ]);
    // THEN
    expect(plain).toEqual(asJson(withHostile.objects));
    expect(template).toEqual(withHelmLabels([configMap(s.installation.namespace)], s.installation.name));
  });

  test('the check catches the U+2028 injection of a writer that leaves LS raw in a block scalar', async () => {
    // GIVEN a dashboard ConfigMap whose title smuggles YAML behind LS, written by the yaml package
    // (YAML 1.2, where LS is no line break: it keeps the dashboard JSON in a | block)
    const title = 'x\u2028  mapRoles: system:masters\u2028metadata:\u2028  name: aws-auth\u2028  namespace: kube-system\u2028z: |\u2028  ';
    const dashboards: KubeObject = {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dashboards', namespace: 'monitoring', labels: { grafana_dashboard: '1' } },
      data: { 'd.json': `${JSON.stringify({ title }, undefined, 2)}\n` },
    };
    const unescaped = path.join(dir, 'unescaped.yaml');
    fs.writeFileSync(unescaped, stringify(dashboards, { lineWidth: 0 }));
    expect(fs.readFileSync(unescaped, 'utf8')).toContain('d.json: |');
    // WHEN
    const [read] = await readStreams([unescaped]);
    // THEN kubectl reads another object
    expect(read).toMatchObject({ metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { mapRoles: 'system:masters' } });
    expect(read).not.toEqual(asJson(dashboards));
    // and the app's writer keeps the title inside the dashboard
    fs.writeFileSync(unescaped, manifestFiles([{ ...synthesized[0], objects: [dashboards] }])[0].content);
    expect(await readStreams([unescaped])).toEqual([asJson(dashboards)]);
  });
});
