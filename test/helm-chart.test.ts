import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { KubeObject, loadConfigFile, ResolvedInstallation, resolveConfig, SynthesizedInstallation, synthesize } from '../lib';
import { writeOutputAtomically } from '../lib/output/files';
import { helmChart, helmChartFiles } from '../lib/output/helm-chart';
import { splitImage } from '../lib/output/helm/values';
import { manifestFiles } from '../lib/output/manifests';
import { version as packageVersion } from '../package.json';
import { helm, helmBinary, runHelm } from './support/helm';
import { EXAMPLE_CONFIG } from './support/example';
import { FRONTS_CONFIG } from './support/fronts';

// The example, and one installation per new auth front and route kind.
const synthesized = [
  ...synthesize(loadConfigFile(EXAMPLE_CONFIG)),
  ...synthesize(resolveConfig(FRONTS_CONFIG)).filter(s => ['traefik-ingress', 'proxy-ingress', 'proxy-httproute'].includes(s.installation.name)),
];
const VERSION_LABEL = 'app.kubernetes.io/version';
const SCHEMA_ERROR = 'values don\'t meet the specifications of the schema';

type Json = Record<string, any>;

/** The objects of a YAML stream (helm's output has `# Source:` comments and may have empty documents). */
function parseStream(text: string): Json[] {
  return parseAllDocuments(text).map(d => d.toJS()).filter(o => o !== null && o !== undefined);
}

function objectKey(o: Json): string {
  return `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function byKey(objects: Json[]): Map<string, Json> {
  const map = new Map(objects.map(o => [objectKey(o), o]));
  expect(map.size).toBe(objects.length);
  return map;
}

interface Change { readonly object: string; readonly path: string; readonly before?: unknown; readonly after?: unknown }

/** Every leaf that differs between two renderings; a whole object when it exists on one side only. */
function changes(before: Json[], after: Json[]): Change[] {
  const a = byKey(before);
  const b = byKey(after);
  const out: Change[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (!a.has(key) || !b.has(key)) out.push({ object: key, path: '', before: a.get(key), after: b.get(key) });
    else diffValues(a.get(key), b.get(key), '', key, out);
  }
  return out.sort((x, y) => `${x.object} ${x.path}`.localeCompare(`${y.object} ${y.path}`));
}

function diffValues(x: unknown, y: unknown, at: string, object: string, out: Change[]): void {
  const isContainer = (v: unknown): v is Json => typeof v === 'object' && v !== null;
  if (isContainer(x) && isContainer(y) && Array.isArray(x) === Array.isArray(y)) {
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) diffValues(x[k], y[k], at ? `${at}.${k}` : k, object, out);
  } else if (JSON.stringify(x) !== JSON.stringify(y)) {
    out.push({ object, path: at, before: x, after: y });
  }
}

/** The plain manifests as a chart renders them: Helm's two labels undone, nothing else. */
function withoutHelmLabels(objects: Json[]): Json[] {
  return objects.map(o => {
    const copy = structuredClone(o);
    for (const labels of [copy.metadata.labels, copy.spec?.template?.metadata?.labels]) {
      if (!labels) continue;
      delete labels['helm.sh/chart'];
      if (labels['app.kubernetes.io/managed-by'] === 'Helm') labels['app.kubernetes.io/managed-by'] = 'cdk8s';
    }
    return copy;
  });
}

let outdir: string;

beforeAll(() => {
  helmBinary();
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-chart-test-'));
  // The same wiring as main.ts, into a folder of the test's own.
  writeOutputAtomically(path.join(outdir, 'dist'), [
    ...manifestFiles(synthesized),
    ...helmChartFiles(synthesized, { chartVersion: packageVersion }),
  ]);
});

afterAll(() => {
  fs.rmSync(outdir, { recursive: true, force: true });
});

test('the helm binary is helm 3.17', async () => {
  // GIVEN / WHEN
  const version = await helm(['version', '--short']);
  // THEN
  expect(version).toMatch(/^v3\.17\./);
});

describe.each(synthesized.map(s => [s.installation.name, s] as const))('chart %s', (name, { installation, objects: synthesizedObjects }) => {
  const chartDir = () => path.join(outdir, 'dist', 'helm', name);
  const plain = () => parseStream(fs.readFileSync(path.join(outdir, 'dist', `${name}.k8s.yaml`), 'utf8'));
  /** `helm template` with the release named after the installation, in its namespace. */
  const render = (args: string[] = [], chart = chartDir(), release = name) =>
    runHelm(['template', release, chart, '--namespace', installation.namespace, ...args]);
  const rendered = async (args: string[] = [], release = name) => {
    const result = await render(args, chartDir(), release);
    if (result.code !== 0) throw new Error(result.stderr);
    return parseStream(result.stdout);
  };
  /** The default rendering, shared by the tests that compare against it (one helm run). */
  let defaultRendering: Promise<Json[]> | undefined;
  const renderedDefaults = () => (defaultRendering ??= rendered());
  const deploymentKey = `Deployment ${installation.namespace}/${name}-analytics`;
  const monitorKey = `ServiceMonitor ${installation.namespace}/${name}-analytics`;
  const image = installation.server.image;

  test('passes helm lint --strict', async () => {
    // WHEN
    const result = await runHelm(['lint', '--strict', chartDir()]);
    // THEN
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.code).toBe(0);
  });

  test('installs on vendor Kubernetes builds from 1.25 on, not on older ones', async () => {
    // WHEN
    const eks = await render(['--kube-version', 'v1.29.3-eks-1']);
    const old = await render(['--kube-version', 'v1.24.17']);
    // THEN
    expect(eks).toMatchObject({ code: 0, stderr: '' });
    expect(old.code).not.toBe(0);
    expect(old.stderr).toContain('incompatible with Kubernetes v1.24.17');
  });

  test('Chart.yaml states the package version, the image tag and a kubeVersion that admits vendor builds', () => {
    // WHEN
    const chart = parseStream(fs.readFileSync(path.join(chartDir(), 'Chart.yaml'), 'utf8'))[0];
    // THEN
    expect(chart).toMatchObject({
      apiVersion: 'v2',
      name,
      version: packageVersion,
      appVersion: splitImage(image).tag,
      kubeVersion: '>=1.25.0-0',
    });
  });

  test('renders the plain manifests with default values, except the Helm labels', async () => {
    // WHEN
    const objects = await renderedDefaults();
    // THEN
    expect(changes(plain(), withoutHelmLabels(objects))).toEqual([]);
    for (const o of objects) {
      expect(o.metadata.labels).toMatchObject({
        'helm.sh/chart': `${name}-${packageVersion}`,
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/instance': name,
      });
    }
  });

  test('follows the release name in app.kubernetes.io/instance, with selectors and namespaces unchanged', async () => {
    // WHEN
    const objects = await renderedDefaults();
    const renamed = await rendered(['--namespace', 'elsewhere'], 'another-release');
    // THEN
    const instanceLabels = (o: Json) => [o.metadata.labels, o.spec?.template?.metadata?.labels].filter(l => l?.['app.kubernetes.io/instance']);
    const expected = objects.flatMap(o =>
      instanceLabels(o).map((_, i) => ({
        object: objectKey(o),
        path: i === 0 ? 'metadata.labels.app.kubernetes.io/instance' : 'spec.template.metadata.labels.app.kubernetes.io/instance',
        before: name,
        after: 'another-release',
      })),
    );
    expect(expected.length).toBeGreaterThan(objects.length);
    expect(changes(objects, renamed)).toEqual(expected.sort((x, y) => `${x.object} ${x.path}`.localeCompare(`${y.object} ${y.path}`)));
  });

  test("renders NOTES.txt with the write URL and the hidden panel's server value", async () => {
    // GIVEN helm template skips NOTES.txt: a copy of the chart renders it through `tpl` into a ConfigMap
    const copy = path.join(outdir, `notes-${name}`);
    fs.cpSync(chartDir(), copy, { recursive: true });
    fs.renameSync(path.join(copy, 'templates', 'NOTES.txt'), path.join(copy, 'notes.txt'));
    fs.writeFileSync(
      path.join(copy, 'templates', 'notes.yaml'),
      ['apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: notes }', 'data:', '  notes: {{ tpl (.Files.Get "notes.txt") . | quote }}', ''].join(
        '\n',
      ),
    );
    const notes = async (args: string[]) => {
      const result = await runHelm(['template', name, copy, '--show-only', 'templates/notes.yaml', ...args]);
      expect(result.stderr).toBe('');
      return parseStream(result.stdout)[0].data.notes as string;
    };
    // WHEN
    const enabled = await notes([]);
    const disabled = await notes(['--set', 'serviceMonitor.enabled=false']);
    // THEN
    const writePath = path.posix.join(installation.grafana.subPath, installation.ingress.writePath);
    const scheme = installation.ingress.tlsSecretName ? 'https' : 'http';
    expect(enabled).toContain(`Release ${name}:`);
    expect(enabled).toContain(`${scheme}://${installation.grafana.host}${writePath}\n`);
    const panel = JSON.parse(enabled.substring(enabled.indexOf('\n{'), enabled.lastIndexOf('}') + 1));
    expect(panel).toMatchObject({ type: 'macropower-analytics-panel', options: { analyticsOptions: { server: writePath, flatten: false } } });
    // The panel the installation's dashboards carry (its heartbeat, end-beacon and version options), with the title as `dashboard`.
    const usage = synthesizedObjects.find(o => o.kind === 'ConfigMap' && o.metadata.name === `${name}-analytics-usage-dashboard`) as Json;
    const provisioned = (JSON.parse(Object.values(usage.data as Record<string, string>)[0]) as Json).panels[0] as Json;
    const { id: _id, ...provisionedPanel } = provisioned;
    const options = { ...provisioned.options.analyticsOptions, dashboard: '$__dashboard' };
    expect(panel).toEqual({ ...provisionedPanel, options: { analyticsOptions: options } });
    expect(panel.options.analyticsOptions).toMatchObject({ postHeartbeat: installation.panel.heartbeat, postEnd: installation.panel.endBeacon });
    expect(enabled).toContain(`ServiceMonitor ${installation.namespace}/${name}-analytics`);
    expect(disabled).not.toContain('ServiceMonitor');
    expect(disabled).not.toContain('PrometheusRule');
    expect(disabled).toContain(`Deployment ${installation.namespace}/${name}-analytics`);
  });

  describe('each value changes exactly its field', () => {
    const { repository, tag } = splitImage(image);
    const digest = `sha256:${'ab'.repeat(32)}`;
    const imagePath = 'spec.template.spec.containers.0.image';
    /** Where the version label follows the tag: every labels map of the plain objects that has one. */
    const versionLabels = (after: string): Change[] =>
      plain().flatMap(o => [
        ...(o.metadata.labels?.[VERSION_LABEL] ? [{ object: objectKey(o), path: `metadata.labels.${VERSION_LABEL}`, before: tag, after }] : []),
        ...(o.spec?.template?.metadata?.labels?.[VERSION_LABEL]
          ? [{ object: objectKey(o), path: `spec.template.metadata.labels.${VERSION_LABEL}`, before: tag, after }]
          : []),
      ]);
    const cases: [string, string[], () => Change[]][] = [
      [
        'image.repository',
        ['--set', 'image.repository=registry.example.com/mirror/server'],
        () => [{ object: deploymentKey, path: imagePath, before: image, after: image.replace(repository, 'registry.example.com/mirror/server') }],
      ],
      [
        'image.tag',
        ['--set-string', 'image.tag=0.0.2'],
        () => [{ object: deploymentKey, path: imagePath, before: image, after: `${repository}:0.0.2` }, ...versionLabels('0.0.2')],
      ],
      [
        'image.digest',
        ['--set', `image.digest=${digest}`],
        () => [{ object: deploymentKey, path: imagePath, before: image, after: `${image}@${digest}` }],
      ],
      ['replicas', ['--set', 'replicas=3'], () => [{ object: deploymentKey, path: 'spec.replicas', before: installation.server.replicas, after: 3 }]],
      [
        'resources.requests.cpu',
        ['--set', 'resources.requests.cpu=50m'],
        () => [
          {
            object: deploymentKey,
            path: 'spec.template.spec.containers.0.resources.requests.cpu',
            before: installation.server.resources.requests.cpu,
            after: '50m',
          },
        ],
      ],
      [
        'resources.limits.memory',
        ['--set', 'resources.limits.memory=256Mi'],
        () => [
          {
            object: deploymentKey,
            path: 'spec.template.spec.containers.0.resources.limits.memory',
            before: installation.server.resources.limits.memory,
            after: '256Mi',
          },
        ],
      ],
      [
        'serviceMonitor.labels (a new key)',
        ['--set', 'serviceMonitor.labels.team=analytics'],
        () => [{ object: monitorKey, path: 'metadata.labels.team', before: undefined, after: 'analytics' }],
      ],
      [
        'serviceMonitor.labels (a configured key)',
        ['--set', 'serviceMonitor.labels.release=prometheus'],
        () => [{ object: monitorKey, path: 'metadata.labels.release', before: installation.serviceMonitor.labels.release, after: 'prometheus' }],
      ],
      // The auth proxy container (auth.front proxy): its own image and resources, no version label.
      ...(installation.auth.front === 'proxy'
        ? ([
            [
              'proxy.image.repository',
              ['--set', 'proxy.image.repository=registry.example.com/mirror/nginx'],
              () => [
                {
                  object: deploymentKey,
                  path: 'spec.template.spec.containers.1.image',
                  before: installation.proxy.image,
                  after: installation.proxy.image.replace(splitImage(installation.proxy.image).repository, 'registry.example.com/mirror/nginx'),
                },
              ],
            ],
            [
              'proxy.image.digest',
              ['--set', `proxy.image.digest=${digest}`],
              () => [
                {
                  object: deploymentKey,
                  path: 'spec.template.spec.containers.1.image',
                  before: installation.proxy.image,
                  after: `${installation.proxy.image}@${digest}`,
                },
              ],
            ],
            [
              'proxy.resources.limits.memory',
              ['--set', 'proxy.resources.limits.memory=96Mi'],
              () => [
                {
                  object: deploymentKey,
                  path: 'spec.template.spec.containers.1.resources.limits.memory',
                  before: installation.proxy.resources.limits.memory,
                  after: '96Mi',
                },
              ],
            ],
          ] as [string, string[], () => Change[]][])
        : []),
    ];

    test.each(cases)('%s', async (_value, args, expected) => {
      // GIVEN
      const defaults = await renderedDefaults();
      // WHEN
      const set = await rendered(args);
      // THEN
      const expectedChanges = expected();
      expect(expectedChanges.length).toBeGreaterThan(0);
      expect(changes(defaults, set)).toEqual(expectedChanges.sort((x, y) => `${x.object} ${x.path}`.localeCompare(`${y.object} ${y.path}`)));
    });

    const ruleKey = `PrometheusRule ${installation.namespace}/${name}-analytics`;
    const dashboardKeys = () =>
      plain()
        .filter(o => o.kind === 'ConfigMap' && o.metadata.labels?.['app.kubernetes.io/component'] === 'dashboard')
        .map(objectKey);
    const switches: [string, string, () => string[]][] = [
      // Both are prometheus-operator CRDs: without the operator, one switch drops every object of it.
      ['serviceMonitor.enabled', 'the ServiceMonitor and the PrometheusRule', () => [monitorKey, ruleKey]],
      ['prometheusRule.enabled', 'only the PrometheusRule', () => [ruleKey]],
      ['dashboards.enabled', 'only the dashboard ConfigMaps', dashboardKeys],
    ];

    test.each(switches)('%s=false removes %s', async (value, _what, removed) => {
      // GIVEN
      const defaults = await renderedDefaults();
      // WHEN
      const set = await rendered(['--set', `${value}=false`]);
      // THEN
      const keys = removed();
      expect(keys.length).toBeGreaterThan(0);
      expect(changes(defaults, set)).toEqual(
        keys
          .sort((x, y) => `${x} `.localeCompare(`${y} `))
          .map(key => ({ object: key, path: '', before: byKey(defaults).get(key), after: undefined })),
      );
    });

    test("serviceMonitor.enabled=false renders nothing that needs the Prometheus operator's CRDs", async () => {
      const set = await rendered(['--set', 'serviceMonitor.enabled=false']);
      expect(set.filter(o => o.apiVersion.startsWith('monitoring.coreos.com/'))).toEqual([]);
    });
  });

  describe('values.schema.json', () => {
    const rejected: [string, string[], string][] = [
      ['a replica count that is a string', ['--set', 'replicas=two'], 'replicas: Invalid type'],
      ['a replica count above the maximum', ['--set', 'replicas=101'], 'replicas: Must be less than or equal to 100'],
      ['an unknown top-level key', ['--set', 'replicaz=2'], 'Additional property replicaz is not allowed'],
      ['an unknown nested key', ['--set', 'image.pullPolicy=Always'], 'Additional property pullPolicy is not allowed'],
      ['an image tag that is not a tag', ['--set', 'image.tag=not/a/tag'], 'image.tag: Does not match pattern'],
      ['an image tag given as a number', ['--set', 'image.tag=2'], 'image.tag: Invalid type'],
      ['a CPU quantity that is no quantity', ['--set', 'resources.limits.cpu=lots'], 'resources.limits.cpu: Does not match pattern'],
      ['a removed required value', ['--set', 'resources.requests.memory=null'], 'resources.requests: memory is required'],
      [
        'a ServiceMonitor label that would duplicate a ' + 'literal label',
        ['--set', 'serviceMonitor.labels.app\\.kubernetes\\.io/name=x'],
        'serviceMonitor.labels: Property name',
      ],
      [
        'a ServiceMonitor label value that is no ' + 'label value',
        ['--set', 'serviceMonitor.labels.team=a b'],
        'serviceMonitor.labels.team: Does not match pattern',
      ],
      ['serviceMonitor.enabled that is no boolean', ['--set', 'serviceMonitor.enabled=maybe'], 'serviceMonitor.enabled: Invalid type'],
      ['prometheusRule.enabled that is no boolean', ['--set', 'prometheusRule.enabled=maybe'], 'prometheusRule.enabled: Invalid type'],
      ['dashboards.enabled that is no boolean', ['--set', 'dashboards.enabled=maybe'], 'dashboards.enabled: Invalid type'],
      ...(installation.auth.front === 'proxy'
        ? ([
            ['a proxy image tag that is not a tag', ['--set', 'proxy.image.tag=not/a/tag'], 'proxy.image.tag: Does not match pattern'],
            [
              'a proxy memory limit that is no quantity',
              ['--set', 'proxy.resources.limits.memory=64M'],
              'proxy.resources.limits.memory: Does not match ' + 'pattern',
            ],
            ['an unknown proxy key', ['--set', 'proxy.config=x'], 'Additional property config is not allowed'],
          ] as [string, string[], string][])
        : ([
            // Other fronts have no proxy to configure.
            ['a proxy value without a proxy', ['--set', 'proxy.image.tag=1.29.0'], 'Additional property proxy is not allowed'],
          ] as [string, string[], string][])),
    ];

    test.each(rejected)('fails when a value is %s', async (_what, args, message) => {
      // WHEN
      const result = await render(args);
      // THEN
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(SCHEMA_ERROR);
      expect(result.stderr).toContain(message);
    });

    test('is what rejects them: without it the same values render', async () => {
      // GIVEN the chart without its schema
      const copy = path.join(outdir, `no-schema-${name}`);
      fs.cpSync(chartDir(), copy, { recursive: true });
      fs.rmSync(path.join(copy, 'values.schema.json'));
      // WHEN
      const results = await Promise.all(
        [
          ['--set', 'replicas=two'],
          ['--set', 'replicaz=2'],
        ].map(args => render(args, copy)),
      );
      // THEN
      for (const result of results) expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(parseStream(results[0].stdout).find(o => o.kind === 'Deployment')?.spec.replicas).toBe('two');
    });

    test('is JSON Schema draft-07, which helm 3.17 enforces', () => {
      // WHEN
      const schema = JSON.parse(fs.readFileSync(path.join(chartDir(), 'values.schema.json'), 'utf8'));
      // THEN
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema.additionalProperties).toBe(false);
      expect(JSON.stringify(schema)).not.toMatch(/unevaluatedProperties|\$defs|dependentRequired|prefixItems/);
    });
  });
});

test('an image pinned by digest alone renders its plain manifests, without appVersion', async () => {
  // GIVEN
  const digest = `sha256:${'c'.repeat(64)}`;
  const [pinned] = synthesize(resolveConfig({
    installations: [{ name: 'pinned', grafana: { host: 'grafana.example.com' }, server: { image: `registry.example.com/server@${digest}` } }],
  }));
  const dir = path.join(outdir, 'pinned');
  writeOutputAtomically(dir, [...manifestFiles([pinned]), ...helmChartFiles([pinned], { chartVersion: packageVersion })]);
  // WHEN
  const result = await runHelm(['template', 'pinned', path.join(dir, 'helm', 'pinned'), '--namespace', 'monitoring']);
  const retagged = await runHelm(['template', 'pinned', path.join(dir, 'helm', 'pinned'), '--set-string', 'image.tag=v2']);
  // THEN
  expect(result.stderr).toBe('');
  const plain = parseStream(fs.readFileSync(path.join(dir, 'pinned.k8s.yaml'), 'utf8'));
  expect(changes(plain, withoutHelmLabels(parseStream(result.stdout)))).toEqual([]);
  expect(parseStream(fs.readFileSync(path.join(dir, 'helm', 'pinned', 'Chart.yaml'), 'utf8'))[0].appVersion).toBeUndefined();
  expect(parseStream(retagged.stdout).find(o => o.kind === 'Deployment')?.spec.template.spec.containers[0].image)
    .toBe(`registry.example.com/server:v2@${digest}`);
});

describe('text that looks like a template', () => {
  const tricky = {
    legend: '{{dashboard_name}}',
    dashboard: JSON.stringify({ panels: [{ targets: [{ legendFormat: '{{dashboard_name}} / {{ user_role }}' }] }] }),
    actions: '{{- .Values.replicas -}} {{ "{{" }} }}}{{{',
    braces: '}}',
    compactJson: '{"a":{}}', emptyThenClose: '{}}}', openAfterClose: '}}{{{',
    // Strings YAML 1.1 (helm's parser) would read as other types if left unquoted.
    yaml11: 'yes', on: 'on', n: 'y', octal: '0o7', negativeOctal: '-0o7', binary: '0b101', underscored: '1_000',
    floatUnderscored: '1.5_0', hex: '0x1F', signed: '+1', tilde: '~', nil: 'null', version: '0.0.1',
  };

  test('survives helm template unchanged', async () => {
    // GIVEN an installation whose manifests carry a ConfigMap with Go-template-like text
    const base = synthesized[0];
    const configMap: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${base.installation.name}-dashboards`, namespace: base.installation.namespace, labels: { grafana_dashboard: '1' } },
      data: tricky,
    };
    const withConfigMap: SynthesizedInstallation = { installation: base.installation, objects: [...base.objects, configMap] };
    const chart = path.join(outdir, 'braces');
    writeOutputAtomically(chart, helmChart(withConfigMap, { chartVersion: packageVersion }));
    // WHEN
    const result = await runHelm(['template', base.installation.name, chart, '--namespace', base.installation.namespace]);
    // THEN
    expect(result.stderr).toBe('');
    // Helm's go-yaml reads YAML 1.1 (yes, on, y) and Go numbers (0o7): both readings must give strings.
    for (const version of ['1.1', '1.2'] as const) {
      const configMaps = parseAllDocuments(result.stdout, { version }).map(d => d.toJS())
        .filter(o => o?.kind === 'ConfigMap' && o.metadata.name === configMap.metadata.name);
      expect(configMaps.map(c => c.data)).toEqual([tricky]);
    }
    const rendered = parseStream(result.stdout).find(o => o.kind === 'ConfigMap' && o.metadata.name === configMap.metadata.name);
    expect(rendered?.metadata.labels).toMatchObject({ grafana_dashboard: '1', 'app.kubernetes.io/managed-by': 'Helm' });
  });
});

describe('helmChart', () => {
  const base = synthesized[0];
  const files = (s: SynthesizedInstallation, chartVersion = '1.2.3') =>
    Object.fromEntries(helmChart(s, { chartVersion }).map(f => [f.path, f.content]));
  const withMonitorLabels = (installation: ResolvedInstallation, labels: Record<string, string>): SynthesizedInstallation => ({
    installation: { ...installation, serviceMonitor: { ...installation.serviceMonitor, labels } },
    objects: base.objects,
  });

  test('is deterministic', () => {
    expect(files(base)).toEqual(files(structuredClone(base)));
  });

  test('writes every chart under helm/<name>/', () => {
    // WHEN
    const paths = helmChartFiles(synthesized, { chartVersion: '1.0.0' }).map(f => f.path);
    // THEN
    for (const s of synthesized) {
      for (const file of ['Chart.yaml', 'values.yaml', 'values.schema.json', 'README.md', 'templates/NOTES.txt']) {
        expect(paths).toContain(`helm/${s.installation.name}/${file}`);
      }
    }
  });

  test('splits image references into repository, tag and digest', () => {
    const digest = `sha256:${'0'.repeat(64)}`;
    expect(splitImage('docker.io/a/b:1.0')).toEqual({ repository: 'docker.io/a/b', tag: '1.0', digest: '' });
    expect(splitImage('registry:5000/b')).toEqual({ repository: 'registry:5000/b', tag: '', digest: '' });
    expect(splitImage(`registry:5000/b:v2@${digest}`)).toEqual({ repository: 'registry:5000/b', tag: 'v2', digest });
  });

  test('fails when the chart version is not SemVer', () => {
    expect(() => files(base, '1.2')).toThrow(/chart version "1.2" is not a SemVer 2 version/);
  });

  test('fails when the helm.sh/chart label would be longer than a label value', () => {
    expect(() => files(base, `1.0.0-${'a'.repeat(60)}`)).toThrow(/helm.sh\/chart label .* is not a valid label value/);
  });

  test('fails when a ServiceMonitor lacks the configured extra labels', () => {
    expect(() => files(withMonitorLabels(base.installation, { team: 'x' })))
      .toThrow(/ServiceMonitor .* lacks the configured label team=x/);
  });

  test('reserves no text: an object holding what looks like a template token renders as written', async () => {
    // GIVEN the old marker and the tokens' own prefix (which then grows until no object contains it)
    const data = { old: '__helm_chart_token_0__', prefix: 'helmaction0', longer: 'helmactionz1', [`helmaction2`]: 'replicas: helmaction3' };
    const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: base.installation.namespace }, data };
    const chart = path.join(outdir, 'reserved');
    writeOutputAtomically(chart, helmChart({ ...base, objects: [...base.objects, configMap] }, { chartVersion: packageVersion }));
    // WHEN
    const result = await runHelm(['template', base.installation.name, chart, '--namespace', base.installation.namespace]);
    // THEN
    expect(result.stderr).toBe('');
    const objects = parseStream(result.stdout);
    expect(objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'x')?.data).toEqual(data);
    expect(objects.find(o => o.kind === 'Deployment')?.spec.replicas).toBe(base.installation.server.replicas);
  });

  test('fails when there is no analytics server Deployment', () => {
    const objects = base.objects.filter(o => o.kind !== 'Deployment');
    expect(() => files({ ...base, objects })).toThrow(/expected one analytics server Deployment, found 0/);
  });

  test('values.yaml holds the typed config\'s values', () => {
    // WHEN
    const values = parseStream(files(base)['values.yaml'])[0];
    // THEN
    expect(values).toEqual({
      image: splitImage(base.installation.server.image),
      replicas: base.installation.server.replicas,
      resources: base.installation.server.resources,
      serviceMonitor: { enabled: true, labels: base.installation.serviceMonitor.labels },
      prometheusRule: { enabled: true },
      dashboards: { enabled: true },
    });
    expect(stringify(values)).toContain('release: kube-prometheus-stack');
  });
});
