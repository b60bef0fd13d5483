/**
 * grafana.provisioning operator: the dashboards as Grafana Operator GrafanaDashboards. One config
 * mixes both modes (the operator installation under a sub-path, with a dashboard large enough for
 * spec.gzipJson); its twin in sidecar mode holds the very JSON each GrafanaDashboard carries.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { parseAllDocuments } from 'yaml';
import { ConfigError, KubeObject, SynthesizedInstallation, synthesize } from '../lib';
import { PLUGIN_ID } from '../lib/config/constants';
import { GZIP_JSON_THRESHOLD_BYTES, goJsonBytes, MAX_ANNOTATION_BYTES } from '../lib/config/operator-dashboards';
import { writeOutputAtomically } from '../lib/output/files';
import { grafanaValuesFiles } from '../lib/output/grafana-values';
import { helmChartFiles } from '../lib/output/helm-chart';
import { manifestFiles } from '../lib/output/manifests';
import { version as packageVersion } from '../package.json';
import { celRuleProblems, TRANSITION_RULES } from './support/cel-rules';
import { applicableCelRules, Manifest, validateManifests } from './support/kube-schema';
import { HelmMajor, runHelm } from './support/helm';
import { resolveIn, tempDir } from './support/grafana';

type Json = Record<string, any>;

/** A dashboard of `count` panels whose text carries what Go's JSON escapes (`<`, `&`, U+2028). */
function bigDashboard(uid: string, count: number): Json {
  return {
    uid, title: `Big <${uid}> & co`,
    panels: Array.from({ length: count }, (_, i) => ({
      id: i + 1, type: 'timeseries', title: `Panel ${i} <b>&amp;\u2028</b>`, gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      targets: [{
        refId: 'A', legendFormat: '{{dashboard_name}}',
        expr: `sum by (dashboard_uid) (rate(grafana_analytics_sessions_total{job="x${i}"}[5m])) > ${i}`,
      }],
    })),
  };
}

const SMALL = { uid: 'small', title: 'Small', panels: [{ id: 1, type: 'stat', title: 's', gridPos: { h: 4, w: 24, x: 0, y: 0 } }] };
const SELECTOR = { dashboards: 'grafana', 'example.com/team': 'ops' };

const dir = tempDir({ 'boards/small.json': JSON.stringify(SMALL), 'boards/big.json': JSON.stringify(bigDashboard('big', 500)) });
const operatorInstallation = {
  name: 'op', namespace: 'analytics', dashboards: ['boards/small.json', 'boards/big.json'],
  grafana: {
    host: 'op.example.com', subPath: '/grafana', service: { name: 'grafana-service', namespace: 'grafana' },
    provisioning: 'operator', operator: { instanceSelector: { matchLabels: SELECTOR }, folder: 'Analytics', resyncPeriod: '1h30m' },
  },
  panel: { pluginVersion: '2.1.1' },
};
const sidecarInstallation = { name: 'side', dashboards: ['boards/small.json'], grafana: { host: 'side.example.com' } };
const [op, side] = synthesize(resolveIn(dir, { installations: [operatorInstallation, sidecarInstallation] }));

/** `op` in sidecar mode: the same installation with the operator keys taken out. */
const { provisioning: _p, operator: _o, ...sidecarGrafana } = operatorInstallation.grafana;
const [twin] = synthesize(resolveIn(dir, { installations: [{ ...operatorInstallation, grafana: sidecarGrafana }] }));

const kind = (s: SynthesizedInstallation, k: string) => s.objects.filter(o => o.kind === k);
const spec = (o: KubeObject) => o.spec as Json;
/** The JSON a GrafanaDashboard carries, decoded from spec.gzipJson when it is there. */
const dashboardText = (o: KubeObject): string => (spec(o).gzipJson !== undefined
  ? zlib.gunzipSync(Buffer.from(spec(o).gzipJson, 'base64')).toString('utf8') : spec(o).json);

describe('an installation with grafana.provisioning operator', () => {
  const dashboards = kind(op, 'GrafanaDashboard');

  test('gets one GrafanaDashboard per dashboard, named like the twin\'s ConfigMaps, beside Grafana\'s Service, and no dashboard ConfigMap', () => {
    expect(dashboards.map(o => [o.apiVersion, o.metadata.namespace, o.metadata.name])).toEqual([
      ['grafana.integreatly.org/v1beta1', 'grafana', 'op-dashboard-small'],
      ['grafana.integreatly.org/v1beta1', 'grafana', 'op-dashboard-big'],
      ['grafana.integreatly.org/v1beta1', 'grafana', 'op-analytics-usage-dashboard'],
    ]);
    const where = (o: KubeObject) => [o.metadata.namespace, o.metadata.name];
    expect(kind(twin, 'ConfigMap').map(where)).toEqual(dashboards.map(where));
    expect(kind(op, 'ConfigMap')).toEqual([]);
    // Everything else is the twin's, object for object.
    expect(op.objects.filter(o => o.kind !== 'GrafanaDashboard')).toEqual(twin.objects.filter(o => o.kind !== 'ConfigMap'));
    expect(dashboards.map(o => o.metadata.labels)).toEqual(kind(twin, 'ConfigMap').map(o => {
      const { grafana_dashboard: _sidecar, ...labels } = o.metadata.labels as Record<string, string>;
      return labels;
    }));
  });

  test('each carries the selector, the folder, the resync period and the pinned plugin version', () => {
    for (const o of dashboards) {
      expect(spec(o)).toMatchObject({
        instanceSelector: { matchLabels: SELECTOR }, folder: 'Analytics', resyncPeriod: '1h30m', plugins: [{ name: PLUGIN_ID, version: '2.1.1' }],
      });
      const content = spec(o).json === undefined ? 'gzipJson' : 'json';
      expect(Object.keys(spec(o)).sort()).toEqual(['folder', content, 'instanceSelector', 'plugins', 'resyncPeriod'].sort());
    }
  });

  test('holds byte for byte the JSON of the twin\'s ConfigMaps, the large one gzipped', () => {
    const configMapText = kind(twin, 'ConfigMap').map(o => Object.values(o.data as Record<string, string>)[0]);
    expect(dashboards.map(dashboardText)).toEqual(configMapText);
    expect(dashboards.map(o => (spec(o).gzipJson === undefined ? 'json' : 'gzipJson'))).toEqual(['json', 'gzipJson', 'json']);
    // The hidden panel posts under the sub-path.
    expect(JSON.parse(dashboardText(dashboards[1])).panels[0].options.analyticsOptions.server).toBe('/grafana/analytics-plugin/write');
  });

  test('gzips above the threshold only, measured as Go escapes the JSON in the last-applied annotation', () => {
    const sizes = dashboards.map(o => goJsonBytes(dashboardText(o)));
    expect(sizes[1]).toBeGreaterThan(GZIP_JSON_THRESHOLD_BYTES);
    expect([sizes[0], sizes[2]].every(n => n <= GZIP_JSON_THRESHOLD_BYTES)).toBe(true);
    // Go's \u003c and \u2028 make the escaped text longer than its UTF-8.
    expect(sizes[1]).toBeGreaterThan(Buffer.byteLength(JSON.stringify(dashboardText(dashboards[1]))));
    expect(spec(dashboards[1]).gzipJson.length).toBeLessThan(GZIP_JSON_THRESHOLD_BYTES / 4);
    expect(GZIP_JSON_THRESHOLD_BYTES).toBeLessThan(MAX_ANNOTATION_BYTES);
  });

  test('gzips deterministically: no name, modification time 0, OS byte 3, the same bytes on every run', () => {
    const gz = Buffer.from(spec(dashboards[1]).gzipJson, 'base64');
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
    const [again] = synthesize(resolveIn(dir, { installations: [operatorInstallation] }));
    expect(kind(again, 'GrafanaDashboard').map(o => spec(o).gzipJson ?? spec(o).json)).toEqual(dashboards.map(o => spec(o).gzipJson ?? spec(o).json));
  });

  test('validates strictly against the Grafana Operator v5.24.0 CRD, with every applicable CEL rule checked', () => {
    expect(validateManifests([...op.objects, ...side.objects] as Manifest[])).toEqual([]);
    expect(celRuleProblems(dashboards as Manifest[])).toEqual([]);
    // The rules that apply: the folder rules on spec, and the transition rules on a re-apply.
    expect([...new Set(dashboards.flatMap(o => applicableCelRules(o as Manifest).map(r => `${r.at} ${r.rule.substring(0, 40)}`)))].sort()).toEqual([
      '.spec !oldSelf.allowCrossNamespaceImport || (o',
      '.spec ((!has(oldSelf.uid) && !has(self.uid)) |',
      '.spec (has(self.folder) && !(has(self.folderRe',
      '.spec (has(self.folderUID) && !(has(self.folde',
      '.spec.instanceSelector self == oldSelf',
    ]);
  });

  test('the strict check rejects a field the CRD does not have, and the CEL table a folder beside a folderRef', () => {
    const bad = structuredClone(dashboards[0]) as Json;
    bad.spec.folderRef = 'analytics';
    bad.spec.sidecar = true;
    expect(validateManifests([bad as Manifest])).toEqual(['GrafanaDashboard/op-dashboard-small: unknown field spec.sidecar']);
    expect(celRuleProblems([bad as Manifest])).toEqual([
      'GrafanaDashboard/op-dashboard-small.spec: CEL rule fails: (has(self.folder) && !(has(self.folderRef) || has(self.folderUID))) || '
        + '!(has(self.folder))',
    ]);
  });

  test('a changed instanceSelector is refused by the API server on update (the README says to recreate)', () => {
    const rule = TRANSITION_RULES['self == oldSelf'];
    const selector = spec(dashboards[0]).instanceSelector;
    expect(rule(selector, structuredClone(selector))).toBe(true);
    expect(rule({ matchLabels: { dashboards: 'other' } }, selector)).toBe(false);
  });

  test('a sidecar installation beside it is unchanged: ConfigMaps, no GrafanaDashboard', () => {
    expect(kind(side, 'GrafanaDashboard')).toEqual([]);
    expect(kind(side, 'ConfigMap').map(o => o.metadata.labels?.grafana_dashboard)).toEqual(['1', '1']);
  });

  test('the Grafana values file says nothing is needed for the plugin', () => {
    const [opValues, sideValues] = grafanaValuesFiles([op, side]);
    expect(opValues.content).toContain('nothing to set here');
    expect(opValues.content).toContain('declare the macropower-analytics-panel plugin (spec.plugins)');
    expect(parseAllDocuments(opValues.content)[0].toJS()).toEqual({});
    expect(sideValues.content).toContain('plugins:');
  });
});

describe('the Helm chart of an operator installation', () => {
  const out = path.join(dir, 'dist');
  writeOutputAtomically(out, [...manifestFiles([op]), ...helmChartFiles([op], { chartVersion: packageVersion })]);
  const parse = (text: string): Json[] => parseAllDocuments(text).map(d => d.toJS()).filter(o => o);
  const render = async (major: HelmMajor, args: string[] = []) => {
    const result = await runHelm(['template', 'op', path.join(out, 'helm', 'op'), '--namespace', 'analytics', ...args], 60_000, major);
    expect(result.stderr).toBe('');
    return parse(result.stdout);
  };
  /** The rendering without Helm's labels, in the plain manifests' order. */
  const asPlain = (objects: Json[]) => objects.map(o => {
    const labels = { ...o.metadata.labels };
    delete labels['helm.sh/chart'];
    if (labels['app.kubernetes.io/managed-by'] === 'Helm') labels['app.kubernetes.io/managed-by'] = 'cdk8s';
    const pod = o.spec?.template?.metadata?.labels;
    const spec = pod?.['app.kubernetes.io/managed-by'] === 'Helm'
      ? {
        ...o.spec,
        template: { ...o.spec.template, metadata: { ...o.spec.template.metadata, labels: { ...pod, 'app.kubernetes.io/managed-by': 'cdk8s' } } },
      }
      : o.spec;
    return { ...o, metadata: { ...o.metadata, labels }, ...(spec ? { spec } : {}) };
  });
  const key = (o: Json) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
  const sorted = (objects: Json[]) => [...objects].sort((a, b) => key(a).localeCompare(key(b)));

  test.each([3, 4] as const)('helm %i renders the plain manifests, GrafanaDashboards too; dashboards.enabled=false drops them', async major => {
    const plain = parse(fs.readFileSync(path.join(out, 'op.k8s.yaml'), 'utf8'));
    const rendered = await render(major);
    expect(sorted(asPlain(rendered))).toEqual(sorted(plain));
    const managedBy = rendered.filter(o => o.kind === 'GrafanaDashboard').map(o => o.metadata.labels['app.kubernetes.io/managed-by']);
    expect(managedBy).toEqual(['Helm', 'Helm', 'Helm']);
    const off = await render(major, ['--set', 'dashboards.enabled=false']);
    expect(sorted(off).map(key)).toEqual(sorted(rendered).filter(o => o.kind !== 'GrafanaDashboard').map(key));
  });

  test('values.yaml says what dashboards.enabled switches', () => {
    expect(fs.readFileSync(path.join(out, 'helm', 'op', 'values.yaml'), 'utf8')).toContain('# Create the GrafanaDashboards');
  });
});

describe('bad operator settings', () => {
  const problems = (installation: Record<string, unknown>, defaults?: Record<string, unknown>) => {
    try {
      resolveIn(dir, { ...(defaults ? { defaults } : {}), installations: [{ name: 'x', grafana: { host: 'x.example.com' }, ...installation }] });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems.map(p => `${p.path}: ${p.message}`);
    }
    throw new Error('no error');
  };
  const operator = (extra: Record<string, unknown> = {}, selector: unknown = { dashboards: 'grafana' }) =>
    ({ host: 'x.example.com', provisioning: 'operator', operator: { instanceSelector: { matchLabels: selector }, ...extra } });

  test('fails when the instanceSelector is missing or empty, naming the path', () => {
    expect(problems({ grafana: { host: 'x.example.com', provisioning: 'operator' } })).toEqual([
      'installations[0].grafana.operator.instanceSelector.matchLabels: is required; allowed: the labels of the Grafana CRs the GrafanaDashboards '
        + 'go to, e.g. dashboards: grafana (grafana.provisioning is "operator")',
    ]);
    expect(problems({ grafana: operator({}, {}) })).toEqual([
      'installations[0].grafana.operator.instanceSelector.matchLabels: got {}; allowed: a mapping of at least one Kubernetes label key '
        + '([prefix/]name, name at most 63 characters) to a label value, e.g. dashboards: grafana (an empty selector would match every Grafana of '
        + 'the namespace)',
    ]);
  });

  test('fails on an unknown provisioning, a bad selector label, a blank or long folder', () => {
    expect(problems({ grafana: { host: 'x.example.com', provisioning: 'configmap' } })).toEqual([
      'installations[0].grafana.provisioning: got "configmap"; allowed: one of "sidecar", "operator"',
    ]);
    expect(problems({ grafana: operator({ folder: '  ' }, { 'bad key!': 'x', ok: '-x' }) })).toEqual([
      'installations[0].grafana.operator.instanceSelector.matchLabels.ok: got "-x"; allowed: a Kubernetes label value: at most 63 letters, '
        + 'digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
      'installations[0].grafana.operator.instanceSelector.matchLabels["bad key!"]: got key "bad key!"; allowed: a mapping of at least one '
        + 'Kubernetes label key ([prefix/]name, name at most 63 characters) to a label value, e.g. dashboards: grafana (an empty selector would '
        + 'match every Grafana of the namespace)',
      'installations[0].grafana.operator.folder: got "  "; allowed: a folder title of 1 to 189 characters, not only white space',
    ]);
    expect(problems({ grafana: operator({ folder: 'f'.repeat(190) }) })).toEqual([
      `installations[0].grafana.operator.folder: got "${'f'.repeat(190)}"; allowed: a folder title of 1 to 189 characters, not only white space`,
    ]);
  });

  test.each([
    ['10', 'a unit is missing'], ['-1m', 'a sign'], ['1d', 'Go has no day unit'], ['1.m', 'a fraction without digits'], ['1h 30m', 'a space'],
  ])('fails on resyncPeriod %s (%s), which the CRD\'s pattern refuses', (value) => {
    expect(problems({ grafana: operator({ resyncPeriod: value }) })).toEqual([
      `installations[0].grafana.operator.resyncPeriod: got "${value}"; allowed: a Go duration without sign such as 10m, 1h30m or 90s (units ns, `
        + `us, µs, ms, s, m, h)`,
    ]);
  });

  // Go overflows beyond 2562047h47m16.854775807s; the Go duration rule stops at whole hours.
  const tooLong = ['2562047h1ns', '2562048h', '9223372036854775808ns', '2562047h47m16.854775808s', '153722867m280s1h'];
  test.each(tooLong)('fails on resyncPeriod %s, beyond 2562047h', value => {
    expect(problems({ grafana: operator({ resyncPeriod: value }) })).toEqual([
      `installations[0].grafana.operator.resyncPeriod: got "${value}": it is longer than 2562047h (Go's time.Duration holds about 292 years); `
        + 'allowed: a Go duration of at most 2562047h, such as 10m or 1h30m',
    ]);
  });

  test('accepts 2562047h, and 0s (the operator\'s default then)', () => {
    for (const resyncPeriod of ['2562047h', '0s', '9223369200s']) {
      expect(() => resolveIn(dir, { installations: [{ name: 'x', grafana: operator({ resyncPeriod }) }] })).not.toThrow();
    }
  });

  test('fails on sidecar settings with operator and operator settings with sidecar, each at its path', () => {
    const sidecarKeys = { labelKey: 'k', labelValue: 'v', namespace: 'dashboards' };
    expect(problems({ grafana: operator(), dashboardSidecar: sidecarKeys })).toEqual(Object.entries(sidecarKeys).map(([key, value]) =>
      `installations[0].dashboardSidecar.${key}: got "${value}" while grafana.provisioning is "operator"; allowed: nothing (the Grafana Operator `
      + 'reads GrafanaDashboards, not sidecar ConfigMaps: remove it or set grafana.provisioning: sidecar)'));
    const { provisioning: _, ...sidecar } = operator({ folder: 'F', resyncPeriod: '5m' });
    expect(problems({ grafana: sidecar })).toEqual([
      'installations[0].grafana.operator.instanceSelector.matchLabels: got {"dashboards":"grafana"} while grafana.provisioning is "sidecar"; '
        + 'allowed: only with grafana.provisioning "operator"',
      'installations[0].grafana.operator.folder: got "F" while grafana.provisioning is "sidecar"; allowed: only with grafana.provisioning "operator"',
      'installations[0].grafana.operator.resyncPeriod: got "5m" while grafana.provisioning is "sidecar"; allowed: only with grafana.provisioning '
        + '"operator"',
    ]);
  });

  test('takes provisioning and the operator settings from defaults; sidecar settings there suit the sidecar installations', () => {
    const resolved = resolveIn(dir, {
      defaults: {
        grafana: { provisioning: 'operator', operator: { instanceSelector: { matchLabels: SELECTOR } } }, dashboardSidecar: { labelValue: 'yes' },
      },
      installations: [{ name: 'a', grafana: { host: 'a.example.com' } }, { name: 'b', grafana: { host: 'b.example.com', provisioning: 'sidecar' } }],
    });
    const [a, b] = synthesize(resolved);
    expect(kind(a, 'GrafanaDashboard').map(o => spec(o).instanceSelector)).toEqual([{ matchLabels: SELECTOR }]);
    expect(kind(b, 'ConfigMap').map(o => o.metadata.labels?.grafana_dashboard)).toEqual(['yes']);
  });

  test('fails when a dashboard cannot fit the annotation limit even gzipped, naming the file', () => {
    // GIVEN a text panel holding 300 KB of incompressible (pseudo-random) base64, as an embedded image would
    let block = crypto.createHash('sha256').update('seed').digest();
    const chunks: Buffer[] = [];
    for (let i = 0; i < 7000; i++) chunks.push(block = crypto.createHash('sha256').update(block).digest());
    const image = Buffer.concat(chunks).toString('base64');
    fs.writeFileSync(path.join(dir, 'boards/image.json'), JSON.stringify({ uid: 'image', title: 'Image', panels: [
      { type: 'text', title: 'logo', gridPos: { h: 4, w: 24, x: 0, y: 0 }, options: { content: `<img src="data:image/png;base64,${image}">` } },
    ] }));
    // THEN
    const [problem] = problems({ grafana: operator(), dashboards: ['boards/image.json'] });
    expect(problem).toMatch(new RegExp('^installations\\[0\\]\\.dashboards\\[0\\]: file ".*/boards/image\\.json" takes \\d+ bytes gzipped and '
      + 'base64-encoded in its GrafanaDashboard\'s spec\\.gzipJson; allowed: at most 245760 '));
    // and the same dashboard is fine for the sidecar, whose ConfigMap holds 1 MiB
    const sidecar = { name: 'x', grafana: { host: 'x.example.com' }, dashboards: ['boards/image.json'] };
    expect(() => resolveIn(dir, { installations: [sidecar] })).not.toThrow();
  });
});
