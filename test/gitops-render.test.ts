/**
 * What the GitOps controllers make of the output, with the real tools: kustomize (in kubectl) builds
 * each Flux cluster folder; helm 3.17 and helm 4 render every chart the way Argo CD and
 * helm-controller do, with the release name, chart path and namespace read from the generated
 * Application and HelmRelease, and the result is the plain manifests plus Helm's labels.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { KubeObject, loadAnalyticsConfig, ResolvedConfig } from '../lib';
import { argocdApplication, argocdRootApplication, fluxGitRepository, fluxHelmRelease, fluxKustomization } from '../lib/output/gitops';
import { HELM_KUBE_VERSION } from '../lib/output/helm-chart';
import { version as chartVersion } from '../package.json';
import { GITOPS_CONFIG, synthesizeGitopsConfig } from './support/gitops';
import { HelmMajor, helm, kubectl } from './support/helm';

type Json = Record<string, any>;

const parseStream = (text: string): Json[] => parseAllDocuments(text).map(d => d.toJS()).filter(o => o !== null && o !== undefined);
const objectKey = (o: Json) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const sorted = (objects: Json[]) => [...objects].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));

/** The oldest Kubernetes the charts admit, and a vendor build (its `-eks-1` is a pre-release to semver). */
const KUBE_VERSIONS = [`v${/^>=(\d+\.\d+\.\d+)-0$/.exec(HELM_KUBE_VERSION)![1]}`, 'v1.29.3-eks-1'];
const HELM_MAJORS: HelmMajor[] = [3, 4];

let outdir: string;
let config: ResolvedConfig;
const read = (...parts: string[]) => fs.readFileSync(path.join(outdir, ...parts), 'utf8');

beforeAll(async () => {
  ({ outdir } = await synthesizeGitopsConfig());
  config = loadAnalyticsConfig(GITOPS_CONFIG);
});

/** A path in the repository, as the folder of the synth output it points into (the repository holds dist/ at gitops.path). */
function inOutput(repoPath: string): string {
  const prefix = `${config.gitops!.path}/`;
  if (!repoPath.startsWith(prefix)) throw new Error(`${repoPath} is not under gitops.path ${prefix}`);
  return path.join(outdir, repoPath.slice(prefix.length));
}

describe('kubectl kustomize', () => {
  test.each(['eu-1', 'us-1', 'staging'])('builds the %s folder into exactly its GitRepository and its installations\' '
    + 'HelmReleases', async cluster => {
    // WHEN kustomize builds the folder the cluster's Kustomization points at
    const built = parseStream(await kubectl(['kustomize', path.join(outdir, 'gitops', 'flux', cluster)]));
    // THEN
    const names = config.installations.filter(i => i.cluster === cluster).map(i => i.name);
    expect(names.length).toBeGreaterThan(0);
    expect(built.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['GitRepository/fleet', ...names.map(n => `HelmRelease/${n}`)].sort());
    const files = ['gitrepository-fleet.yaml', ...names.map(n => `helmrelease-${n}.yaml`)];
    expect(sorted(built)).toEqual(sorted(files.flatMap(f => parseStream(read('gitops', 'flux', cluster, f)))));
  });
});

test('kubectl (go-yaml) reads every GitOps file back into exactly the objects the app built', async () => {
  // GIVEN each file and the objects gitops.ts builds for it
  const gitops = config.gitops!;
  const built = new Map<string, KubeObject[]>([['gitops/argocd-root.yaml', [argocdRootApplication(gitops)]]]);
  for (const inst of config.installations) {
    built.set(`gitops/argocd/${inst.name}.yaml`, [argocdApplication(gitops, inst)]);
    built.set(`gitops/flux/${inst.cluster}/helmrelease-${inst.name}.yaml`, [fluxHelmRelease(gitops, inst)]);
    built.set(`gitops/flux/${inst.cluster}/gitrepository-fleet.yaml`, [fluxGitRepository(gitops)]);
    built.set(`gitops/flux/${inst.cluster}.yaml`, [fluxGitRepository(gitops), fluxKustomization(gitops, inst.cluster!)]);
  }
  const files = [...built.keys()];
  const written = (fs.readdirSync(path.join(outdir, 'gitops'), { recursive: true }) as string[])
    .map(f => `gitops/${f}`).filter(f => f.endsWith('.yaml') && !f.endsWith('/kustomization.yaml'));
  expect(files.sort()).toEqual(written.sort());
  // WHEN kubectl reads them all in one run (one indented JSON object per document, in order)
  const stdout = await kubectl(['label', '--local', '-o', 'json', ...files.flatMap(f => ['-f', path.join(outdir, f)]), 'go-yaml-readback-']);
  const read = stdout.split(/\n(?=\{\n)/).map(text => JSON.parse(text));
  // THEN
  expect(read).toEqual(files.flatMap(f => built.get(f)!));
});

test('no chart template uses .Capabilities or lookup: offline rendering is what the cluster gets', () => {
  const templates = config.installations.flatMap(inst => {
    const dir = path.join(outdir, 'helm', inst.name, 'templates');
    return fs.readdirSync(dir).map(f => path.join(dir, f));
  });
  expect(templates.length).toBeGreaterThan(config.installations.length * 5);
  const actions = templates.flatMap(f => templateActions(fs.readFileSync(f, 'utf8')));
  // The writer's own actions are there (so the scan finds actions), and none asks the cluster.
  expect(actions).toEqual(expect.arrayContaining(['.Release.Name | quote', '"{{"']));
  expect(actions.filter(a => /\.Capabilities\b|\blookup\b/.test(a))).toEqual([]);
});

describe('rendering as the controllers do', () => {
  // One helm run per distinct command: Argo CD and helm-controller read the same release, chart and
  // namespace from their objects, so they usually share it (each path still reads its own).
  const runs = new Map<string, Promise<string>>();
  const template = (major: HelmMajor, args: string[]) => {
    const key = `${major} ${args.join(' ')}`;
    if (!runs.has(key)) runs.set(key, helm(['template', ...args], 60_000, major));
    return runs.get(key)!;
  };

  /** Every API (group/version and group/version/kind) of a cluster running these objects, as Argo CD passes them. */
  const apiVersions = (objects: Json[]) => [...new Set(['v1', 'apps/v1', 'networking.k8s.io/v1', 'monitoring.coreos.com/v1',
    ...objects.flatMap(o => [o.apiVersion, `${o.apiVersion}/${o.kind}`])])].sort().flatMap(v => ['--api-versions', v]);

  /** The plain manifests with what `helm template` adds: the chart label, and Helm as the manager. */
  const withHelmLabels = (objects: Json[], name: string) => objects.map(o => {
    const copy = structuredClone(o);
    copy.metadata.labels = { ...copy.metadata.labels, 'helm.sh/chart': `${name}-${chartVersion}`, 'app.kubernetes.io/managed-by': 'Helm' };
    const podLabels = copy.spec?.template?.metadata?.labels;
    if (podLabels?.['app.kubernetes.io/managed-by']) podLabels['app.kubernetes.io/managed-by'] = 'Helm';
    return copy;
  });

  const plain = (name: string) => parseStream(read(`${name}.k8s.yaml`));
  const cases = () => config.installations.flatMap(inst => HELM_MAJORS.flatMap(major => KUBE_VERSIONS.map(kube => ({ inst, major, kube }))));

  test('Argo CD: every Application\'s chart, release name and namespace render the plain manifests plus Helm\'s labels', async () => {
    await Promise.all(cases().map(async ({ inst, major, kube }) => {
      // GIVEN what the Application says
      const [app] = parseStream(read('gitops', 'argocd', `${inst.name}.yaml`));
      const { source, destination } = app.spec;
      // WHEN Argo CD's repo server renders it: helm template <path> --name-template <release> --namespace <ns> ...
      const rendered = parseStream(await template(major, [
        inOutput(source.path), '--name-template', source.helm.releaseName, '--namespace', destination.namespace,
        '--kube-version', kube, ...apiVersions(plain(inst.name)), '--include-crds',
      ]));
      // THEN
      const where = `${inst.name}, helm ${major}, ${kube}`;
      expect({ where, objects: sorted(rendered) }).toEqual({ where, objects: sorted(withHelmLabels(plain(inst.name), inst.name)) });
    }));
  });

  test('Flux: every HelmRelease\'s chart, release name and target namespace render the plain manifests plus Helm\'s and '
    + 'helm-controller\'s labels', async () => {
    await Promise.all(cases().map(async ({ inst, major, kube }, i) => {
      // GIVEN what the HelmRelease says
      const [release] = parseStream(read('gitops', 'flux', inst.cluster!, `helmrelease-${inst.name}.yaml`));
      const { chart, releaseName, targetNamespace } = release.spec;
      // WHEN helm-controller renders it (the cluster's APIs and version come from its discovery) ...
      const rendered = await template(major, [
        inOutput(chart.spec.chart), '--name-template', releaseName, '--namespace', targetNamespace,
        '--kube-version', kube, ...apiVersions(plain(inst.name)),
      ]);
      // ... and post-renders it with kustomize's LabelTransformer on metadata/labels (helm-controller's
      // internal/postrender/origin_labels.go), here with the real kustomize of kubectl
      const postRendered = parseStream(await kustomizeLabels(rendered, {
        'helm.toolkit.fluxcd.io/name': release.metadata.name,
        'helm.toolkit.fluxcd.io/namespace': release.metadata.namespace,
      }, `flux-${i}`));
      // THEN
      const expected = withHelmLabels(plain(inst.name), inst.name).map(o => ({
        ...o,
        metadata: {
          ...o.metadata,
          labels: { ...o.metadata.labels, 'helm.toolkit.fluxcd.io/name': inst.name, 'helm.toolkit.fluxcd.io/namespace': 'flux-system' },
        },
      }));
      const where = `${inst.name}, helm ${major}, ${kube}`;
      expect({ where, objects: sorted(postRendered) }).toEqual({ where, objects: sorted(expected) });
    }));
  });

  /** `kubectl kustomize` of a folder holding the rendered objects and a `labels:` entry (metadata/labels only). */
  async function kustomizeLabels(rendered: string, pairs: Record<string, string>, folder: string): Promise<string> {
    const dir = path.join(outdir, '..', 'post-render', folder);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'rendered.yaml'), rendered);
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['rendered.yaml'],
      labels: [{ pairs, includeSelectors: false, includeTemplates: false }],
    }));
    return kubectl(['kustomize', dir]);
  }
});

/**
 * The actions (`{{ ... }}`) of a Go template, trimmed of `-` and spaces; string literals may hold
 * braces (`{{ "{{" }}` is how the chart writer escapes them).
 */
function templateActions(text: string): string[] {
  const actions: string[] = [];
  for (let at = text.indexOf('{{'); at >= 0; at = text.indexOf('{{', at)) {
    let i = at + 2;
    let quote: string | undefined;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quote) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === '`') {
        quote = c;
      } else if (text.startsWith('}}', i)) {
        break;
      }
    }
    if (i >= text.length) throw new Error(`unclosed action at ${at}: ${text.slice(at, at + 40)}`);
    actions.push(text.slice(at + 2, i).replace(/^-?\s*|\s*-?$/g, ''));
    at = i + 2;
  }
  return actions;
}
