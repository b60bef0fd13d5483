/**
 * The building blocks of the config schema: value schemas with their `allowed` phrase (names,
 * paths, labels, quantities, images), and the helpers that derive the optional forms.
 */
import { TObject, TOptional, TProperties, TSchema, Type } from '@sinclair/typebox';
import { DEFAULTS } from '../defaults';

// `allowed` is our own schema keyword (TypeBox passes unknown options through): the phrase error messages use to say what is allowed.

export const DNS_LABEL = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
export const PATH_SEGMENT = '/[A-Za-z0-9_-]+';

export const namespace = (description: string, dflt?: string) => Type.String({
  pattern: `^${DNS_LABEL}$`,
  maxLength: 63,
  ...(dflt ? { default: dflt } : {}),
  description,
  allowed: 'a Kubernetes namespace name (DNS-1123 label: lower-case letters, digits and \'-\', at most 63 characters)',
});

export const objectName = (description: string, dflt?: string) => Type.String({
  pattern: `^${DNS_LABEL}(\\.${DNS_LABEL})*$`,
  maxLength: 253,
  ...(dflt ? { default: dflt } : {}),
  description,
  allowed: 'a Kubernetes object name (DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\')',
});

export const host = Type.String({
  pattern: `^${DNS_LABEL}(\\.${DNS_LABEL})*$`,
  maxLength: 253,
  description: 'Public host name Grafana is served on (no scheme, port or path).',
  allowed: 'a lower-case DNS host name without scheme, port or path, e.g. grafana.example.com',
});

export const subPath = Type.String({
  pattern: `^(/|(${PATH_SEGMENT})+)$`,
  default: DEFAULTS.grafana.subPath,
  description: 'Path Grafana is served under: `/` for the root, otherwise `/a/b` (Grafana\'s `root_url` path).',
  allowed: '\'/\' or a path like /grafana: a leading \'/\', no trailing \'/\', segments of letters, digits, \'_\' and \'-\'',
});

export const urlPath = (description: string, dflt: string) => Type.String({
  pattern: `^(${PATH_SEGMENT})+$`,
  default: dflt,
  description,
  allowed: 'a path like /analytics-plugin/write: a leading \'/\', no trailing \'/\', segments of letters, digits, \'_\' and \'-\'',
});

export const port = Type.Integer({
  minimum: 1,
  maximum: 65535,
  default: DEFAULTS.grafana.service.port,
  description: 'Port of Grafana\'s Service.',
  allowed: 'an integer from 1 to 65535',
});

export const LABEL_KEY = `^(${DNS_LABEL}(\\.${DNS_LABEL})*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`;
export const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$';

export const labels = (description: string, dflt?: Record<string, string>, options: { minProperties?: number; allowed?: string } = {}) => Type.Record(
  Type.String({ pattern: LABEL_KEY }),
  Type.String({
    pattern: LABEL_VALUE,
    allowed: 'a Kubernetes label value: at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
  }),
  {
    additionalProperties: false,
    ...(dflt ? { default: dflt } : {}),
    description,
    allowed: 'a mapping of Kubernetes label keys ([prefix/]name, name at most 63 characters) to label values',
    ...options,
  },
);

export const SEMVER = '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$';

export const semver = (description: string, dflt: string) => Type.String({
  pattern: SEMVER,
  default: dflt,
  description,
  allowed: 'a semantic version such as 12.1.0 (major.minor.patch, no leading v)',
});

/** The GrafanaDashboard CRD's pattern of `spec.resyncPeriod` (a Go duration without sign; `µ` is U+00B5). */
export const OPERATOR_RESYNC_PERIOD = '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$';

export const PROMETHEUS_DURATION = '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$';

/**
 * Whitespace as PromQL's lexer takes it (promql/parser/lex.go isSpace): space, tab, CR, LF. Not
 * `\s`, which also matches a form feed or a vertical tab that promtool refuses.
 */
export const PROMQL_SPACE = '[ \\t\\n\\r]';

/** One PromQL label matcher such as `job="grafana"`; RE2-compatible for Helm's schema check. */
export const LABEL_MATCHER = `[a-zA-Z_][a-zA-Z0-9_]*${PROMQL_SPACE}*(=|!=|=~|!~)${PROMQL_SPACE}*"([^"\\\\]|\\\\.)*"`;

export const cpu = Type.String({
  pattern: '^([1-9][0-9]*m|[0-9]+(\\.[0-9]{1,3})?)$',
  allowed: 'a CPU quantity such as 100m or 0.5',
});
export const memory = Type.String({
  pattern: '^[1-9][0-9]*(Ki|Mi|Gi)$',
  allowed: 'a memory quantity in Ki, Mi or Gi, such as 64Mi',
});

export const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
export const IPV4_CIDR = `${IPV4_OCTET}(\\.${IPV4_OCTET}){3}(/(3[0-2]|[12]?[0-9]))?`;
// Hex groups and colons only (what goes into nginx.conf must be inert); nginx checks the address itself.
export const IPV6_CIDR = '[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{0,4}){2,8}(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?';

/**
 * ingress-nginx writes `limit-rpm` into nginx's `limit_req` with a burst of 5 times it, and nginx
 * keeps that burst times 1000 in a 64-bit integer: (2^63-1) / 5000, beyond which it overflows.
 */
export const MAX_RATE_LIMIT_PER_MINUTE = 1844674407370955;

export const IMAGE_REFERENCE = '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*'
  + '(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$';

/** The static type of `deepPartial(props)`: every key optional, nested objects too, maps whole. */
export type DeepPartial<T extends TProperties> = {
  [K in keyof T]: TOptional<T[K] extends TObject<infer P> ? TObject<DeepPartial<P>> : T[K]>;
};

/** Makes every property optional, recursively through nested objects (but not into maps). */
export function deepPartial<T extends TProperties>(props: T): DeepPartial<T> {
  const out: TProperties = {};
  for (const [key, schema] of Object.entries(props)) {
    out[key] = Type.Optional(isPlainObjectSchema(schema)
      ? Type.Object(deepPartial(schema.properties), { ...schemaOptions(schema) })
      : schema);
  }
  return out as DeepPartial<T>;
}

/** True for `Type.Object` schemas (not records/maps, which have patternProperties). */
export function isPlainObjectSchema(schema: TSchema): schema is TObject {
  return schema.type === 'object' && schema.properties !== undefined;
}

export function schemaOptions(schema: TObject): Record<string, unknown> {
  const { properties: _p, required: _r, type: _t, ...rest } = schema;
  return rest;
}

