/**
 * Construct props, checked like the config. Most props are a config setting under a flat name
 * (`replicas` is `server.replicas`): they take that setting's schema, the config's rules about it
 * and the same messages, and default or derive as the config does.
 */
import { CloneType, OptionalKind, TProperties, TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { DashboardFile, InstallationConfig, InstallationSchema, ResolvedInstallation } from '../../config/schema';
import { isPlainObjectSchema } from '../../config/internal/schema-parts';
import { ConfigProblem, problemList } from '../../config/problems';
import { isResolvedInstallation, resolveInstallation, settingsOf } from '../../config/resolve';
import { INSTALLATION_RULES, valueAt } from '../../config/internal/installation-rules';
import { schemaProblems } from '../../config/internal/schema-problems';

/** What a prop is: a config setting, by its path in an installation (`server.replicas`), or a schema of its own. */
export type PropSpec = string | TSchema;

export interface PropsSpec {
  /** The construct's class name, for the message. */
  readonly construct: string;
  /** Every prop to check; props not listed (other constructs, callbacks) are not checked. */
  readonly props: Readonly<Record<string, PropSpec>>;
  /** Props that must be given: TypeScript requires them already, JavaScript callers learn it here. @default - none */
  readonly required?: readonly string[];
  /**
   * Props whose default the construct derives from its scope (a Chart's namespace), as the
   * config derives them from the installation: each with the condition under which that default
   * is missing and the prop is required, e.g. `the Chart sets no namespace`.
   * @default - none
   */
  readonly derived?: Readonly<Record<string, string>>;
}

/** A construct's props are invalid; `problems` lists every bad prop, not only the first. */
export class PropsError extends Error {
  constructor(public readonly problems: ConfigProblem[], construct: string, where: string) {
    super(`invalid ${construct} props at ${where} ${problemList(problems)}`);
    this.name = 'PropsError';
  }
}

/**
 * A compiled PropsSpec: call it in the constructor with the props as given, the construct,
 * the defaults it derived for the `derived` props, and problems it found itself.
 */
export type PropsCheck = (props: object, scope: PropsScope, derived?: Readonly<Record<string, unknown>>, more?: readonly ConfigProblem[]) => void;

/** What a check needs of the construct (a `Construct`, described here: this layer imports none). */
export interface PropsScope {
  readonly node: { readonly path: string; readonly scopes: readonly object[] };
}

/**
 * Compiles the check of a construct's props (once per construct class: an unknown config path
 * fails at load). The check throws one PropsError naming every bad prop, its value and what is
 * allowed: the schema's problems, the config's rules about the listed settings, and `more`.
 */
export function propsCheck(spec: PropsSpec): PropsCheck {
  const required = new Set(spec.required ?? []);
  const properties: TProperties = {};
  const settings = new Map<string, string>();
  for (const [prop, what] of Object.entries(spec.props)) {
    const schema = CloneType(typeof what === 'string' ? settingSchema(what) : what);
    delete (schema as unknown as Record<symbol, unknown>)[OptionalKind];
    properties[prop] = required.has(prop) ? schema : Type.Optional(schema);
    if (typeof what === 'string') settings.set(what, prop);
  }
  const schema = Type.Object(properties);
  // Compiled once: synth builds these constructs once per installation, and most props are valid.
  const valid = TypeCompiler.Compile(schema);
  const rules = INSTALLATION_RULES.filter(rule => settings.has(rule.path));
  // Rule messages name other settings by path (`while auth.mode is ...`): say the props' names.
  // Longest first, so that `grafana.service.namespace` is renamed before `grafana.service`.
  const renames = [...settings].filter(([setting]) => setting.includes('.')).sort(([a], [b]) => b.length - a.length)
    .map(([setting, prop]) => [new RegExp(`(?<![\\w.])${setting.replace(/\./g, '\\.')}(?![\\w])`, 'g'), prop] as const);
  const inPropTerms = (message: string) => renames.reduce((m, [pattern, prop]) => m.replace(pattern, prop), message);

  return (props, scope, derived = {}, more = []) => {
    if (scope.node.scopes.some(s => checkedScopes.has(s))) return;
    const given = Object.fromEntries(Object.keys(spec.props)
      .map((k): [string, unknown] => [k, (props as Record<string, unknown>)[k]])
      .filter(([, v]) => v !== undefined));
    const problems = valid.Check(given) ? [] : schemaProblems(schema, given);
    for (const [prop, condition] of Object.entries(spec.derived ?? {})) {
      if (given[prop] === undefined && derived[prop] === undefined) {
        problems.push({ path: prop, message: `is required when ${condition}; allowed: `
          + `${(schema.properties[prop] as { allowed?: string }).allowed}` });
      }
    }
    if (problems.length === 0 && rules.length > 0) {
      // The rules read resolved settings: what was given, what was derived, then the config's defaults.
      const explicit = asInstallation(given, settings);
      const inst = resolveInstallation({}, asInstallation({ ...derived, ...given }, settings) as InstallationConfig, noDashboards);
      for (const rule of rules) {
        if ((rule.explicitOnly && valueAt(explicit, rule.path) === undefined) || !rule.applies(inst)) continue;
        problems.push({ path: settings.get(rule.path) as string, message: inPropTerms(rule.message(inst)) });
      }
    }
    problems.push(...more);
    if (problems.length > 0) throw new PropsError(problems, spec.construct, scope.node.path);
  };
}

/** The schema of one setting of an installation. */
function settingSchema(setting: string): TSchema {
  let schema: TSchema = InstallationSchema;
  for (const key of setting.split('.')) {
    const next: TSchema | undefined = isPlainObjectSchema(schema) ? schema.properties[key] : undefined;
    if (!next) throw new Error(`no config setting ${setting}`);
    schema = next;
  }
  return schema;
}

/** Prop values as the installation of a config would hold them. */
function asInstallation(values: Readonly<Record<string, unknown>>, settings: ReadonlyMap<string, string>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [setting, prop] of settings) {
    if (values[prop] === undefined) continue;
    const keys = setting.split('.');
    const parent = keys.slice(0, -1).reduce((o, k) => (o[k] ??= {}) as Record<string, unknown>, raw);
    parent[keys[keys.length - 1]] = values[prop];
  }
  return raw;
}

/** Props name no dashboard file: the config's dashboard list is never read here. */
function noDashboards(file: string): DashboardFile {
  throw new Error(`a construct's props list no dashboard files (got ${file})`);
}

const validInstallation = TypeCompiler.Compile(InstallationSchema);

/**
 * Charts being built from an installation `checkInstallation` passed: the props of their parts are
 * its settings, checked already as a whole, so the parts skip their own checks (synthesize spent
 * about a fifth more CPU with them) until `installationBuilt`.
 */
const checkedScopes = new WeakSet<object>();

/** Parts added to `scope` from now on (by a subclass, say) check their props again. */
export function installationBuilt(scope: object): void {
  checkedScopes.delete(scope);
}

/**
 * Checks an installation passed to a construct (built by hand rather than by `resolveConfig`)
 * against the config's schema and rules, and returns it resolved again by the config's resolver, so
 * that its derived values follow its settings; throws one PropsError naming every bad setting. One
 * that `resolveConfig` returned was checked there and is returned as it is. Parts built in `scope`
 * skip their own checks until `installationBuilt(scope)`.
 */
export function checkInstallation(inst: ResolvedInstallation, construct: string, scope: PropsScope): ResolvedInstallation {
  if (isResolvedInstallation(inst)) {
    checkedScopes.add(scope);
    return inst;
  }
  // The schema's form of the installation: its settings, dashboards listed by file.
  const asConfig = settingsOf(inst);
  const problems = validInstallation.Check(asConfig) ? [] : schemaProblems(InstallationSchema, asConfig);
  const resolved =
    problems.length === 0 ? resolveInstallation({}, asConfig, file => inst.dashboards.find(d => d.file === file) as DashboardFile) : inst;
  if (problems.length === 0) {
    // Every setting of a resolved installation is set: a rule about explicit settings cannot tell.
    for (const rule of INSTALLATION_RULES) {
      if (!rule.explicitOnly && rule.applies(resolved)) problems.push({ path: rule.path, message: rule.message(resolved) });
    }
  }
  if (problems.length > 0) throw new PropsError(problems, construct, scope.node.path);
  checkedScopes.add(scope);
  return resolved;
}
