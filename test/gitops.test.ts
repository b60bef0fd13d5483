/**
 * The GitOps output: a config with 3 clusters and 5 installations (both auth modes, sub-paths, a
 * cluster with two installations, an Argo CD cluster name that differs) handed to Argo CD and Flux.
 * test/gitops-render.test.ts renders the charts as the controllers would.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { ConfigError, loadAnalyticsConfig, resolveAnalyticsConfig } from '../lib';
import { sourceNameOf } from '../lib/config/gitops';
import { gitopsFiles } from '../lib/output/gitops';
import { OUTPUT_MARKER } from '../lib/output/output-folder';
import { EXAMPLE_CONFIG } from './support/example';
import { GITOPS_CONFIG, synthesizeGitopsConfig, WIRING } from './support/gitops';
import { celRuleProblems } from './support/cel-rules';
import { applicableCelRules, Manifest, validateManifests } from './support/kube-schema';
import { filesUnder, outdirWithSentinel, runInProcess } from './support/run-app';

type Json = Record<string, any>;

const readObjects = (file: string): Json[] => parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS());

let outdir: string;
let stderr: string;

beforeAll(async () => {
  ({ outdir, stderr } = await synthesizeGitopsConfig());
});

const gitopsPaths = () => filesUnder(outdir).filter(f => f.startsWith('gitops/'));
const objectsUnder = (...files: string[]) => files.flatMap(f => readObjects(path.join(outdir, f)));

describe('files', () => {
  test('an Application per installation, a root Application, and per cluster a folder and its Kustomization', () => {
    expect(gitopsPaths()).toEqual([
      'gitops/argocd-root.yaml',
      ...['ops-eu', 'prod-eu', 'prod-us', 'staging-canary', 'staging'].sort().map(n => `gitops/argocd/${n}.yaml`),
      'gitops/flux/eu-1.yaml',
      'gitops/flux/eu-1/gitrepository-fleet.yaml',
      'gitops/flux/eu-1/helmrelease-ops-eu.yaml',
      'gitops/flux/eu-1/helmrelease-prod-eu.yaml',
      'gitops/flux/eu-1/kustomization.yaml',
      'gitops/flux/staging.yaml',
      'gitops/flux/staging/gitrepository-fleet.yaml',
      'gitops/flux/staging/helmrelease-staging-canary.yaml',
      'gitops/flux/staging/helmrelease-staging.yaml',
      'gitops/flux/staging/kustomization.yaml',
      'gitops/flux/us-1.yaml',
      'gitops/flux/us-1/gitrepository-fleet.yaml',
      'gitops/flux/us-1/helmrelease-prod-us.yaml',
      'gitops/flux/us-1/kustomization.yaml',
    ].sort());
  });

  test('match the snapshot', () => {
    const files = Object.fromEntries(gitopsPaths().map(f => [f, fs.readFileSync(path.join(outdir, f), 'utf8')]));
    expect(files).toMatchSnapshot();
  });

  test('the summary names each installation\'s cluster and counts the GitOps files', () => {
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^prod-eu +monitoring +grafana\.prod-eu\.example\.com +cluster eu-1 +9 objects /);
    expect(lines[2]).toMatch(/^prod-us +monitoring +grafana\.prod-us\.example\.com\/ops\/grafana +cluster us-1 +10 objects /);
    expect(lines[4]).toMatch(/^staging-canary +canary +canary\.staging\.example\.com +cluster staging +9 objects /);
    // every file but the output folder's marker
    expect(lines[5]).toBe(`total: 5 installations, 48 objects, ${filesUnder(outdir).filter(f => f !== OUTPUT_MARKER).length} files in ${outdir}`);
  });

  test('a config without gitops writes no GitOps file, and its clusters change no other file', async () => {
    // GIVEN the example config (dashboard paths made absolute), without and with a cluster on every installation
    const config = parseAllDocuments(fs.readFileSync(EXAMPLE_CONFIG, 'utf8'))[0].toJS();
    const absolute = (list: string[]) => list.map(f => path.resolve(path.dirname(EXAMPLE_CONFIG), f));
    const plain = {
      defaults: { ...config.defaults, dashboards: absolute(config.defaults.dashboards) },
      installations: config.installations.map((i: Json) => (i.dashboards ? { ...i, dashboards: absolute(i.dashboards) } : i)),
    };
    const clustered = { ...plain, defaults: { ...plain.defaults, cluster: 'eu-1' } };
    // WHEN both run with the GitOps writer wired
    const outdirs = await Promise.all([plain, clustered].map(async c => {
      const dir = outdirWithSentinel();
      const file = path.join(path.dirname(dir), 'config.yaml');
      fs.writeFileSync(file, stringify(c));
      expect((await runInProcess({ configFile: file, outdir: dir, ...WIRING })).code).toBe(0);
      return dir;
    }));
    // THEN neither has a gitops/ folder, and the files are the same bytes
    const files = (dir: string) => new Map(filesUnder(dir).map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    expect(filesUnder(outdirs[0]).filter(f => f.startsWith('gitops'))).toEqual([]);
    expect(filesUnder(outdirs[0])).toEqual(expect.arrayContaining(['prod-eu.k8s.yaml', 'helm/prod-eu/Chart.yaml', 'grafana/prod-eu/values.yaml']));
    expect(files(outdirs[1])).toEqual(files(outdirs[0]));
  });
});

test('synth --stdout writes the plain manifests only, no GitOps file', async () => {
  const dir = outdirWithSentinel();
  const run = await runInProcess({ configFile: GITOPS_CONFIG, outdir: dir, ...WIRING, stdoutMode: true });
  expect(run.code).toBe(0);
  expect(filesUnder(dir).filter(f => f !== OUTPUT_MARKER)).toEqual(['manifests.k8s.yaml']);
});

describe('objects', () => {
  const config = () => loadAnalyticsConfig(GITOPS_CONFIG);
  const allObjects = () => objectsUnder(...gitopsPaths().filter(f => !f.endsWith('/kustomization.yaml'))) as Manifest[];

  test('every object validates strictly against its CRD (Argo CD v3.5.1, Flux helm-controller v1.6.3, kustomize-controller v1.9.4, '
    + 'source-controller v1.9.1)', () => {
    const objects = allObjects();
    expect(new Set(objects.map(o => o.kind))).toEqual(new Set(['Application', 'GitRepository', 'HelmRelease', 'Kustomization']));
    expect(validateManifests(objects)).toEqual([]);
  });

  test('the CRD rules (x-kubernetes-validations) on what we emit hold; every rule on a field we set is one the table checks', () => {
    const objects = allObjects();
    // HelmRelease's chart-xor-chartRef rule sits on `spec`, which every HelmRelease sets: never vacuous.
    expect(objects.flatMap(applicableCelRules).length).toBeGreaterThan(0);
    expect(celRuleProblems(objects)).toEqual([]);
  });

  test('Applications: the installation\'s chart at the revision, released under its name into its namespace on its cluster', () => {
    const { gitops, installations } = config();
    for (const inst of installations) {
      const [app] = objectsUnder(`gitops/argocd/${inst.name}.yaml`);
      expect(app).toEqual({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: inst.name,
          namespace: 'argocd',
          labels: {
            'app.kubernetes.io/managed-by': 'cdk8s',
            'app.kubernetes.io/part-of': 'grafana-analytics',
            'grafana-analytics/installation': inst.name,
          },
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        spec: {
          project: 'default',
          source: { repoURL: gitops!.repoURL, targetRevision: 'main', path: `deploy/dist/helm/${inst.name}`, helm: { releaseName: inst.name } },
          destination: {
            name: inst.cluster === 'us-1' ? 'arn:aws:eks:us-east-1:123456789012:cluster/prod-us' : inst.cluster,
            namespace: inst.namespace,
          },
          syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'] },
        },
      });
    }
  });

  test('the root Application applies the Applications folder in Argo CD\'s own cluster, pruning removed ones', () => {
    const [root] = objectsUnder('gitops/argocd-root.yaml');
    expect(root.metadata).toMatchObject({ name: 'grafana-analytics', namespace: 'argocd' });
    expect(root.metadata.finalizers).toBeUndefined();
    expect(root.spec).toEqual({
      project: 'default',
      source: {
        repoURL: 'https://github.com/acme/fleet.git',
        targetRevision: 'main',
        path: 'deploy/dist/gitops/argocd',
        directory: { recurse: false },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
      syncPolicy: { automated: { prune: true } },
    });
  });

  test('each cluster\'s Kustomization file holds the GitRepository of its folder and the Kustomization of that folder', () => {
    for (const cluster of ['eu-1', 'us-1', 'staging']) {
      const [source, kustomization, ...rest] = objectsUnder(`gitops/flux/${cluster}.yaml`);
      expect(rest).toEqual([]);
      expect(source).toEqual(objectsUnder(`gitops/flux/${cluster}/gitrepository-fleet.yaml`)[0]);
      expect(source.spec).toEqual({
        interval: '5m',
        url: 'https://github.com/acme/fleet.git',
        ref: { branch: 'main' },
        secretRef: { name: 'fleet-auth' },
      });
      expect(kustomization).toMatchObject({
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: 'grafana-analytics', namespace: 'flux-system' },
        spec: { interval: '5m', path: `deploy/dist/gitops/flux/${cluster}`, prune: true, sourceRef: { kind: 'GitRepository', name: 'fleet' } },
      });
    }
  });

  test('HelmReleases: the installation\'s chart from the GitRepository, rebuilt at every revision, into its namespace', () => {
    const { installations } = config();
    for (const inst of installations) {
      const [release] = objectsUnder(`gitops/flux/${inst.cluster}/helmrelease-${inst.name}.yaml`);
      expect(release.metadata).toMatchObject({ name: inst.name, namespace: 'flux-system' });
      expect(release.spec).toEqual({
        interval: '5m',
        chart: {
          spec: { chart: `deploy/dist/helm/${inst.name}`, sourceRef: { kind: 'GitRepository', name: 'fleet' }, reconcileStrategy: 'Revision' },
        },
        releaseName: inst.name,
        targetNamespace: inst.namespace,
        install: { createNamespace: true },
      });
    }
  });

  test('gitops keys set away from their defaults reach the objects', () => {
    // GIVEN every optional key set
    const { gitops, installations } = resolveAnalyticsConfig({
      gitops: {
        repoURL: 'ssh://git@git.example.com:2222/platform/fleet', revision: 'release/2026', path: 'clusters/analytics', interval: '1h30m',
        argocd: { namespace: 'gitops', project: 'observability' },
        flux: { namespace: 'flux', sourceName: 'platform-fleet' },
      },
      installations: [{ name: 'a', cluster: 'in-cluster', grafana: { host: 'a.example.com' } }],
    });
    // WHEN
    const files = new Map(gitopsFiles({ gitops, installations }).map(f => [f.path, parseAllDocuments(f.content).map(d => d.toJS())]));
    // THEN
    const [app] = files.get('gitops/argocd/a.yaml')!;
    expect(app.metadata.namespace).toBe('gitops');
    expect(app.spec).toMatchObject({
      project: 'observability',
      source: { repoURL: 'ssh://git@git.example.com:2222/platform/fleet', targetRevision: 'release/2026', path: 'clusters/analytics/helm/a' },
      destination: { name: 'in-cluster' },
    });
    const [source, kustomization] = files.get('gitops/flux/in-cluster.yaml')!;
    expect(source).toMatchObject({
      metadata: { name: 'platform-fleet', namespace: 'flux' },
      spec: { interval: '1h30m', ref: { branch: 'release/2026' } },
    });
    expect(source.spec.secretRef).toBeUndefined();
    expect(kustomization.spec).toMatchObject({
      path: 'clusters/analytics/gitops/flux/in-cluster',
      interval: '1h30m',
      sourceRef: { name: 'platform-fleet' },
    });
    const [release] = files.get('gitops/flux/in-cluster/helmrelease-a.yaml')!;
    expect(release.spec.chart.spec).toMatchObject({ chart: 'clusters/analytics/helm/a', sourceRef: { name: 'platform-fleet' } });
    expect(validateManifests([...files.values()].flat().filter(o => o.metadata))).toEqual([]);
  });
});

test('the README\'s GitOps example is a valid config', () => {
  // GIVEN the example of the README's GitOps section
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const [, yaml] = /## GitOps: Argo CD and Flux[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme) ?? [];
  // WHEN
  const files = gitopsFiles(resolveAnalyticsConfig(parseAllDocuments(yaml)[0].toJS())).map(f => f.path);
  // THEN
  expect(files).toEqual(expect.arrayContaining(['gitops/argocd/prod-us.yaml', 'gitops/flux/eu-1/helmrelease-prod-eu.yaml', 'gitops/flux/us-1.yaml']));
});

describe('config', () => {
  const base = { installations: [{ name: 'a', cluster: 'c1', grafana: { host: 'a.example.com' } }] };
  // Through JSON, so that a key set to undefined is left out.
  const withGitops = (gitops: Json, extra: Json = {}) => resolveAnalyticsConfig(JSON.parse(JSON.stringify({
    ...base, ...extra, gitops: { repoURL: 'https://git.example.com/fleet.git', path: 'dist', ...gitops },
  })));

  test('the GitRepository is named after the repository unless told', () => {
    expect(sourceNameOf('https://github.com/acme/fleet.git')).toBe('fleet');
    expect(sourceNameOf('ssh://git@github.com/acme/Platform_Fleet')).toBe('platform-fleet');
    expect(sourceNameOf('https://git.example.com/acme/fleet/')).toBe('fleet');
    expect(sourceNameOf('https://git.example.com')).toBe('grafana-analytics');
    expect(withGitops({}).gitops!.flux.sourceName).toBe('fleet');
    expect(withGitops({ flux: { sourceName: 'mine' } }).gitops!.flux.sourceName).toBe('mine');
  });

  test('cluster can be set under defaults, and an installation\'s own wins', () => {
    const { installations } = resolveAnalyticsConfig({
      defaults: { cluster: 'eu-1' },
      installations: [{ name: 'a', grafana: { host: 'a.example.com' } }, { name: 'b', cluster: 'us-1', grafana: { host: 'b.example.com' } }],
    });
    expect(installations.map(i => i.cluster)).toEqual(['eu-1', 'us-1']);
  });

  test('without gitops there is nothing to write, with or without clusters', () => {
    const resolved = resolveAnalyticsConfig(base);
    expect(resolved.gitops).toBeUndefined();
    expect(gitopsFiles(resolved)).toEqual([]);
  });

  test.each([
    [
      'an scp-like repoURL',
      { repoURL: 'git@github.com:acme/fleet.git' },
      /gitops\.repoURL: got "git@github\.com:acme\/fleet\.git"; allowed: an http:\/\/, https:\/\/ or ssh:\/\/ URL/,
    ],
    ['a file:// repoURL', { repoURL: 'file:///srv/fleet' }, /gitops\.repoURL: got "file:\/\/\/srv\/fleet"/],
    ['a repoURL with a space', { repoURL: 'https://git.example.com/my fleet' }, /gitops\.repoURL: got/],
    ['a revision with ..', { revision: 'a..b' }, /gitops\.revision: got "a\.\.b"; allowed: a branch name/],
    ['a revision ending in /', { revision: 'release/' }, /gitops\.revision: got "release\/"/],
    ['an absolute path', { path: '/dist' }, /gitops\.path: got "\/dist"; allowed: a relative path/],
    ['a path with ..', { path: 'deploy/../dist' }, /gitops\.path: got "deploy\/\.\.\/dist"/],
    ['an interval without a unit', { interval: '5' }, /gitops\.interval: got "5"; allowed: a Go duration/],
    ['an unknown gitops key', { branch: 'main' }, /gitops\.branch: unknown key/],
    ['an Argo CD namespace that is no namespace', { argocd: { namespace: 'Argo CD' } }, /gitops\.argocd\.namespace: got "Argo CD"/],
    ['a cluster name with a space', { argocd: { clusterNames: { c1: 'my cluster' } } }, /gitops\.argocd\.clusterNames\.c1: got "my cluster"/],
    [
      'a clusterNames key no ' + 'installation has',
      { argocd: { clusterNames: { c2: 'x' } } },
      /gitops\.argocd\.clusterNames\.c2: got key "c2", which no installation's cluster is; allowed: one of "c1"/,
    ],
    ['a secretRef that is no Secret name', { flux: { secretRef: 'Fleet Auth' } }, /gitops\.flux\.secretRef: got "Fleet Auth"/],
    ['no repoURL', { repoURL: undefined }, /gitops\.repoURL: is required/],
    ['no path', { path: undefined }, /gitops\.path: is required/],
  ])('fails when gitops has %s', (_, gitops, message) => {
    expect(() => withGitops(gitops)).toThrow(ConfigError);
    expect(() => withGitops(gitops)).toThrow(message);
  });

  test('fails when gitops is set and an installation has no cluster, naming every such installation', () => {
    const config = {
      installations: [
        { name: 'a', grafana: { host: 'a.example.com' } },
        { name: 'b', cluster: 'c1', grafana: { host: 'b.example.com' } },
        { name: 'c', grafana: { host: 'c.example.com' } },
      ],
      gitops: { repoURL: 'https://git.example.com/fleet.git', path: 'dist' },
    };
    expect(() => resolveAnalyticsConfig(config)).toThrow(new RegExp(/\(2 problems\):/.source
      + /\n {2}- installations\[0\]\.cluster: is required; allowed: .*installation "a".*/.source
      + /\n {2}- installations\[2\]\.cluster: is required; allowed: .*installation "c"/.source));
  });

  test('fails when a cluster is no DNS-1123 label', () => {
    expect(() => resolveAnalyticsConfig({ installations: [{ name: 'a', cluster: 'EU_1', grafana: { host: 'a.example.com' } }] }))
      .toThrow(/installations\[0\]\.cluster: got "EU_1"; allowed: a DNS-1123 label/);
    expect(() =>
      resolveAnalyticsConfig({ defaults: { cluster: 'x'.repeat(64) }, installations: base.installations.map(({ cluster: _, ...i }) => i) }),
    ).toThrow(/defaults\.cluster: got "x{64}"/);
  });

  test('fails when gitops is set and an installation takes the root Application\'s name', () => {
    expect(() => withGitops({}, { installations: [{ name: 'grafana-analytics', cluster: 'c1', grafana: { host: 'a.example.com' } }] }))
      .toThrow(/installations\[0\]\.name: got "grafana-analytics" while gitops is set; allowed: a name other than "grafana-analytics"/);
  });
});
