/**
 * Checks that need every rendered installation at once: objects, dashboard file names and usage
 * dashboard uids that two installations (or one, twice) would claim.
 */
import { ConfigProblem, quote } from '../../config/problems';
import { ResolvedInstallation } from '../../config/schema';
import { usageDashboardUid } from '../../grafana';

/** What `duplicateObjectProblems` needs of a synthesized installation (see lib/app/render.ts). */
export interface InstallationObjects {
  readonly installation: { readonly name: string };
  readonly objects: readonly {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string };
    /** A ConfigMap's data keys (file names, for the dashboard sidecar). */
    readonly dataKeys?: readonly string[];
  }[];
}

/**
 * Two installations must never create the same object (API group, kind, namespace, name): the
 * second apply would silently take the first one over. Objects usually live in the installation's
 * namespace under its name, but some live beside Grafana (via-ingress auth), so check the output.
 */
export function duplicateObjectProblems(synthesized: readonly InstallationObjects[]): ConfigProblem[] {
  const owners = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  synthesized.forEach(({ objects }, i) => {
    for (const o of objects) {
      const group = o.apiVersion.includes('/') ? o.apiVersion.substring(0, o.apiVersion.indexOf('/')) : '';
      const key = `${group}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
      const first = owners.get(key);
      if (first === undefined) {
        owners.set(key, i);
        continue;
      }
      const where = o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
      const other = first === i ? 'itself, twice' : `installations[${first}] ("${synthesized[first].installation.name}") too`;
      problems.push({
        path: `installations[${i}].name`,
        message: `got "${synthesized[i].installation.name}", whose ${o.kind} "${where}" is created by ${other}; allowed: installations whose `
          + `objects differ in name or namespace`,
      });
    }
  });
  return problems;
}

/**
 * The Grafana dashboard sidecar writes the keys of every ConfigMap it watches into one folder:
 * two installations whose dashboard ConfigMaps share a namespace must not share a file name
 * (the ConfigMap names may differ while the file names do not).
 */
export function sidecarFileProblems(rendered: readonly InstallationObjects[]): ConfigProblem[] {
  const owners = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  rendered.forEach(({ installation, objects }, i) => {
    for (const o of objects) {
      for (const file of o.dataKeys ?? []) {
        if (!file.endsWith('.json')) continue;
        const key = `${o.metadata.namespace ?? ''}/${file}`;
        const first = owners.get(key);
        if (first === undefined) {
          owners.set(key, i);
        } else if (first !== i) {
          problems.push({
            path: `installations[${i}].dashboards`,
            message: `installation "${installation.name}" writes the dashboard file ${file} that installations[${first}] `
              + `("${rendered[first].installation.name}") writes too, in namespace ${o.metadata.namespace}, where one sidecar writes all of them `
                + `into one folder; allowed: installation and dashboard file names whose file names differ`,
          });
        }
      }
    }
  });
  return problems;
}

/** A provisioned dashboard must not take the uid of the installation's own usage dashboard. */
export function usageUidProblems(rendered: readonly { readonly installation: Pick<ResolvedInstallation, 'name' | 'dashboards'> }[]): ConfigProblem[] {
  return rendered.flatMap(({ installation }, i) => installation.dashboards.flatMap((d, j) => (d.dashboard.uid === usageDashboardUid(installation.name)
    ? [{ path: `installations[${i}].dashboards[${j}]`, message: `file ${quote(d.file)} has uid "${d.dashboard.uid}"; allowed: any uid but `
      + `"${d.dashboard.uid}", the uid of this installation's usage dashboard` }]
    : [])));
}
