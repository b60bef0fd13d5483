/**
 * The `gitops` block resolved, and the rules that need it and the installations together. The
 * schema (schema.ts, `GitopsSchema`) checks each key alone.
 */
import { GITOPS_DEFAULTS } from './defaults';
import { ConfigProblem, toDottedPath } from './problems';
import { GitopsConfig, ResolvedInstallation } from './schema';

/** The `gitops` block with every default applied. */
export interface ResolvedGitops {
  readonly repoURL: string;
  readonly revision: string;
  readonly path: string;
  readonly interval: string;
  readonly argocd: {
    readonly namespace: string;
    readonly project: string;
    readonly clusterNames: Readonly<Record<string, string>>;
  };
  readonly flux: { readonly namespace: string; readonly sourceName: string; readonly secretRef?: string };
}

/**
 * Name of the root Argo CD Application, beside the installations' Applications in Argo CD's
 * namespace: no installation may have it.
 */
export const ARGOCD_ROOT_APPLICATION = 'grafana-analytics';

/** Name of the Flux Kustomization each cluster applies once. */
export const FLUX_KUSTOMIZATION = 'grafana-analytics';

/** Applies the defaults; `sourceName` comes from the repository's name (`.../fleet.git` -> `fleet`). */
export function resolveGitops(gitops: GitopsConfig): ResolvedGitops {
  return {
    repoURL: gitops.repoURL,
    revision: gitops.revision ?? GITOPS_DEFAULTS.revision,
    path: gitops.path,
    interval: gitops.interval ?? GITOPS_DEFAULTS.interval,
    argocd: {
      namespace: gitops.argocd?.namespace ?? GITOPS_DEFAULTS.argocd.namespace,
      project: gitops.argocd?.project ?? GITOPS_DEFAULTS.argocd.project,
      clusterNames: gitops.argocd?.clusterNames ?? {},
    },
    flux: {
      namespace: gitops.flux?.namespace ?? GITOPS_DEFAULTS.flux.namespace,
      sourceName: gitops.flux?.sourceName ?? sourceNameOf(gitops.repoURL),
      ...(gitops.flux?.secretRef ? { secretRef: gitops.flux.secretRef } : {}),
    },
  };
}

/** The last path segment of a repository URL as a DNS-1123 label; `grafana-analytics` when nothing is left. */
export function sourceNameOf(repoURL: string): string {
  const last = repoURL.replace(/\/+$/, '').split('/').pop() ?? '';
  const label = last.replace(/\.git$/, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 63).replace(/^-+|-+$/g, '');
  // A URL without a path (https://git.example.com) leaves the host, which says nothing about the repository.
  return label && last !== repoURL.split('/')[2] ? label : 'grafana-analytics';
}

/** The Argo CD cluster name (`destination.name`) of an installation's cluster. */
export function argocdClusterName(gitops: ResolvedGitops, cluster: string): string {
  return gitops.argocd.clusterNames[cluster] ?? cluster;
}

/**
 * With `gitops` set every installation needs a cluster, no installation may take the root
 * Application's name, and every `clusterNames` entry must name a cluster in use (else it is a typo).
 */
export function gitopsProblems(gitops: ResolvedGitops | undefined, installations: readonly ResolvedInstallation[]): ConfigProblem[] {
  if (!gitops) return [];
  const problems: ConfigProblem[] = [];
  installations.forEach((inst, i) => {
    if (inst.cluster === undefined) {
      problems.push({
        path: `installations[${i}].cluster`,
        message: `is required; allowed: a DNS-1123 label naming the cluster installation "${inst.name}" runs in (gitops is set), here or under `
          + `defaults`,
      });
    }
    if (inst.name === ARGOCD_ROOT_APPLICATION) {
      problems.push({
        path: `installations[${i}].name`,
        message: `got "${inst.name}" while gitops is set; allowed: a name other than "${ARGOCD_ROOT_APPLICATION}", the root Argo CD Application's`,
      });
    }
  });
  const clusters = [...new Set(installations.flatMap(i => (i.cluster === undefined ? [] : [i.cluster])))];
  for (const key of Object.keys(gitops.argocd.clusterNames).filter(k => !clusters.includes(k))) {
    problems.push({
      // A JSON pointer: `~` and `/` never occur in a cluster name.
      path: toDottedPath(`/gitops/argocd/clusterNames/${key}`),
      message: `got key "${key}", which no installation's cluster is; allowed: `
        + `${clusters.length ? `one of ${clusters.map(c => JSON.stringify(c)).join(', ')}` : 'a cluster some installation has'}`,
    });
  }
  return problems;
}
