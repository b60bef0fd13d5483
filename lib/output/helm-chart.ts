/**
 * One Helm chart per installation, written from the synthesized objects (not `cdk8s synth
 * --format helm`, which makes one chart per run, has no appVersion and does not escape `{{`).
 *
 * With default values, release name = installation name and `--namespace` = the installation's
 * namespace, `helm template` renders exactly the plain manifests plus the Helm labels
 * (`helm.sh/chart`, `app.kubernetes.io/managed-by: Helm`). Namespaces and selectors stay
 * literals: a selector must not change between releases.
 */
import { TSchema, Type } from '@sinclair/typebox';
import { InstallationSchema, ResolvedInstallation } from '../config/schema';
import { isPlainObjectSchema } from '../config/internal/schema-parts';
import { imageVersion, selectorLabels } from '../constructs';
import { PROXY_CONTAINER } from '../constructs';
import { joinPaths } from '../config/paths';
import { KubeObject, SynthesizedInstallation } from '../constructs';
import { OutputFile } from './files';
import { kubeYaml, objectYaml, toYamlStream, yamlComment } from './manifests';

export interface HelmChartOptions {
  /** SemVer 2 version of every chart (Chart.yaml `version`), e.g. the package version. */
  readonly chartVersion: string;
}

/** Oldest Kubernetes the objects are written for (cdk8s-plus-25). `-0` admits vendor builds like v1.29.3-eks-1. */
export const HELM_KUBE_VERSION = '>=1.25.0-0';

const MANAGED_BY = 'app.kubernetes.io/managed-by';
const INSTANCE = 'app.kubernetes.io/instance';
const VERSION = 'app.kubernetes.io/version';
const HELM_CHART = 'helm.sh/chart';
const UPSTREAM = 'https://github.com/MacroPower/macropower-analytics-panel';

// From semver.org: the version grammar helm enforces for Chart.yaml `version`.
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
// The parts of an image reference, as the config's image pattern accepts them.
const REPOSITORY_PATTERN = '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$';
const TAG_PATTERN = '^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$';
const DIGEST_PATTERN = '^(sha256:[a-f0-9]{64})?$';

/** The values a chart exposes: what users change at install time without re-synthesizing. */
export interface HelmChartValues {
  readonly image: { readonly repository: string; readonly tag: string; readonly digest: string };
  readonly replicas: number;
  readonly resources: ResolvedInstallation['server']['resources'];
  readonly serviceMonitor: { readonly enabled: boolean; readonly labels: Record<string, string> };
  readonly prometheusRule: { readonly enabled: boolean };
  readonly dashboards: { readonly enabled: boolean };
  /** The nginx auth proxy container (auth.front proxy only). */
  readonly proxy?: { readonly image: HelmChartValues['image']; readonly resources: ResolvedInstallation['proxy']['resources'] };
}

/**
 * The values that switch objects off, as the Helm condition of each object's template. The
 * ServiceMonitor and the PrometheusRule are both prometheus-operator CRDs: `serviceMonitor.enabled`
 * false (a cluster without the operator) drops both, and the rule's alerts read the very series
 * that ServiceMonitor scrapes; `prometheusRule.enabled` drops the rule alone. `dashboards.enabled`
 * drops the dashboard ConfigMaps, for a Grafana whose dashboards are provisioned some other way.
 */
function templateCondition(object: KubeObject): string | undefined {
  switch (object.kind) {
    case 'ServiceMonitor': return '.Values.serviceMonitor.enabled';
    case 'PrometheusRule': return 'and .Values.serviceMonitor.enabled .Values.prometheusRule.enabled';
    case 'ConfigMap': return object.metadata.labels?.['app.kubernetes.io/component'] === 'dashboard' ? '.Values.dashboards.enabled' : undefined;
    default: return undefined;
  }
}

/** `helm/<name>/...` for every installation. */
export function helmChartFiles(installations: readonly SynthesizedInstallation[], options: HelmChartOptions): OutputFile[] {
  return installations.flatMap(s => helmChart(s, options).map(f => ({ ...f, path: `helm/${s.installation.name}/${f.path}` })));
}

/** One installation's chart; paths relative to the chart folder. */
export function helmChart(synthesized: SynthesizedInstallation, options: HelmChartOptions): OutputFile[] {
  const { installation, objects } = synthesized;
  const chartLabel = helmChartLabel(installation.name, options.chartVersion);
  const values = chartValues(installation);
  const monitorLabelKeys = objects.filter(o => o.kind === 'ServiceMonitor').flatMap(o => Object.keys(monitorLiteralLabels(installation, o)));
  const schema = valuesSchema(installation, values, [...new Set([HELM_CHART, MANAGED_BY, INSTANCE, ...monitorLabelKeys])].sort());
  const templates = objectTemplates(installation, objects, chartLabel);
  return [
    // Every string double-quoted, as Chart.yaml has been written since the first chart writer.
    { path: 'Chart.yaml', content: kubeYaml(chartMetadata(installation, options.chartVersion), { forceQuotes: true }) },
    { path: 'values.yaml', content: valuesYaml(schema, values) },
    { path: 'values.schema.json', content: `${JSON.stringify(schema, undefined, 2)}\n` },
    { path: 'README.md', content: chartReadme(installation, schema, values) },
    ...templates,
    { path: 'templates/NOTES.txt', content: notes(installation, objects) },
  ];
}

/** `helm.sh/chart`: name and version, `+` replaced as Helm's own charts do (it is not allowed in a label). */
function helmChartLabel(name: string, version: string): string {
  if (!SEMVER.test(version)) throw new Error(`chart version "${version}" is not a SemVer 2 version such as 1.2.3`);
  const label = `${name}-${version.replace(/\+/g, '_')}`;
  if (!LABEL_VALUE.test(label)) {
    throw new Error(`helm.sh/chart label "${label}" is not a valid label value (at most 63 characters): shorten the chart version`);
  }
  return label;
}

/** Splits an image reference into the values the chart exposes; `repository[:tag][@digest]`. */
export function splitImage(image: string): HelmChartValues['image'] {
  const [name, digest = ''] = image.split('@');
  const slash = name.lastIndexOf('/');
  const colon = name.indexOf(':', slash + 1);
  return colon < 0
    ? { repository: name, tag: '', digest }
    : { repository: name.substring(0, colon), tag: name.substring(colon + 1), digest };
}

/** The chart's default values: the installation's. */
export function chartValues(installation: ResolvedInstallation): HelmChartValues {
  return {
    image: splitImage(installation.server.image),
    replicas: installation.server.replicas,
    resources: installation.server.resources,
    serviceMonitor: { enabled: true, labels: installation.serviceMonitor.labels },
    prometheusRule: { enabled: true },
    dashboards: { enabled: true },
    ...(installation.auth.front === 'proxy'
      ? { proxy: { image: splitImage(installation.proxy.image), resources: installation.proxy.resources } }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// values.schema.json: draft-07 (helm 3.17 ignores 2020-12 keywords), built from the config schema.

// The config schema is constant: each setting's plain JSON Schema is built once per process.
const configSchemas = new Map<string, Readonly<Record<string, unknown>>>();

/** The config schema of one setting, as plain JSON Schema without the library's defaults (shared: do not modify). */
function configSchema(...path: string[]): Readonly<Record<string, unknown>> {
  const key = path.join('.');
  let schema = configSchemas.get(key);
  if (!schema) {
    schema = plainConfigSchema(path);
    configSchemas.set(key, schema);
  }
  return schema;
}

function plainConfigSchema(path: readonly string[]): Record<string, unknown> {
  let schema: TSchema = InstallationSchema;
  for (const key of path) {
    if (!isPlainObjectSchema(schema)) throw new Error(`config schema has no object at ${path.join('.')}`);
    schema = schema.properties[key];
  }
  return withoutKeywords(JSON.parse(JSON.stringify(schema)), ['default', 'allowed']);
}

function withoutKeywords(schema: Record<string, unknown>, keywords: string[], isNameMap = false): Record<string, unknown> {
  // Under `properties` the keys are setting names, not keywords: keep them all.
  return Object.fromEntries(Object.entries(schema)
    .filter(([key]) => isNameMap || !keywords.includes(key))
    .map(([key, value]) => [key, isRecord(value)
      ? withoutKeywords(value, keywords, !isNameMap && (key === 'properties' || key === 'patternProperties'))
      : value]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object whose every key is required and no other key allowed: typos fail instead of being ignored. */
function strictObject(properties: Record<string, TSchema>, description: string): TSchema {
  return Type.Object(properties, { additionalProperties: false, description });
}

function leaf(schema: Record<string, unknown>, description: string): TSchema {
  return Type.Unsafe({ ...schema, description });
}

/** The values' JSON Schema, with this installation's values as defaults. */
export function valuesSchema(
  installation: ResolvedInstallation, values: HelmChartValues, literalMonitorLabels: readonly string[],
): Record<string, unknown> {
  const tagIsVersion = imageVersion(installation.server.image) !== undefined;
  const quantity = (kind: 'cpu' | 'memory', what: string) => leaf(configSchema('server', 'resources', 'requests', kind), what);
  const resources = (which: 'requests' | 'limits', container = 'server') => strictObject({
    cpu: quantity('cpu', `CPU ${which === 'requests' ? 'request' : 'limit'} of the ${container} container (a string: pass numbers such as 1 with --set-string).`),
    memory: quantity('memory', `Memory ${which === 'requests' ? 'request' : 'limit'} of the ${container} container.`),
  }, `Container resource ${which}.`);
  const digest = leaf({ type: 'string', pattern: DIGEST_PATTERN }, 'Image digest (sha256:...) pinned after the tag; empty for none.');
  const schema = strictObject({
    image: strictObject({
      repository: leaf({ type: 'string', pattern: REPOSITORY_PATTERN }, 'Image repository of the analytics server, e.g. a mirror.'),
      tag: leaf(
        // The tag is also the app.kubernetes.io/version label, so it must then be a label value.
        tagIsVersion ? { type: 'string', pattern: LABEL_VALUE.source, minLength: 1 } : { type: 'string', pattern: TAG_PATTERN },
        tagIsVersion ? 'Image tag; also the app.kubernetes.io/version label.' : 'Image tag; empty for none.',
      ),
      digest,
    }, 'Image of the analytics server: repository[:tag][@digest].'),
    replicas: leaf(configSchema('server', 'replicas'), 'Replicas of the server. Keep 1: the session cache is per pod, more replicas double-count durations.'),
    resources: strictObject({ requests: resources('requests'), limits: resources('limits') }, 'Resources of the server container.'),
    serviceMonitor: strictObject({
      enabled: leaf({ type: 'boolean' }, 'Create the ServiceMonitor (needs the Prometheus operator\'s CRDs).'),
      labels: leaf({
        ...configSchema('serviceMonitor', 'labels'),
        // Keys the ServiceMonitor carries literally: an extra label must not duplicate one.
        propertyNames: { not: { enum: literalMonitorLabels } },
      }, 'Extra labels of the ServiceMonitor, for Prometheus\' serviceMonitorSelector (kube-prometheus-stack: release).'),
    }, 'The ServiceMonitor that makes Prometheus scrape the server.'),
    prometheusRule: strictObject({
      enabled: leaf({ type: 'boolean' }, 'Create the PrometheusRule (a Prometheus operator CRD too: only with serviceMonitor.enabled).'),
    }, 'The alerts and the recording rule.'),
    dashboards: strictObject({
      enabled: leaf({ type: 'boolean' }, 'Create the dashboard ConfigMaps (the dashboards with the hidden panel and the usage dashboard).'),
    }, 'The ConfigMaps the Grafana dashboard sidecar loads.'),
    ...(values.proxy ? {
      proxy: strictObject({
        image: strictObject({
          repository: leaf({ type: 'string', pattern: REPOSITORY_PATTERN }, 'Image repository of the auth proxy (an unprivileged nginx), e.g. a mirror.'),
          tag: leaf({ type: 'string', pattern: TAG_PATTERN }, 'Image tag; empty for none.'),
          digest,
        }, 'Image of the auth proxy: repository[:tag][@digest].'),
        resources: strictObject({ requests: resources('requests', 'auth proxy'), limits: resources('limits', 'auth proxy') }, 'Resources of the auth proxy container.'),
      }, 'The nginx auth proxy container in the server\'s Pod (its nginx.conf comes from the typed config).'),
    } : {}),
  }, `Values of the ${installation.name} chart.`);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${installation.name} values`,
    ...withDefaults(JSON.parse(JSON.stringify(schema)), values),
  };
}

/** Puts each value's default beside its schema, for editors that read values.schema.json. */
function withDefaults(schema: Record<string, unknown>, value: unknown): Record<string, unknown> {
  if (!isRecord(schema.properties) || !isRecord(value)) return { ...schema, default: value };
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  return {
    ...schema,
    properties: Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, withDefaults(s, value[k])])),
  };
}

// ---------------------------------------------------------------------------------------------
// values.yaml and the README's values table.

interface ValueRow { readonly key: string; readonly description: string; readonly value: unknown }

/** Leaves of the values (maps such as labels count as one), with their schema description. */
function valueRows(schema: Record<string, unknown>, value: unknown, prefix = ''): ValueRow[] {
  if (!isRecord(schema.properties) || !isRecord(value)) {
    return [{ key: prefix, description: String(schema.description ?? ''), value }];
  }
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  return Object.entries(properties).flatMap(([k, s]) => valueRows(s, value[k], prefix ? `${prefix}.${k}` : k));
}

/** values.yaml: each key with its schema description as a comment above it. */
function valuesYaml(schema: Record<string, unknown>, values: HelmChartValues): string {
  const lines = (s: Record<string, unknown>, value: Record<string, unknown>, pad: string): string => Object.entries(value).map(([key, v]) => {
    const sub = (s.properties as Record<string, Record<string, unknown>>)[key];
    const comment = yamlComment(` ${String(sub.description)}`, pad);
    if (isRecord(sub.properties) && isRecord(v)) return `${comment}${pad}${key}:\n${lines(sub, v, `${pad}  `)}`;
    return comment + kubeYaml({ [key]: v }).replace(/^(?=.)/gm, pad);
  }).join('');
  return yamlComment(' Defaults come from the typed config this chart was synthesized from; values.schema.json checks every value.')
    + `\n${lines(schema, { ...values }, '')}`;
}

// ---------------------------------------------------------------------------------------------
// templates/: one file per object, whatever its kind; values reach only the fields they own.

type Replacement =
  | { readonly kind: 'value'; readonly text: string }
  | { readonly kind: 'block'; readonly lines: (column: number) => string[] };

/**
 * Template text in two steps: copies of the objects carry placeholder tokens where Helm actions
 * go; after YAML serialization every literal `{{` is escaped, then each token becomes its
 * action. Tokens start with letters that `text` (the objects' plain YAML and every other string
 * the copies get) does not contain: a copy's YAML differs from its object's only where tokens and
 * those strings go, so no other text is taken for a token, and no text is reserved.
 */
class TemplateTokens {
  private readonly prefix: string;
  private readonly replacements: Replacement[] = [];

  constructor(text: string) {
    let prefix = 'helmaction';
    while (text.includes(prefix)) prefix += 'z';
    this.prefix = prefix;
  }

  /** A token for a whole scalar value, replaced by `text` (YAML that may hold actions). */
  value(text: string): string {
    return this.add({ kind: 'value', text });
  }

  /**
   * A token for a block: as a map value its lines follow the key, indented one level deeper; as a
   * map key (`token: ""`) its lines replace the entry at the entry's indentation.
   */
  block(lines: (column: number) => string[]): string {
    return this.add({ kind: 'block', lines });
  }

  /** The text with each line holding a token rendered (found by indexOf: most lines hold none). */
  render(yaml: string): string {
    const text = escapeBraces(yaml);
    let out = '';
    let from = 0;
    for (let at = text.indexOf(this.prefix); at >= 0; at = text.indexOf(this.prefix, from)) {
      const start = text.lastIndexOf('\n', at) + 1;
      const lineEnd = text.indexOf('\n', at);
      const end = lineEnd < 0 ? text.length : lineEnd;
      out += text.slice(from, start) + this.renderLine(text.slice(start, end));
      from = end;
    }
    return out + text.slice(from);
  }

  private renderLine(line: string): string {
    const at = line.indexOf(this.prefix);
    const index = /^\d*/.exec(line.slice(at + this.prefix.length))![0];
    const token = `${this.prefix}${index}`;
    const replacement = index ? this.replacements[Number(index)] : undefined;
    const column = line.search(/\S/);
    if (replacement?.kind === 'block' && line === `${' '.repeat(column)}${token}: ""`) return replacement.lines(column).join('\n');
    if (!replacement || line.includes(this.prefix, at + 1) || !line.endsWith(`: ${token}`)) {
      throw new Error(`a template token must be a whole value: ${line}`);
    }
    if (replacement.kind === 'value') return `${line.slice(0, -token.length)}${replacement.text}`;
    const keyColumn = column + (line.trimStart().startsWith('- ') ? 2 : 0);
    return [line.slice(0, -token.length - 1), ...replacement.lines(keyColumn + 2)].join('\n');
  }

  private add(replacement: Replacement): string {
    this.replacements.push(replacement);
    return `${this.prefix}${this.replacements.length - 1}`;
  }
}

/**
 * Text that helm renders back to itself: each `{{` becomes an action printing it. Only `{{` starts
 * an action (`}}` outside one is text), and matching left to right leaves no `{` before an inserted
 * action. Escaping `}}` too broke `{}}` (compact JSON ending in `{}`): `{{{ "}}" }}` opens at the `{`.
 */
export function escapeBraces(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

/** `repository[:tag][@digest]` from the image values at `values` (`.Values.image`, `.Values.proxy.image`). */
const imageAction = (values: string) => `"{{ ${values}.repository }}{{ with ${values}.tag }}:{{ . }}{{ end }}`
  + `{{ with ${values}.digest }}@{{ . }}{{ end }}"`;

interface MutableObject {
  metadata: { name: string; labels?: Record<string, unknown>; [key: string]: unknown };
  spec?: { template?: { metadata?: { labels?: Record<string, unknown> } }; [key: string]: unknown };
  [key: string]: unknown;
}

function objectTemplates(
  installation: ResolvedInstallation, objects: readonly KubeObject[], chartLabel: string,
): OutputFile[] {
  const tokens = new TemplateTokens(`${toYamlStream(objects)}${chartLabel}`);
  const version = imageVersion(installation.server.image);
  const instance = tokens.value('{{ .Release.Name | quote }}');
  const tag = tokens.value('{{ .Values.image.tag | quote }}');
  const monitorLabels = tokens.block(column => {
    const pad = ' '.repeat(column);
    return [`${pad}{{- with .Values.serviceMonitor.labels }}`, `${pad}{{- toYaml . | nindent ${column} }}`, `${pad}{{- end }}`];
  });
  /** Helm's labels on an object's own labels (`own`), or on a pod template's labels it already has. */
  const relabel = (labels: Record<string, unknown>, own: boolean) => {
    const out = { ...labels };
    if (own || out[MANAGED_BY] !== undefined) out[MANAGED_BY] = 'Helm';
    if (own || out[INSTANCE] === installation.name) out[INSTANCE] = instance;
    if (own) out[HELM_CHART] = chartLabel;
    if (version !== undefined && out[VERSION] === version) out[VERSION] = tag;
    return sortKeys(out);
  };

  const server = serverDeployment(installation, objects);
  const names = new Set<string>();
  return objects.map(object => {
    const monitor = object.kind === 'ServiceMonitor';
    const labels = relabel(monitor ? monitorLiteralLabels(installation, object) : object.metadata.labels ?? {}, true);
    // The template is the object with these values replaced, serialized.
    const replacements = new Map<string, unknown>([['metadata.labels', monitor ? { ...labels, [monitorLabels]: '' } : labels]]);
    const podLabels = (object as unknown as MutableObject).spec?.template?.metadata?.labels;
    if (podLabels) replacements.set('spec.template.metadata.labels', relabel(podLabels, false));
    if (object === server.deployment) {
      const container = `spec.template.spec.containers.${server.container}`;
      replacements.set('spec.replicas', tokens.value('{{ .Values.replicas }}'));
      const containerValues = (at: string, values: string) => {
        replacements.set(`${at}.image`, tokens.value(imageAction(`${values}.image`)));
        replacements.set(`${at}.resources`, tokens.block(column => [`${' '.repeat(column)}{{- toYaml ${values}.resources | nindent ${column} }}`]));
      };
      containerValues(container, '.Values');
      if (server.proxyContainer !== undefined) containerValues(`spec.template.spec.containers.${server.proxyContainer}`, '.Values.proxy');
    }
    const template = [...replacements].reduce<unknown>((o, [at, value]) => withValue(o, at.split('.'), value), object);
    const body = tokens.render(objectYaml(template as KubeObject));
    const name = templateFileName(installation, object);
    if (names.has(name)) throw new Error(`two objects map to the template ${name}`);
    names.add(name);
    // A value, not .Capabilities, switches the operator's CRDs off, so offline rendering is the same everywhere.
    const condition = templateCondition(object);
    return { path: `templates/${name}`, content: condition ? `{{- if ${condition} }}\n${body}{{- end }}\n` : body };
  });
}

/** `node` with the value at `path` replaced: only the maps and lists on the way are copied. */
function withValue(node: unknown, [key, ...rest]: readonly string[], value: unknown): unknown {
  const copy = (Array.isArray(node) ? [...node] : { ...(node as object) }) as Record<string, unknown>;
  copy[key] = rest.length > 0 ? withValue(copy[key], rest, value) : value;
  return copy;
}

/** The analytics server's Deployment (the one selecting the installation's server pods) and its container. */
function serverDeployment(installation: ResolvedInstallation, objects: readonly KubeObject[]) {
  const selector = JSON.stringify(sortKeys(selectorLabels(installation.name)));
  const deployments = objects.filter(o => o.kind === 'Deployment'
    && JSON.stringify(sortKeys((o.spec as { selector?: { matchLabels?: Record<string, unknown> } }).selector?.matchLabels ?? {})) === selector);
  if (deployments.length !== 1) throw new Error(`${installation.name}: expected one analytics server Deployment, found ${deployments.length}`);
  const containers = (deployments[0].spec as { template: { spec: { containers: { name?: string; image?: string }[] } } }).template.spec.containers;
  const indexes = containers.flatMap((c, i) => (c.image === installation.server.image && c.name !== PROXY_CONTAINER ? [i] : []));
  if (indexes.length !== 1) throw new Error(`${installation.name}: expected one container running ${installation.server.image}, found ${indexes.length}`);
  const proxy = containers.findIndex(c => c.name === PROXY_CONTAINER);
  if ((proxy >= 0) !== (installation.auth.front === 'proxy')) throw new Error(`${installation.name}: auth.front is ${installation.auth.front} but the Pod ${proxy >= 0 ? 'has' : 'lacks'} the ${PROXY_CONTAINER} container`);
  return { deployment: deployments[0], container: indexes[0], proxyContainer: proxy >= 0 ? proxy : undefined };
}

/** A ServiceMonitor's labels without the extra labels, which `serviceMonitor.labels` supplies. */
function monitorLiteralLabels(installation: ResolvedInstallation, monitor: KubeObject): Record<string, unknown> {
  const labels: Record<string, unknown> = { ...(monitor.metadata.labels as Record<string, unknown> | undefined) };
  for (const [key, value] of Object.entries(installation.serviceMonitor.labels)) {
    if (labels[key] !== value) {
      throw new Error(`ServiceMonitor ${monitor.metadata.name} lacks the configured label ${key}=${value}; Prometheus would not select it`);
    }
    delete labels[key];
  }
  return labels;
}

/** `<kind>-<name>.yaml`, with the namespace when the object lives outside the installation's. */
function templateFileName(installation: ResolvedInstallation, object: KubeObject): string {
  const namespace = object.metadata.namespace;
  const parts = [object.kind.toLowerCase(), ...(namespace && namespace !== installation.namespace ? [namespace] : []), object.metadata.name];
  return `${parts.join('-')}.yaml`;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// ---------------------------------------------------------------------------------------------
// Chart.yaml, NOTES.txt, README.md.

/** Chart.yaml of an installation's chart. */
export function chartMetadata(installation: ResolvedInstallation, version: string): Record<string, unknown> {
  const { tag } = splitImage(installation.server.image);
  return {
    apiVersion: 'v2',
    name: installation.name,
    description: `Grafana analytics panel server for ${installation.grafana.host}: beacons from signed-in browsers, metrics without user identity`,
    type: 'application',
    version,
    // The server's version; a tag-less image has none to state.
    ...(tag ? { appVersion: tag } : {}),
    kubeVersion: HELM_KUBE_VERSION,
    home: UPSTREAM,
    sources: [UPSTREAM],
    keywords: ['grafana', 'analytics', 'prometheus', 'servicemonitor', installation.auth.front],
  };
}

/** Where beacons go: the write path on Grafana's host, below its sub-path. */
function writePath(installation: ResolvedInstallation): string {
  return joinPaths(installation.grafana.subPath, installation.ingress.writePath);
}

/** The hidden panel every measured dashboard carries (see DESIGN.md: never inside a row). */
function hiddenPanel(installation: ResolvedInstallation): object {
  return {
    type: 'macropower-analytics-panel',
    title: '  ',
    gridPos: { h: 1, w: 24, x: 0, y: 0 },
    transparent: true,
    datasource: null,
    options: {
      analyticsOptions: {
        server: writePath(installation),
        dashboard: '$__dashboard',
        showDetails: false,
        postStart: true,
        postEnd: true,
        postHeartbeat: false,
        flatten: false,
      },
    },
  };
}

function notes(installation: ResolvedInstallation, objects: readonly KubeObject[]): string {
  const scheme = installation.ingress.tlsSecretName ? 'https' : 'http';
  const lines = objects.map(o => {
    const line = `  ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
    const condition = templateCondition(o);
    return condition ? `{{- if ${condition} }}\n${escapeBraces(line)}\n{{- end }}` : escapeBraces(line);
  });
  return [
    `Release {{ .Release.Name }}: the Grafana analytics panel server for ${escapeBraces(installation.grafana.host)}.`,
    '',
    'Installed:',
    ...lines,
    '',
    `Beacon write URL (accepted only from browsers signed in to Grafana): ${escapeBraces(`${scheme}://${installation.grafana.host}${writePath(installation)}`)}`,
    '',
    `Put this hidden panel at the top of each dashboard to measure (not inside a row); its server value is ${escapeBraces(writePath(installation))}:`,
    '',
    escapeBraces(JSON.stringify(hiddenPanel(installation), undefined, 2)),
    '',
  ].join('\n');
}

function chartReadme(installation: ResolvedInstallation, schema: Record<string, unknown>, values: HelmChartValues): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = valueRows(schema, values).map(r => `| \`${r.key}\` | \`${cell(JSON.stringify(r.value))}\` | ${cell(r.description)} |`);
  return [
    `# ${installation.name}`,
    '',
    `The Grafana analytics panel server for \`${installation.grafana.host}\`, generated by cdk8s-grafana-analytics`,
    'from its typed config. Re-synthesize rather than edit these files.',
    '',
    '```sh',
    `helm upgrade --install ${installation.name} dist/helm/${installation.name} --namespace ${installation.namespace}`,
    '```',
    '',
    `Objects keep their namespaces and selectors from the config (\`${installation.namespace}\`), whatever the release`,
    'is called: the Deployment selector never changes between releases. With the release named',
    `\`${installation.name}\` and the default values the chart renders exactly \`${installation.name}.k8s.yaml\`, plus Helm's labels.`,
    '',
    '## Values',
    '',
    'Checked by `values.schema.json`. Pass strings that look like numbers (a tag `1.0`, a CPU `1`) with `--set-string`.',
    '',
    '| Key | Default | Description |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
