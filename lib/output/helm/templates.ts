/**
 * A chart's templates/: one file per object, whatever its kind; values reach only the fields they own,
 * through a token engine that keeps every other field a literal (braces escaped).
 */
import { ResolvedInstallation } from '../../config/schema';
import { imageVersion, KubeObject, PROXY_CONTAINER, selectorLabels } from '../../constructs';
import { OutputFile } from '../files';
import { objectYaml, toYamlStream } from '../manifests';
import { HELM_CHART, INSTANCE, MANAGED_BY, VERSION } from './labels';

/**
 * The values that switch objects off, as the Helm condition of each object's template. The
 * ServiceMonitor and the PrometheusRule are both prometheus-operator CRDs: `serviceMonitor.enabled`
 * false (a cluster without the operator) drops both, and the rule's alerts read the very series
 * that ServiceMonitor scrapes; `prometheusRule.enabled` drops the rule alone. `dashboards.enabled`
 * drops the dashboard ConfigMaps, for a Grafana whose dashboards are provisioned some other way.
 */
export function templateCondition(object: KubeObject): string | undefined {
  switch (object.kind) {
    case 'ServiceMonitor': return '.Values.serviceMonitor.enabled';
    case 'PrometheusRule': return 'and .Values.serviceMonitor.enabled .Values.prometheusRule.enabled';
    case 'ConfigMap': return object.metadata.labels?.['app.kubernetes.io/component'] === 'dashboard' ? '.Values.dashboards.enabled' : undefined;
    default: return undefined;
  }
}


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

export function objectTemplates(
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
  const copy = (Array.isArray(node) ? [...(node as unknown[])] : { ...(node as object) }) as Record<string, unknown>;
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
  if (indexes.length !== 1) throw new Error(`${installation.name}: expected one container running ${installation.server.image}, found `
    + `${indexes.length}`);
  const proxy = containers.findIndex(c => c.name === PROXY_CONTAINER);
  if ((proxy >= 0) !== (installation.auth.front === 'proxy')) throw new Error(`${installation.name}: auth.front is ${installation.auth.front} but `
    + `the Pod ${proxy >= 0 ? 'has' : 'lacks'} the ${PROXY_CONTAINER} container`);
  return { deployment: deployments[0], container: indexes[0], proxyContainer: proxy >= 0 ? proxy : undefined };
}

/** A ServiceMonitor's labels without the extra labels, which `serviceMonitor.labels` supplies. */
export function monitorLiteralLabels(installation: ResolvedInstallation, monitor: KubeObject): Record<string, unknown> {
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

export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
