/**
 * From YAML text or a typed object to validated, fully resolved installations.
 * Every problem is collected first and reported in one ConfigError.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TSchema } from '@sinclair/typebox';
import { ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { parseDocument } from 'yaml';
import {
  AnalyticsConfig, AnalyticsConfigSchema, DashboardFile, InstallationConfig, InstallationSchema, isPlainObjectSchema,
  ResolvedInstallation,
} from './config';
import { installationDashboardProblems, readDashboardFiles } from './dashboard-files';
import { DEFAULTS } from './defaults';
import { grafanaChartProblems } from './grafana-plugin';
import { joinPaths } from './paths';

/** One thing wrong with the config: where, and what. */
export interface ConfigProblem {
  /** Path in the config, e.g. `installations[2].grafana.host`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

/** The config is invalid; `problems` lists every problem found, not only the first. */
export class ConfigError extends Error {
  constructor(public readonly problems: ConfigProblem[], source?: string) {
    const where = source ? ` in ${source}` : '';
    const lines = problems.map(p => `  - ${p.path ? `${p.path}: ` : ''}${p.message}`);
    super(`invalid configuration${where} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads, validates and resolves a YAML config file. Throws ConfigError. */
export function loadConfigFile(file: string): ResolvedInstallation[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([{ path: '', message: `cannot read the config file: ${(e as Error).message}` }], file);
  }
  return resolveConfig(parseConfigYaml(text, file), file);
}

/** Parses YAML, reporting syntax errors with line and column. Throws ConfigError. */
export function parseConfigYaml(text: string, source?: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map(e => {
      const pos = e.linePos?.[0];
      const at = pos ? `line ${pos.line}, column ${pos.col}: ` : '';
      return { path: '', message: `YAML syntax error at ${at}${e.message.split('\n')[0]}` };
    }), source);
  }
  return doc.toJS();
}

/**
 * Validates a config object (from YAML or code), reads the dashboard files it lists (relative to
 * the folder of `source`, else the working directory) and applies every default. Throws ConfigError.
 */
export function resolveConfig(input: unknown, source?: string): ResolvedInstallation[] {
  const problems = schemaProblems(AnalyticsConfigSchema, input);
  if (problems.length > 0) throw new ConfigError(problems, source);
  const config = input as AnalyticsConfig;
  const dashboardFiles = readDashboardFiles(config, source ? path.dirname(path.resolve(source)) : process.cwd());
  if (dashboardFiles.problems.length > 0) throw new ConfigError(dashboardFiles.problems, source);
  const resolved = config.installations.map(inst => resolveInstallation(config.defaults ?? {}, inst, dashboardFiles.lookup));
  const crossProblems = [...crossInstallationProblems(resolved), ...installationDashboardProblems(resolved), ...grafanaChartProblems(resolved)];
  if (crossProblems.length > 0) throw new ConfigError(crossProblems, source);
  return resolved;
}

function resolveInstallation(defaults: object, inst: InstallationConfig, dashboard: (configPath: string) => DashboardFile): ResolvedInstallation {
  // The schema guarantees the shape; only the derived defaults below are still open.
  const merged = mergeBySchema(InstallationSchema, DEFAULTS, defaults, inst) as Merged;
  const service = { ...merged.grafana.service, namespace: merged.grafana.service.namespace ?? merged.namespace };
  return {
    ...merged,
    grafana: {
      ...merged.grafana,
      serveFromSubPath: merged.grafana.serveFromSubPath ?? merged.grafana.subPath !== '/',
      service,
    },
    dashboards: merged.dashboards.map(dashboard),
    dashboardSidecar: { ...merged.dashboardSidecar, namespace: merged.dashboardSidecar.namespace ?? service.namespace },
    alerts: {
      ...merged.alerts,
      grafanaUpSelector: merged.alerts.grafanaUpSelector ?? `job=${JSON.stringify(service.name)},namespace=${JSON.stringify(service.namespace)}`,
      labels: merged.alerts.labels ?? merged.serviceMonitor.labels,
    },
  };
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
        message: `got "${inst.name}", already used by installations[${first}]; installation names must be unique`,
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
          message: `got "${path}" on host "${inst.grafana.host}", already claimed by ${owner}; each host and path may be used once`,
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
  for (const error of Value.Errors(schema, value)) {
    const path = toDottedPath(error.path);
    // The first error at a path is the most specific one; later ones restate it.
    if (!problems.has(path)) problems.set(path, { path, message: describe(error) });
  }
  return [...problems.values()];
}

function describe(error: ValueError): string {
  const got = `got ${JSON.stringify(error.value) ?? 'nothing'}`;
  const schema = error.schema as TSchema & { allowed?: string };
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.ObjectAdditionalProperties: {
      return `unknown key: ${unknownKeyHint(error)}`;
    }
    case ValueErrorType.Union: {
      const options = (schema.anyOf as TSchema[] | undefined)?.map(s => JSON.stringify(s.const));
      return `${got}; allowed: one of ${options?.join(', ')}`;
    }
    default:
      return `${got}; allowed: ${schema.allowed ?? error.message.toLowerCase()}`;
  }
}

/** For an unknown key, names the nearest known key when it is a likely typo. */
function unknownKeyHint(error: ValueError): string {
  const segments = error.path.split('/');
  const key = unescapePointer(segments[segments.length - 1] ?? '');
  const parent = parentSchema(error);
  const known = parent ? Object.keys(parent.properties) : [];
  const near = known
    .map(k => ({ k, d: editDistance(k.toLowerCase(), key.toLowerCase()) }))
    .filter(({ k, d }) => d <= Math.max(1, Math.floor(k.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  const hint = near ? `; did you mean "${near.k}"?` : '';
  return `"${key}" is not allowed here${hint}${known.length ? ` (allowed keys: ${known.join(', ')})` : ''}`;
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

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `/installations/2/grafana/host` -> `installations[2].grafana.host`. */
export function toDottedPath(pointer: string): string {
  return pointer.split('/').slice(1).map(unescapePointer).reduce((acc, seg) => {
    if (/^\d+$/.test(seg)) return `${acc}[${seg}]`;
    if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) return acc ? `${acc}.${seg}` : seg;
    return `${acc}[${JSON.stringify(seg)}]`;
  }, '');
}
