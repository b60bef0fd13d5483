/**
 * What Argo CD and Flux need to deploy every installation's Helm chart (`helm/<name>/`) from the
 * repository the synth output is committed to. Plain objects, written with the manifests' YAML.
 *
 * - `gitops/argocd/<name>.yaml`: one Application per installation; `gitops/argocd-root.yaml`: the
 *   Application that applies that folder (applied once by hand).
 * - `gitops/flux/<cluster>/`: a kustomization of the GitRepository and the cluster's HelmReleases;
 *   `gitops/flux/<cluster>.yaml`: the GitRepository and the Kustomization that applies the folder
 *   (applied once by hand; the GitRepository is in it so that one apply starts everything).
 */
import { ARGOCD_ROOT_APPLICATION, argocdClusterName, FLUX_KUSTOMIZATION, ResolvedGitops } from '../config/gitops';
import { ResolvedConfig } from '../config/resolve';
import { ResolvedInstallation } from '../config/schema';
import { INSTALLATION_LABEL, PART_OF } from '../constructs';
import { KubeObject } from '../constructs';
import { OutputFile } from './files';
import { kubeYaml, toYamlStream } from './manifests';

/** Deleting an Application deletes its resources only with this finalizer. */
export const ARGOCD_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** Where a chart and the GitOps folders are in the repository. */
const repoPath = (gitops: ResolvedGitops, ...parts: string[]) => [gitops.path, ...parts].join('/');

function labels(installation?: string): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'cdk8s',
    'app.kubernetes.io/part-of': PART_OF,
    ...(installation ? { [INSTALLATION_LABEL]: installation } : {}),
  };
}

/** The installation's Argo CD Application: its chart, released under its name into its namespace. */
export function argocdApplication(gitops: ResolvedGitops, inst: ResolvedInstallation): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: inst.name, namespace: gitops.argocd.namespace, labels: labels(inst.name), finalizers: [ARGOCD_FINALIZER] },
    spec: {
      project: gitops.argocd.project,
      source: {
        repoURL: gitops.repoURL,
        targetRevision: gitops.revision,
        path: repoPath(gitops, 'helm', inst.name),
        helm: { releaseName: inst.name },
      },
      destination: { name: argocdClusterName(gitops, clusterOf(inst)), namespace: inst.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        // Server-side apply: a client-side apply stores the object in an annotation, and a
        // dashboard ConfigMap over 256 KiB does not fit in one.
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
      },
    },
  };
}

/** The Application that applies every installation's Application, in Argo CD's own cluster. */
export function argocdRootApplication(gitops: ResolvedGitops): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    // No finalizer: deleting the root must not delete every installation at once.
    metadata: { name: ARGOCD_ROOT_APPLICATION, namespace: gitops.argocd.namespace, labels: labels() },
    spec: {
      project: gitops.argocd.project,
      source: {
        repoURL: gitops.repoURL,
        targetRevision: gitops.revision,
        path: repoPath(gitops, 'gitops', 'argocd'),
        directory: { recurse: false },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: gitops.argocd.namespace },
      syncPolicy: { automated: { prune: true } },
    },
  };
}

/** The repository as Flux's source: the committed output at `revision`. */
export function fluxGitRepository(gitops: ResolvedGitops): KubeObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: gitops.flux.sourceName, namespace: gitops.flux.namespace, labels: labels() },
    spec: {
      interval: gitops.interval,
      url: gitops.repoURL,
      ref: { branch: gitops.revision },
      ...(gitops.flux.secretRef ? { secretRef: { name: gitops.flux.secretRef } } : {}),
    },
  };
}

/** The installation's HelmRelease: its chart from the GitRepository, under its name into its namespace. */
export function fluxHelmRelease(gitops: ResolvedGitops, inst: ResolvedInstallation): KubeObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: inst.name, namespace: gitops.flux.namespace, labels: labels(inst.name) },
    spec: {
      interval: gitops.interval,
      chart: {
        spec: {
          chart: repoPath(gitops, 'helm', inst.name),
          sourceRef: { kind: 'GitRepository', name: gitops.flux.sourceName },
          // The default (ChartVersion) rebuilds a chart from Git only when Chart.yaml's version
          // changes; ours stays the package version while the templates change with the config.
          reconcileStrategy: 'Revision',
        },
      },
      releaseName: inst.name,
      targetNamespace: inst.namespace,
      install: { createNamespace: true },
    },
  };
}

/** The Kustomization that applies a cluster's folder, pruning what leaves it. */
export function fluxKustomization(gitops: ResolvedGitops, cluster: string): KubeObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: FLUX_KUSTOMIZATION, namespace: gitops.flux.namespace, labels: labels() },
    spec: {
      interval: gitops.interval,
      path: repoPath(gitops, 'gitops', 'flux', cluster),
      prune: true,
      sourceRef: { kind: 'GitRepository', name: gitops.flux.sourceName },
    },
  };
}

function clusterOf(inst: ResolvedInstallation): string {
  // resolveConfig refuses a config with gitops and an installation without cluster.
  if (inst.cluster === undefined) throw new Error(`installation ${inst.name} has no cluster`);
  return inst.cluster;
}

/** The files of one cluster's Flux folder and its Kustomization, for the cluster's installations. */
function fluxClusterFiles(gitops: ResolvedGitops, cluster: string, installations: readonly ResolvedInstallation[]): OutputFile[] {
  const folder = `gitops/flux/${cluster}`;
  const source = { file: `gitrepository-${gitops.flux.sourceName}.yaml`, content: toYamlStream([fluxGitRepository(gitops)]) };
  const releases = installations.map(inst => ({ file: `helmrelease-${inst.name}.yaml`, content: toYamlStream([fluxHelmRelease(gitops, inst)]) }));
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [source, ...releases].map(f => f.file),
  };
  return [
    { path: `${folder}/kustomization.yaml`, content: kubeYaml(kustomization) },
    ...[source, ...releases].map(f => ({ path: `${folder}/${f.file}`, content: f.content })),
    { path: `${folder}.yaml`, content: `${source.content}---\n${toYamlStream([fluxKustomization(gitops, cluster)])}` },
  ];
}

/**
 * Every GitOps file of the config (none without `gitops`). They depend on several installations,
 * so the app writes them once, after every installation has rendered; clusters are in name order,
 * installations in config order, so any split of the rendering writes the same bytes.
 */
export function gitopsFiles(config: ResolvedConfig): OutputFile[] {
  const { gitops, installations } = config;
  if (!gitops) return [];
  const byCluster = new Map<string, ResolvedInstallation[]>();
  for (const inst of installations) {
    const cluster = clusterOf(inst);
    const list = byCluster.get(cluster);
    if (list) list.push(inst);
    else byCluster.set(cluster, [inst]);
  }
  return [
    ...installations.map(inst => ({ path: `gitops/argocd/${inst.name}.yaml`, content: toYamlStream([argocdApplication(gitops, inst)]) })),
    { path: 'gitops/argocd-root.yaml', content: toYamlStream([argocdRootApplication(gitops)]) },
    ...[...byCluster.keys()].sort().flatMap(cluster => fluxClusterFiles(gitops, cluster, byCluster.get(cluster)!)),
  ];
}
