/**
 * A chart's values: what users change at install time without re-synthesizing, their draft-07
 * JSON Schema (values.schema.json, built from the config schema) and values.yaml.
 */
import { TSchema, Type } from '@sinclair/typebox';
import { InstallationSchema, ResolvedInstallation } from '../../config/schema';
import { isPlainObjectSchema } from '../../config/internal/schema-parts';
import { imageVersion } from '../../constructs';
import { kubeYaml, yamlComment } from '../manifests';
import { LABEL_VALUE } from './labels';

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
  return withoutKeywords(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>, ['default', 'allowed']);
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
    cpu: quantity('cpu', `CPU ${which === 'requests' ? 'request' : 'limit'} of the ${container} container (a string: pass numbers such as 1 with `
      + `--set-string).`),
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
    replicas: leaf(configSchema('server', 'replicas'), 'Replicas of the server. Keep 1: the session cache is per pod, more replicas double-count '
      + 'durations.'),
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
          repository: leaf({ type: 'string', pattern: REPOSITORY_PATTERN }, 'Image repository of the auth proxy (an unprivileged nginx), e.g. a '
            + 'mirror.'),
          tag: leaf({ type: 'string', pattern: TAG_PATTERN }, 'Image tag; empty for none.'),
          digest,
        }, 'Image of the auth proxy: repository[:tag][@digest].'),
        resources: strictObject({ requests: resources('requests', 'auth proxy'), limits: resources('limits', 'auth proxy') }, 'Resources of the '
          + 'auth proxy container.'),
      }, 'The nginx auth proxy container in the server\'s Pod (its nginx.conf comes from the typed config).'),
    } : {}),
  }, `Values of the ${installation.name} chart.`);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${installation.name} values`,
    ...withDefaults(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>, values),
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

// values.yaml and the README's values table.

interface ValueRow { readonly key: string; readonly description: string; readonly value: unknown }

/** Leaves of the values (maps such as labels count as one), with their schema description. */
export function valueRows(schema: Record<string, unknown>, value: unknown, prefix = ''): ValueRow[] {
  if (!isRecord(schema.properties) || !isRecord(value)) {
    return [{ key: prefix, description: (schema.description as string | undefined) ?? '', value }];
  }
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  return Object.entries(properties).flatMap(([k, s]) => valueRows(s, value[k], prefix ? `${prefix}.${k}` : k));
}

/** values.yaml: each key with its schema description as a comment above it. */
export function valuesYaml(schema: Record<string, unknown>, values: HelmChartValues): string {
  const lines = (s: Record<string, unknown>, value: Record<string, unknown>, pad: string): string => Object.entries(value).map(([key, v]) => {
    const sub = (s.properties as Record<string, Record<string, unknown>>)[key];
    const comment = yamlComment(` ${String(sub.description)}`, pad);
    if (isRecord(sub.properties) && isRecord(v)) return `${comment}${pad}${key}:\n${lines(sub, v, `${pad}  `)}`;
    return comment + kubeYaml({ [key]: v }).replace(/^(?=.)/gm, pad);
  }).join('');
  return yamlComment(' Defaults come from the typed config this chart was synthesized from; values.schema.json checks every value.')
    + `\n${lines(schema, { ...values }, '')}`;
}
