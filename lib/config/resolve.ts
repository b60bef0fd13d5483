/**
 * From a typed object (parsed YAML or code) to validated, fully resolved installations.
 * Every problem is collected first and reported in one ConfigError.
 */
import * as path from 'path';
import { TSchema } from '@sinclair/typebox';
import { ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import {
  AnalyticsConfig, AnalyticsConfigSchema, DashboardFile, InstallationConfig, InstallationSchema, isPlainObjectSchema,
  ResolvedInstallation,
} from './schema';
import { installationDashboardProblems, readDashboardFiles } from './dashboard-files';
import { DEFAULTS, FRONT_DEFAULTS, maxCacheSizeFor } from './defaults';
import { grafanaChartProblems } from './grafana-chart';
import { gitopsProblems, resolveGitops, ResolvedGitops } from './gitops';
import { joinPaths } from './paths';
import { ConfigError, ConfigProblem, quote, toDottedPath, unescapePointer } from './problems';
import { loneSurrogateProblems } from './text-problems';
import { grafanaUpSelectorProblem, OWNED_LABEL_KEYS, ownedLabelKeys, nginxSizeProblem, prometheusDurationProblem } from './consumer-values';
import { CONSUMER_RULES } from './consumer-rules';
import { derivedNameProblems } from './derived-names';
import { gitopsValueProblems } from './gitops-rules';

/**
 * Validates a config written in code, reads the dashboard files it lists (relative to the folder
 * of `source`, else the working directory) and applies every default. Throws ConfigError.
 */
export function resolveConfig(config: AnalyticsConfig, source?: string): ResolvedInstallation[] {
  return resolveAnalyticsConfig(config, source).installations;
}

/** The whole config resolved: the installations, and the `gitops` block when it is set. */
export interface ResolvedConfig {
  readonly installations: ResolvedInstallation[];
  readonly gitops?: ResolvedGitops;
}

/**
 * `resolveConfig`, with the `gitops` block, for data of any shape, such as parsed YAML: its shape
 * is checked with the rest. Throws ConfigError.
 */
export function resolveAnalyticsConfig(input: unknown, source?: string): ResolvedConfig {
  // Every problem at once: the schema's, the dashboard files' and the rules of each installation
  // the first two leave intact; the checks across installations need all of them intact.
  const dashboardFiles = readDashboardFiles(input, source ? path.dirname(path.resolve(source)) : process.cwd());
  const early = [...schemaProblems(AnalyticsConfigSchema, input), ...dashboardFiles.problems];
  const config = input as AnalyticsConfig;
  const intact = (at: string) => !early.some(p => p.path === '' || p.path === at || p.path.startsWith(`${at}.`) || p.path.startsWith(`${at}[`));
  const raw = intact('defaults') && Array.isArray(config?.installations) ? config.installations : [];
  const resolved = raw.map((inst, i) => (intact(`installations[${i}]`) ? resolveInstallation(config.defaults ?? {}, inst, dashboardFiles.lookup) : undefined));
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
      ...crossInstallationProblems(all), ...installationDashboardProblems(all), ...grafanaChartProblems(all), ...gitopsProblems(gitops, all),
      ...derivedNameProblems(all),
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

/**
 * A rule about one resolved installation that the schema cannot express: `applies` says when the
 * value at `path` is wrong, `message` says why and what is allowed. `explicitOnly` rules fire only
 * when the installation itself sets the value (a shared `defaults` entry may suit other installations).
 */
export interface InstallationRule {
  readonly path: string;
  readonly explicitOnly?: boolean;
  readonly applies: (inst: ResolvedInstallation) => boolean;
  readonly message: (inst: ResolvedInstallation) => string;
}

const IPV4 = /^[0-9]+(\.[0-9]+){3}$/;
/** Longest DNS name (RFC 1035), which the in-cluster auth URL's Service FQDN must fit. */
const MAX_DNS_NAME = 253;
const serviceFqdn = (inst: ResolvedInstallation) =>
  `${inst.grafana.service.name}.${inst.grafana.service.namespace}.svc.${inst.auth.clusterDomain}`;

/** Which front goes with which route and settings (see README "Auth fronts"). */
const AUTH_FRONT_RULES: readonly InstallationRule[] = [
  {
    path: 'auth.mode',
    applies: inst => inst.auth.mode === 'via-ingress' && inst.auth.front !== 'ingress-nginx',
    message: inst => `got "via-ingress" while auth.front is "${inst.auth.front}"; allowed: "in-cluster" (via-ingress is built on ingress-nginx features)`,
  },
  {
    path: 'route.kind',
    applies: inst => inst.route.kind === 'httproute' && inst.auth.front !== 'proxy',
    message: inst => `got "httproute" while auth.front is "${inst.auth.front}"; allowed: "ingress" (an HTTPRoute carries no ${inst.auth.front} auth: use auth.front proxy with it)`,
  },
  ...(['name', 'namespace'] as const).map((key): InstallationRule => ({
    path: `route.gateway.${key}`,
    applies: inst => inst.route.kind === 'httproute' && inst.route.gateway?.[key] === undefined,
    message: () => `is required; allowed: the ${key} of the Gateway the HTTPRoute attaches to (route.kind is "httproute")`,
  })),
  {
    path: 'route.gateway',
    explicitOnly: true,
    applies: inst => inst.route.kind !== 'httproute',
    message: () => 'got a Gateway while route.kind is "ingress"; allowed: only with route.kind "httproute"',
  },
  ...(['tlsSecretName', 'className'] as const).map((key): InstallationRule => ({
    path: `ingress.${key}`,
    explicitOnly: key === 'className',
    applies: inst => inst.route.kind === 'httproute' && inst.ingress[key] !== undefined,
    message: inst => `got "${inst.ingress[key]}" while route.kind is "httproute"; allowed: nothing (${key === 'tlsSecretName' ? 'TLS belongs to the Gateway\'s listener' : 'the route attaches to route.gateway'})`,
  })),
  {
    path: 'networkPolicy.ingressControllerNamespace',
    applies: inst => inst.networkPolicy.enabled && inst.networkPolicy.ingressControllerNamespace === undefined,
    message: inst => `is required; allowed: the namespace of the ingress controller or Gateway data plane that forwards beacons (auth.front "${inst.auth.front}" has no default while networkPolicy.enabled is true)`,
  },
  ...(['proxy', 'grafana.service.targetPort', 'grafana.service.podLabels'] as const).map((path): InstallationRule => ({
    path,
    explicitOnly: true,
    applies: inst => inst.auth.front !== 'proxy',
    message: inst => `got ${JSON.stringify(valueAt(inst, path))} while auth.front is "${inst.auth.front}"; allowed: only with auth.front "proxy"`,
  })),
];

export const INSTALLATION_RULES: readonly InstallationRule[] = [
  {
    path: 'grafana.host',
    applies: inst => IPV4.test(inst.grafana.host),
    message: inst => `got "${inst.grafana.host}"; allowed: a DNS host name, not an IP address (an Ingress host cannot be one)`,
  },
  {
    path: 'grafana.serveFromSubPath',
    applies: inst => inst.grafana.serveFromSubPath && inst.grafana.subPath === '/',
    message: () => 'got true while grafana.subPath is "/"; allowed: true only with a sub-path such as /grafana',
  },
  {
    path: 'auth.viaIngressPath',
    explicitOnly: true,
    applies: inst => inst.auth.mode !== 'via-ingress',
    message: inst => `got ${quote(inst.auth.viaIngressPath)} while auth.mode is "${inst.auth.mode}"; allowed: only with auth.mode "via-ingress" (remove it or set auth.mode: via-ingress)`,
  },
  {
    path: 'auth.clusterDomain',
    explicitOnly: true,
    applies: inst => inst.auth.mode !== 'in-cluster',
    message: inst => `got ${quote(inst.auth.clusterDomain)} while auth.mode is "${inst.auth.mode}"; allowed: only with auth.mode "in-cluster" (remove it or set auth.mode: in-cluster)`,
  },
  {
    path: 'auth.clusterDomain',
    applies: inst => inst.auth.mode === 'in-cluster' && serviceFqdn(inst).length > MAX_DNS_NAME,
    message: inst => `got ${quote(inst.auth.clusterDomain)}, which makes Grafana's Service name "${serviceFqdn(inst)}" ${serviceFqdn(inst).length} characters long; allowed: at most ${MAX_DNS_NAME} for <service>.<namespace>.svc.<cluster domain>`,
  },
  ...(['ingressControllerNamespace', 'prometheusNamespace'] as const).map((key): InstallationRule => ({
    path: `networkPolicy.${key}`,
    explicitOnly: true,
    applies: inst => !inst.networkPolicy.enabled,
    message: inst => `got "${inst.networkPolicy[key]}" while networkPolicy.enabled is false; allowed: only with networkPolicy.enabled true`,
  })),
  ...AUTH_FRONT_RULES,
  ...(['server.nodeSelector', 'serviceMonitor.labels', 'grafana.service.podLabels'] as const).map((path): InstallationRule => ({
    path,
    applies: inst => labelKeysWithLongPrefix(valueAt(inst, path) as Record<string, string>).length > 0,
    message: inst => `got key ${quote(labelKeysWithLongPrefix(valueAt(inst, path) as Record<string, string>)[0])}; allowed: a label key prefix of at most ${MAX_DNS_NAME} characters`,
  })),
  ...(['serviceMonitor.labels', 'alerts.labels'] as const).map((path): InstallationRule => ({
    path,
    // alerts.labels defaults to the very object serviceMonitor.labels: report that once.
    applies: inst => (path === 'serviceMonitor.labels' || inst.alerts.labels !== inst.serviceMonitor.labels) && ownedLabelKeys(valueAt(inst, path) as Record<string, string>).length > 0,
    message: inst => `got key ${quote(ownedLabelKeys(valueAt(inst, path) as Record<string, string>)[0])}; allowed: keys other than ${OWNED_LABEL_KEYS.join(', ')} and helm.sh/* (the library and Helm set them on every object)`,
  })),
  {
    path: 'ingress.maxBodySize',
    applies: inst => nginxSizeProblem(inst.ingress.maxBodySize) !== undefined,
    message: inst => `got ${quote(inst.ingress.maxBodySize)}, ${nginxSizeProblem(inst.ingress.maxBodySize)}; allowed: an nginx size such as 8k or 1m`,
  },
  {
    path: 'alerts.noBeaconFor',
    applies: inst => prometheusDurationProblem(inst.alerts.noBeaconFor, true) !== undefined,
    message: inst => `got ${quote(inst.alerts.noBeaconFor)}, which is ${prometheusDurationProblem(inst.alerts.noBeaconFor, true)}; allowed: a non-zero Prometheus duration such as 6h or 1d`,
  },
  {
    path: 'serviceMonitor.interval',
    // Zero is no scrape interval, and the recording rules' `offset 0` is a PromQL parse error.
    applies: inst => prometheusDurationProblem(inst.serviceMonitor.interval, true) !== undefined,
    message: inst => `got ${quote(inst.serviceMonitor.interval)}, which is ${prometheusDurationProblem(inst.serviceMonitor.interval, true)}; allowed: a non-zero Prometheus duration such as 30s or 1m`,
  },
  {
    path: 'alerts.grafanaUpSelector',
    applies: inst => grafanaUpSelectorProblem(inst.alerts.grafanaUpSelector) !== undefined,
    message: inst => `got ${quote(inst.alerts.grafanaUpSelector)}: ${grafanaUpSelectorProblem(inst.alerts.grafanaUpSelector)}; allowed: comma-separated PromQL label matchers, e.g. job="grafana",namespace="monitoring"`,
  },  ...CONSUMER_RULES,
];

function labelKeysWithLongPrefix(labels: Record<string, string>): string[] {
  return Object.keys(labels).filter(k => k.includes('/') && k.substring(0, k.indexOf('/')).length > MAX_DNS_NAME);
}

export function valueAt(obj: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((o, k) => (o === undefined || o === null ? undefined : (o as Record<string, unknown>)[k]), obj);
}

function installationProblems(inst: ResolvedInstallation, raw: InstallationConfig, where: string): ConfigProblem[] {
  return INSTALLATION_RULES
    .filter(rule => (!rule.explicitOnly || valueAt(raw, rule.path) !== undefined) && rule.applies(inst))
    .map(rule => ({ path: `${where}.${rule.path}`, message: rule.message(inst) }));
}

export function resolveInstallation(defaults: object, inst: InstallationConfig, dashboard: (configPath: string) => DashboardFile): ResolvedInstallation {
  // The schema guarantees the shape; only the derived defaults below are still open.
  const merged = mergeBySchema(InstallationSchema, DEFAULTS, defaults, inst) as Merged;
  const service = { ...merged.grafana.service, namespace: merged.grafana.service.namespace ?? merged.namespace };
  const frontDefaults = FRONT_DEFAULTS[merged.auth.front];
  const maxCacheSize = [inst, defaults].map(c => valueAt(c, 'server.maxCacheSize')).find(v => v !== undefined) as number | undefined;
  return {
    ...merged,
    server: { ...merged.server, maxCacheSize: maxCacheSize ?? maxCacheSizeFor(merged.server.resources.limits.memory, merged.ingress.maxBodySize) },
    ingress: { ...merged.ingress, className: merged.ingress.className ?? frontDefaults.className },
    networkPolicy: {
      ...merged.networkPolicy,
      ingressControllerNamespace: merged.networkPolicy.ingressControllerNamespace ?? frontDefaults.ingressControllerNamespace,
    },
    grafana: {
      ...merged.grafana,
      serveFromSubPath: merged.grafana.serveFromSubPath ?? merged.grafana.subPath !== '/',
      service,
    },
    dashboards: merged.dashboards.map(dashboard),
    dashboardSidecar: { ...merged.dashboardSidecar, namespace: merged.dashboardSidecar.namespace ?? service.namespace },
    alerts: {
      ...merged.alerts,
      grafanaUpSelector: merged.alerts.grafanaUpSelector ?? grafanaUpSelector(service),
      labels: merged.alerts.labels ?? merged.serviceMonitor.labels,
    },
  };
}

/** `alerts.grafanaUpSelector` by default: the labels of a ServiceMonitor on Grafana's Service. */
export function grafanaUpSelector(service: { readonly name: string; readonly namespace: string }): string {
  return `job=${JSON.stringify(service.name)},namespace=${JSON.stringify(service.namespace)}`;
}

type Grafana = ResolvedInstallation['grafana'];
type Merged = Omit<ResolvedInstallation, 'grafana' | 'dashboards' | 'dashboardSidecar' | 'alerts'> & {
  readonly dashboards: readonly string[];
  readonly dashboardSidecar: Omit<ResolvedInstallation['dashboardSidecar'], 'namespace'> & { readonly namespace?: string };
  readonly alerts: { readonly noBeaconFor: string; readonly grafanaUpSelector?: string; readonly labels?: Record<string, string> };

  readonly grafana: Omit<Grafana, 'serveFromSubPath' | 'service'> & {
    readonly serveFromSubPath?: boolean;
    readonly service: Omit<Grafana['service'], 'namespace'> & { readonly namespace?: string };
  };
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

/** Checks that need every installation at once: names, and what they claim on a host. */
function crossInstallationProblems(installations: ResolvedInstallation[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Map<string, number>();
  const claims = new Map<string, string>();
  installations.forEach((inst, i) => {
    const first = names.get(inst.name);
    if (first !== undefined) {
      problems.push({
        path: `installations[${i}].name`,
        message: `got "${inst.name}"; allowed: a name no other installation has (installations[${first}] has it)`,
      });
    } else {
      names.set(inst.name, i);
    }
    const paths: [string, string][] = [['ingress.writePath', joinPaths(inst.grafana.subPath, inst.ingress.writePath)]];
    if (inst.auth.mode === 'via-ingress') {
      paths.push(['auth.viaIngressPath', joinPaths(inst.grafana.subPath, inst.auth.viaIngressPath)]);
    }
    for (const [field, path] of paths) {
      const key = `${inst.grafana.host}${path}`;
      const owner = claims.get(key);
      if (owner !== undefined) {
        problems.push({
          path: `installations[${i}].${field}`,
          message: `got ${quote(path)} on host "${inst.grafana.host}"; allowed: a host and path nothing else claims (${owner} has it)`,
        });
      } else {
        claims.set(key, `installations[${i}].${field}`);
      }
    }
  });
  return problems;
}

/** Turns TypeBox's errors into one readable problem per offending path. */
export function schemaProblems(schema: TSchema, value: unknown): ConfigProblem[] {
  const problems = new Map<string, ConfigProblem>();
  const add = (error: ValueError) => {
    const path = toDottedPath(error.path);
    // The first error at a path is the most specific one; later ones restate it.
    if (!problems.has(path)) problems.set(path, { path, message: describe(error) });
  };
  for (const error of Value.Errors(schema, value)) {
    // TypeBox stops at a map's first bad key: report every one.
    if (error.type === ValueErrorType.ObjectAdditionalProperties && !isPlainObjectSchema(error.schema)) {
      badMapKeys(error, value).forEach(add);
    } else {
      add(error);
    }
  }
  return [...problems.values()];
}

/** One error per key of the map holding `error`'s key that matches none of the map's key patterns. */
function badMapKeys(error: ValueError, root: unknown): ValueError[] {
  const parent = error.path.substring(0, error.path.lastIndexOf('/'));
  const map = parent.split('/').slice(1).map(unescapePointer)
    .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], root) as Record<string, unknown>;
  const patterns = Object.keys(error.schema.patternProperties ?? {}).map(p => new RegExp(p));
  return Object.keys(map)
    .filter(key => !patterns.some(p => p.test(key)))
    .map(key => ({ ...error, path: `${parent}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, value: map[key] }));
}

function describe(error: ValueError): string {
  const got = `got ${quote(error.value)}`;
  const schema = error.schema as TSchema & { allowed?: string };
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `is required; allowed: ${allowedBy(schema, error)}`;
    case ValueErrorType.ObjectAdditionalProperties:
      // An object with declared keys gets a did-you-mean; a map (labels) says what its keys must look like.
      return isPlainObjectSchema(schema)
        ? `unknown key: ${unknownKeyHint(error)}`
        : `got key ${quote(lastSegment(error.path))}; allowed: ${allowedBy(schema, error)}`;
    case ValueErrorType.Union: {
      const options = (schema.anyOf as TSchema[] | undefined)?.map(s => JSON.stringify(s.const));
      return `${got}; allowed: one of ${options?.join(', ')}`;
    }
    default:
      return `${got}; allowed: ${allowedBy(schema, error)}`;
  }
}

/** What the schema allows, in words: our `allowed` keyword, else a phrase for its type. */
function allowedBy(schema: TSchema & { allowed?: string }, error: ValueError): string {
  if (schema.allowed) return schema.allowed;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.anyOf) return `one of ${(schema.anyOf as TSchema[]).map(s => JSON.stringify(s.const)).join(', ')}`;
  if (schema.type === 'boolean') return 'true or false';
  if (isPlainObjectSchema(schema)) return `a mapping with the keys ${Object.keys(schema.properties).join(', ')}`;
  return error.message.toLowerCase();
}


function lastSegment(pointer: string): string {
  const segments = pointer.split('/');
  return unescapePointer(segments[segments.length - 1] ?? '');
}

/** For an unknown key, names the nearest known key when it is a likely typo. */
function unknownKeyHint(error: ValueError): string {
  const key = lastSegment(error.path);
  const parent = parentSchema(error);
  const known = parent ? Object.keys(parent.properties) : [];
  // A key far longer than any known one is no typo of one (and its edit distance is costly).
  const near = key.length > 2 * Math.max(0, ...known.map(k => k.length)) ? undefined : known
    .map(k => ({ k, d: editDistance(k.toLowerCase(), key.toLowerCase()) }))
    .filter(({ k, d }) => d <= Math.max(1, Math.floor(k.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  const hint = near ? `; did you mean "${near.k}"?` : '';
  return `${quote(key)} is not allowed here${hint}${known.length ? ` (allowed keys: ${known.join(', ')})` : ''}`;
}

/** TypeBox reports an additional property against the object's schema. */
function parentSchema(error: ValueError) {
  return isPlainObjectSchema(error.schema) ? error.schema : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}


/** What `duplicateObjectProblems` needs of a synthesized installation (see lib/app/app.ts). */
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
        message: `got "${synthesized[i].installation.name}", whose ${o.kind} "${where}" is created by ${other}; allowed: installations whose objects differ in name or namespace`,
      });
    }
  });
  return problems;
}
