/**
 * From a typed object (parsed YAML or code) and its dashboard files, read already, to validated,
 * fully resolved installations: every default applied and every derived value computed, once.
 * Every problem is collected first and reported in one ConfigError.
 */
import { TSchema } from '@sinclair/typebox';
import { AnalyticsConfig, AnalyticsConfigSchema, DashboardFile, InstallationConfig, InstallationSchema, ResolvedInstallation } from './schema';
import { isPlainObjectSchema } from './internal/schema-parts';
import { DashboardFiles, installationDashboardProblems } from './dashboards';
import { DEFAULTS, FRONT_DEFAULTS } from './defaults';
import { maxCacheSizeFor } from './internal/sizes';
import {
  apiUserPath, defaultServeFromSubPath, inClusterAuthUrl, publicWritePath, viaIngressAuthUrl, viaIngressPublicPath,
} from './derive';
import { grafanaChartProblems } from './grafana-chart';
import { operatorDashboardProblems } from './operator-dashboards';
import { gitopsProblems, resolveGitops, ResolvedGitops } from './gitops';
import { ConfigError } from './problems';
import { loneSurrogateProblems } from './text-problems';
import { crossInstallationProblems, installationProblems, valueAt } from './internal/installation-rules';
import { derivedNameProblems } from './internal/derived-names';
import { gitopsValueProblems } from './internal/gitops-rules';
import { schemaProblems } from './internal/schema-problems';

/** The whole config resolved: the installations, and the `gitops` block when it is set. */
export interface ResolvedConfig {
  readonly installations: ResolvedInstallation[];
  readonly gitops?: ResolvedGitops;
}

/**
 * `resolveAnalyticsConfig` (lib/app/load.ts) once the dashboard files are read: checks data of
 * any shape against the schema and the rules, and applies every default. Throws ConfigError.
 */
export function resolveConfigData(input: unknown, dashboardFiles: DashboardFiles, source?: string): ResolvedConfig {
  // Every problem at once: the schema's, the dashboard files' and the rules of each installation
  // the first two leave intact; the checks across installations need all of them intact.
  const early = [...schemaProblems(AnalyticsConfigSchema, input), ...dashboardFiles.problems];
  const config = input as AnalyticsConfig;
  const intact = (at: string) => !early.some(p => p.path === '' || p.path === at || p.path.startsWith(`${at}.`) || p.path.startsWith(`${at}[`));
  const raw = intact('defaults') && Array.isArray(config?.installations) ? config.installations : [];
  const resolved = raw.map((inst, i) =>
    intact(`installations[${i}]`) ? resolveInstallation(config.defaults ?? {}, inst, dashboardFiles.lookup) : undefined,
  );
  const gitops = early.length === 0 && config.gitops ? resolveGitops(config.gitops) : undefined;
  const problems = [
    ...early,
    ...resolved.flatMap((inst, i) => (inst ? installationProblems(inst, raw[i], `installations[${i}]`) : [])),
    ...loneSurrogateProblems(input, ''),
    ...(intact('gitops') && config.gitops ? gitopsValueProblems(config.gitops) : []),
  ];
  if (early.length === 0) {
    const all = resolved as ResolvedInstallation[];
    problems.push(
      ...crossInstallationProblems(all), ...installationDashboardProblems(all), ...operatorDashboardProblems(all), ...grafanaChartProblems(all),
      ...gitopsProblems(gitops, all), ...derivedNameProblems(all),
    );
  }
  if (problems.length > 0) throw new ConfigError(problems, source);
  const installations = resolved as ResolvedInstallation[];
  for (const inst of installations) RESOLVED.add(inst);
  return gitops ? { installations, gitops } : { installations };
}

/** Installations this module resolved (and so checked): a construct need not check them again. */
const RESOLVED = new WeakSet<ResolvedInstallation>();

/** True for an installation `resolveConfig` returned in this thread (not a copy, not one built by hand). */
export function isResolvedInstallation(inst: ResolvedInstallation): boolean {
  return RESOLVED.has(inst);
}

export function resolveInstallation(
  defaults: object,
  inst: InstallationConfig,
  dashboard: (configPath: string) => DashboardFile,
): ResolvedInstallation {
  // The schema guarantees the shape; only the derived values below are still open.
  const merged = mergeBySchema(InstallationSchema, DEFAULTS, defaults, inst) as Merged;
  const service = { ...merged.grafana.service, namespace: merged.grafana.service.namespace ?? merged.namespace };
  const frontDefaults = FRONT_DEFAULTS[merged.auth.front];
  const maxCacheSize = [inst, defaults].map(c => valueAt(c, 'server.maxCacheSize')).find(v => v !== undefined) as number | undefined;
  const subPath = merged.grafana.subPath;
  const serveFromSubPath = merged.grafana.serveFromSubPath ?? defaultServeFromSubPath(subPath);
  const userPath = apiUserPath(subPath, serveFromSubPath);
  const viaIngressPath = viaIngressPublicPath(subPath, merged.auth.viaIngressPath);
  return {
    ...merged,
    server: { ...merged.server, maxCacheSize: maxCacheSize ?? maxCacheSizeFor(merged.server.resources.limits.memory, merged.ingress.maxBodySize) },
    ingress: {
      ...merged.ingress,
      className: merged.ingress.className ?? frontDefaults.className,
      publicWritePath: publicWritePath(subPath, merged.ingress.writePath),
    },
    networkPolicy: {
      ...merged.networkPolicy,
      ingressControllerNamespace: merged.networkPolicy.ingressControllerNamespace ?? frontDefaults.ingressControllerNamespace,
    },
    grafana: { ...merged.grafana, serveFromSubPath, service, apiUserPath: userPath },
    dashboards: merged.dashboards.map(dashboard),
    dashboardSidecar: { ...merged.dashboardSidecar, namespace: merged.dashboardSidecar.namespace ?? service.namespace },
    alerts: {
      ...merged.alerts,
      grafanaUpSelector: merged.alerts.grafanaUpSelector ?? grafanaUpSelector(service),
      labels: merged.alerts.labels ?? merged.serviceMonitor.labels,
    },
    auth: {
      ...merged.auth,
      viaIngressPublicPath: viaIngressPath,
      url:
        merged.auth.mode === 'via-ingress'
          ? viaIngressAuthUrl(merged.ingress.tlsSecretName !== undefined, viaIngressPath)
          : inClusterAuthUrl({ ...service, clusterDomain: merged.auth.clusterDomain }, userPath),
    },
  };
}

/** The settings of a resolved installation, as a config would hold them: without the derived values, dashboards by file. */
export function settingsOf(inst: ResolvedInstallation): InstallationConfig {
  const { apiUserPath: _apiUserPath, ...grafana } = inst.grafana;
  const { publicWritePath: _publicWritePath, ...ingress } = inst.ingress;
  const { viaIngressPublicPath: _viaIngressPublicPath, url: _url, ...auth } = inst.auth;
  return { ...inst, grafana, ingress, auth, dashboards: inst.dashboards.map(d => d.file) } as InstallationConfig;
}

/** `alerts.grafanaUpSelector` by default: the labels of a ServiceMonitor on Grafana's Service. */
export function grafanaUpSelector(service: { readonly name: string; readonly namespace: string }): string {
  return `job=${JSON.stringify(service.name)},namespace=${JSON.stringify(service.namespace)}`;
}

type Grafana = ResolvedInstallation['grafana'];
/** What merging the layers gives: the settings as the config holds them, before anything is derived. */
type Merged = Omit<ResolvedInstallation, 'grafana' | 'dashboards' | 'dashboardSidecar' | 'alerts' | 'ingress' | 'auth'> & {
  readonly dashboards: readonly string[];
  readonly dashboardSidecar: Omit<ResolvedInstallation['dashboardSidecar'], 'namespace'> & { readonly namespace?: string };
  readonly alerts: { readonly noBeaconFor: string; readonly grafanaUpSelector?: string; readonly labels?: Record<string, string> };
  readonly grafana: Omit<Grafana, 'serveFromSubPath' | 'service' | 'apiUserPath'> & {
    readonly serveFromSubPath?: boolean;
    readonly service: Omit<Grafana['service'], 'namespace'> & { readonly namespace?: string };
  };
  readonly ingress: Omit<ResolvedInstallation['ingress'], 'publicWritePath'>;
  readonly auth: Omit<ResolvedInstallation['auth'], 'viaIngressPublicPath' | 'url'>;
};

/**
 * Merges layers left to right. Objects the schema declares with properties merge key by key;
 * everything else (values, lists and maps such as labels) is replaced whole, so a map in an
 * installation never inherits stray keys from the defaults.
 */
export function mergeBySchema(schema: TSchema, ...layers: unknown[]): unknown {
  const present = layers.filter(l => l !== undefined);
  if (present.length === 0) return undefined;
  if (!isPlainObjectSchema(schema)) return present[present.length - 1];
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(schema.properties)) {
    const value = mergeBySchema(sub, ...present.map(l => (l as Record<string, unknown>)[key]));
    if (value !== undefined) out[key] = value;
  }
  return out;
}

