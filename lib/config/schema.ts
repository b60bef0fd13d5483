/**
 * The typed configuration: one TypeBox definition gives the TypeScript types, the JSON Schema
 * shipped for editors, and the runtime validation, so the three cannot drift.
 *
 * Pure data: nothing here imports a construct.
 */
import { Static, TObject, TOptional, TProperties, TSchema, Type } from '@sinclair/typebox';
import { DEFAULTS, GITOPS_DEFAULTS } from './defaults';

/** `allowed` is our own keyword: the phrase error messages use to say what is allowed. */
interface Allowed { readonly allowed: string }

const DNS_LABEL = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
const PATH_SEGMENT = '/[A-Za-z0-9_-]+';

/** Longest suffix added to an installation name (`<name>-analytics-grafana-auth`) must fit 63. */
export const MAX_INSTALLATION_NAME_LENGTH = 40;

const installationName = Type.String({
  pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$',
  maxLength: MAX_INSTALLATION_NAME_LENGTH,
  description: 'Unique name of the installation; every object name is derived from it.',
  allowed: `a DNS-1035 label (lower-case letters, digits and '-', starting with a letter) of at most ${MAX_INSTALLATION_NAME_LENGTH} characters`,
} as Allowed);

const namespace = (description: string, dflt?: string) => Type.String({
  pattern: `^${DNS_LABEL}$`,
  maxLength: 63,
  ...(dflt ? { default: dflt } : {}),
  description,
  allowed: 'a Kubernetes namespace name (DNS-1123 label: lower-case letters, digits and \'-\', at most 63 characters)',
} as Allowed);

const objectName = (description: string, dflt?: string) => Type.String({
  pattern: `^${DNS_LABEL}(\\.${DNS_LABEL})*$`,
  maxLength: 253,
  ...(dflt ? { default: dflt } : {}),
  description,
  allowed: 'a Kubernetes object name (DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\')',
} as Allowed);

/** A Kubernetes object name, for construct props that name an object the config derives. */
export const ObjectNameSchema = objectName('Name of a Kubernetes object.');

const host = Type.String({
  pattern: `^${DNS_LABEL}(\\.${DNS_LABEL})*$`,
  maxLength: 253,
  description: 'Public host name Grafana is served on (no scheme, port or path).',
  allowed: 'a lower-case DNS host name without scheme, port or path, e.g. grafana.example.com',
} as Allowed);

const subPath = Type.String({
  pattern: `^(/|(${PATH_SEGMENT})+)$`,
  default: DEFAULTS.grafana.subPath,
  description: 'Path Grafana is served under: `/` for the root, otherwise `/a/b` (Grafana\'s `root_url` path).',
  allowed: '\'/\' or a path like /grafana: a leading \'/\', no trailing \'/\', segments of letters, digits, \'_\' and \'-\'',
} as Allowed);

const urlPath = (description: string, dflt: string) => Type.String({
  pattern: `^(${PATH_SEGMENT})+$`,
  default: dflt,
  description,
  allowed: 'a path like /analytics-plugin/write: a leading \'/\', no trailing \'/\', segments of letters, digits, \'_\' and \'-\'',
} as Allowed);

const port = Type.Integer({
  minimum: 1,
  maximum: 65535,
  default: DEFAULTS.grafana.service.port,
  description: 'Port of Grafana\'s Service.',
  allowed: 'an integer from 1 to 65535',
} as Allowed);

const LABEL_KEY = `^(${DNS_LABEL}(\\.${DNS_LABEL})*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`;
const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$';

const labels = (description: string, dflt?: Record<string, string>) => Type.Record(
  Type.String({ pattern: LABEL_KEY }),
  Type.String({
    pattern: LABEL_VALUE,
    allowed: 'a Kubernetes label value: at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
  } as Allowed),
  {
    additionalProperties: false,
    ...(dflt ? { default: dflt } : {}),
    description,
    allowed: 'a mapping of Kubernetes label keys ([prefix/]name, name at most 63 characters) to label values',
  } as Allowed,
);

const SEMVER = '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$';

const semver = (description: string, dflt: string) => Type.String({
  pattern: SEMVER,
  default: dflt,
  description,
  allowed: 'a semantic version such as 12.1.0 (major.minor.patch, no leading v)',
} as Allowed);

const PROMETHEUS_DURATION = '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$';

/** One PromQL label matcher such as `job="grafana"`; RE2-compatible for Helm's schema check. */
const LABEL_MATCHER = '[a-zA-Z_][a-zA-Z0-9_]*\\s*(=|!=|=~|!~)\\s*"([^"\\\\]|\\\\.)*"';

const cpu = Type.String({
  pattern: '^([1-9][0-9]*m|[0-9]+(\\.[0-9]{1,3})?)$',
  allowed: 'a CPU quantity such as 100m or 0.5',
} as Allowed);
const memory = Type.String({
  pattern: '^[1-9][0-9]*(Ki|Mi|Gi)$',
  allowed: 'a memory quantity in Ki, Mi or Gi, such as 64Mi',
} as Allowed);

const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4_CIDR = `${IPV4_OCTET}(\\.${IPV4_OCTET}){3}(/(3[0-2]|[12]?[0-9]))?`;
// Hex groups and colons only (what goes into nginx.conf must be inert); consumer-rules.ts checks the address.
const IPV6_CIDR = '[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{0,4}){2,8}(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?';

/**
 * ingress-nginx writes `limit-rpm` into nginx's `limit_req` with a burst of 5 times it, and nginx
 * keeps that burst times 1000 in a 64-bit integer: (2^63-1) / 5000, beyond which it overflows.
 */
export const MAX_RATE_LIMIT_PER_MINUTE = 1844674407370955;

const IMAGE_REFERENCE = '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*'
  + '(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$';

/** Shape of the options that `defaults` and each installation share. */
function installationProperties() {
  return {
    namespace: namespace('Namespace of the analytics server and its objects.'),
    cluster: Type.String({
      pattern: `^${DNS_LABEL}$`,
      maxLength: 63,
      description: 'The cluster the installation runs in; required with `gitops`, where it names the Flux folder and the Argo CD destination.',
      allowed: 'a DNS-1123 label (lower-case letters, digits and \'-\', at most 63 characters)',
    } as Allowed),
    grafana: Type.Object({
      host,
      subPath,
      serveFromSubPath: Type.Boolean({
        description: 'Grafana\'s `serve_from_sub_path`: when true its API lives under the sub-path. Defaults to true when a sub-path is set.',
      }),
      service: Type.Object({
        name: Type.String({
          // A Service name is a DNS-1035 label: it becomes one label of <name>.<namespace>.svc.<domain>.
          pattern: '^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$',
          maxLength: 63,
          description: 'Name of Grafana\'s Service.',
          allowed: 'a Service name (DNS-1035 label: lower-case letters, digits and \'-\', starting with a letter, at most 63 characters)',
        } as Allowed),
        namespace: namespace('Namespace of Grafana\'s Service; defaults to the installation\'s namespace.'),
        port,
        targetPort: Type.Integer({
          minimum: 1,
          maximum: 65535,
          default: DEFAULTS.grafana.service.targetPort,
          description: 'Container port of Grafana\'s pods behind the Service (auth.front proxy: the NetworkPolicy\'s egress allows it; policies apply after Service translation).',
          allowed: 'an integer from 1 to 65535',
        } as Allowed),
        podLabels: labels('Labels of Grafana\'s pods (auth.front proxy: the NetworkPolicy\'s egress selects them).', DEFAULTS.grafana.service.podLabels),
      }, { additionalProperties: false, description: 'Grafana\'s in-cluster Service, used as the authenticator.' }),
      version: semver('Version of the Grafana server: from 12.1 plugins are installed with GF_PLUGINS_PREINSTALL_SYNC, before with GF_INSTALL_PLUGINS.', DEFAULTS.grafana.version),
      chart: Type.Union([Type.Literal('grafana-community'), Type.Literal('grafana')], {
        default: DEFAULTS.grafana.chart,
        description: 'Helm chart Grafana is installed with: grafana-community (grafana-community/helm-charts v11 and later; `plugins:` entries `id@version`) or grafana (the older grafana/helm-charts; entries `id version`).',
      }),
    }, { additionalProperties: false }),
    panel: Type.Object({
      pluginVersion: semver('Version of the macropower-analytics-panel plugin installed into Grafana (2.1.0 is the first with relative server paths).', DEFAULTS.panel.pluginVersion),
      heartbeat: Type.Boolean({
        default: DEFAULTS.panel.heartbeat,
        description: 'The hidden panel sends a heartbeat beacon every heartbeatIntervalSeconds while the dashboard is in focus.',
      }),
      heartbeatIntervalSeconds: Type.Integer({
        minimum: 5,
        maximum: 3600,
        default: DEFAULTS.panel.heartbeatIntervalSeconds,
        description: 'Seconds between heartbeat beacons.',
        allowed: 'an integer from 5 to 3600',
      } as Allowed),
      endBeacon: Type.Boolean({
        default: DEFAULTS.panel.endBeacon,
        description: 'The hidden panel sends an end beacon when the dashboard is left (not when the tab is closed); session durations need it or heartbeats.',
      }),
    }, { additionalProperties: false, description: 'The hidden analytics panel added to every provisioned dashboard.' }),
    dashboards: Type.Array(Type.String({
      pattern: '\\.json$',
      description: 'Path of a dashboard JSON file.',
      allowed: 'a path to a .json file, relative to the config file\'s folder or absolute',
    } as Allowed), {
      default: DEFAULTS.dashboards,
      description: 'Dashboard JSON files provisioned to this Grafana, each with the hidden analytics panel added. An installation\'s list replaces the defaults\' list.',
    }),
    dashboardSidecar: Type.Object({
      labelKey: Type.String({
        pattern: LABEL_KEY,
        default: DEFAULTS.dashboardSidecar.labelKey,
        description: 'Label key the Grafana dashboard sidecar selects ConfigMaps by.',
        allowed: 'a Kubernetes label key ([prefix/]name, name at most 63 characters)',
      } as Allowed),
      labelValue: Type.String({
        pattern: LABEL_VALUE,
        default: DEFAULTS.dashboardSidecar.labelValue,
        description: 'Value of that label.',
        allowed: 'a Kubernetes label value: at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
      } as Allowed),
      namespace: namespace('Namespace the sidecar watches, where the dashboard ConfigMaps go; defaults to the namespace of Grafana\'s Service.'),
    }, { additionalProperties: false, description: 'How the Grafana dashboard sidecar finds the dashboard ConfigMaps.' }),
    alerts: Type.Object({
      noBeaconFor: Type.String({
        pattern: PROMETHEUS_DURATION,
        minLength: 2,
        default: DEFAULTS.alerts.noBeaconFor,
        description: 'Alert when no new session arrived for this long while Grafana was up.',
        allowed: 'a non-zero Prometheus duration such as 6h or 1d',
      } as Allowed),
      grafanaUpSelector: Type.String({
        pattern: `^\\s*${LABEL_MATCHER}(\\s*,\\s*${LABEL_MATCHER})*\\s*$`,
        description: 'PromQL label matchers of Grafana\'s own `up` series; defaults to job="<Grafana Service name>",namespace="<its namespace>".',
        allowed: 'comma-separated PromQL label matchers without braces, e.g. job="grafana",namespace="monitoring"',
      } as Allowed),
      labels: labels('Labels of the PrometheusRule, for the Prometheus ruleSelector; defaults to the ServiceMonitor\'s labels.'),
    }, { additionalProperties: false, description: 'The PrometheusRule: server down, no beacons, sessions per dashboard.' }),
    server: Type.Object({
      image: Type.String({
        pattern: IMAGE_REFERENCE,
        default: DEFAULTS.server.image,
        description: 'Image of the analytics server.',
        allowed: 'an image reference such as docker.io/macropower/analytics-panel-server:0.0.1 (lower-case repository, optional :tag and @sha256: digest)',
      } as Allowed),
      replicas: Type.Integer({
        minimum: 0,
        maximum: 100,
        default: DEFAULTS.server.replicas,
        description: 'Replicas of the server. Keep 1: the session cache is per pod, more replicas double-count durations.',
        allowed: 'an integer from 0 to 100',
      } as Allowed),
      resources: Type.Object({
        requests: Type.Object({ cpu, memory }, { additionalProperties: false }),
        limits: Type.Object({ cpu, memory }, { additionalProperties: false }),
      }, { additionalProperties: false, description: 'Container resources.' }),
      nodeSelector: labels('Node selector of the pod; the default image is built for amd64 only.', DEFAULTS.server.nodeSelector),
      storeUserIdentityInMetrics: Type.Boolean({
        default: DEFAULTS.server.storeUserIdentityInMetrics,
        description: 'Opt-in: store each user\'s login and name as metric labels (drops --disable-user-metrics and the privacy relabeling).',
      }),
      logSessions: Type.Boolean({
        default: DEFAULTS.server.logSessions,
        description: 'Opt-in: log every session, including the user\'s email, login and name (drops --disable-session-log).',
      }),
      maxCacheSize: Type.Integer({
        minimum: 1,
        // The server's flag is a Go int (int64); above 2^53 a JavaScript number is not exact any more.
        maximum: Number.MAX_SAFE_INTEGER,
        default: DEFAULTS.server.maxCacheSize,
        description: 'Sessions kept in memory; the whole cache is flushed when exceeded. Default: sized to server.resources.limits.memory (half of it, at twice ingress.maxBodySize per session), 4096 for the default 128Mi and 8k.',
        allowed: `a positive integer of at most ${Number.MAX_SAFE_INTEGER} (2^53-1)`,
      } as Allowed),
    }, { additionalProperties: false }),
    serviceMonitor: Type.Object({
      interval: Type.String({
        pattern: PROMETHEUS_DURATION,
        default: DEFAULTS.serviceMonitor.interval,
        description: 'Scrape interval.',
        allowed: 'a Prometheus duration such as 30s or 1m',
      } as Allowed),
      labels: labels('Labels Prometheus\' serviceMonitorSelector matches, e.g. release: kube-prometheus-stack.', DEFAULTS.serviceMonitor.labels),
    }, { additionalProperties: false }),
    ingress: Type.Object({
      className: objectName('IngressClass of the write Ingress (route.kind ingress); defaults per auth.front: nginx for ingress-nginx, traefik for traefik, none (the cluster\'s default IngressClass) for proxy.'),
      writePath: urlPath('Path of the beacon endpoint, below Grafana\'s sub-path.', DEFAULTS.ingress.writePath),
      tlsSecretName: objectName('TLS Secret for the host; without it the write Ingress has no TLS section.'),
      maxBodySize: Type.String({
        pattern: '^[1-9][0-9]*[km]?$',
        default: DEFAULTS.ingress.maxBodySize,
        description: 'Largest request body accepted on the write path (a beacon is well under 4k).',
        allowed: 'an nginx size such as 8k or 1m',
      } as Allowed),
      rateLimitPerMinute: Type.Integer({
        minimum: 0,
        maximum: MAX_RATE_LIMIT_PER_MINUTE,
        default: DEFAULTS.ingress.rateLimitPerMinute,
        description: 'Beacons per minute per client IP; 0 disables the limit.',
        allowed: `an integer from 0 to ${MAX_RATE_LIMIT_PER_MINUTE}`,
      } as Allowed),
    }, { additionalProperties: false }),
    route: Type.Object({
      kind: Type.Union([Type.Literal('ingress'), Type.Literal('httproute')], {
        default: DEFAULTS.route.kind,
        description: 'How the write path reaches the server: an Ingress, or a Gateway API v1 HTTPRoute (auth.front proxy only).',
      }),
      gateway: Type.Object({
        name: objectName('Name of the Gateway the HTTPRoute attaches to (required with route.kind httproute).'),
        namespace: namespace('Namespace of that Gateway (required with route.kind httproute).'),
        sectionName: Type.String({
          pattern: `^${DNS_LABEL}(\\.${DNS_LABEL})*$`,
          maxLength: 253,
          description: 'Listener of the Gateway to attach to; without it, every listener that admits the route.',
          allowed: 'a Gateway listener name (DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\')',
        } as Allowed),
      }, { additionalProperties: false, description: 'The HTTPRoute\'s parent Gateway (route.kind httproute).' }),
    }, { additionalProperties: false }),
    proxy: Type.Object({
      image: Type.String({
        pattern: IMAGE_REFERENCE,
        default: DEFAULTS.proxy.image,
        description: 'Image of the nginx auth proxy container (auth.front proxy): an unprivileged nginx.',
        allowed: 'an image reference such as docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine (lower-case repository, optional :tag and @sha256: digest)',
      } as Allowed),
      resources: Type.Object({
        requests: Type.Object({ cpu, memory }, { additionalProperties: false }),
        limits: Type.Object({ cpu, memory }, { additionalProperties: false }),
      }, { additionalProperties: false, description: 'Resources of the proxy container.' }),
      trustedProxies: Type.Array(Type.String({
        pattern: `^(${IPV4_CIDR}|${IPV6_CIDR})$`,
        allowed: 'an IPv4 or IPv6 address or CIDR, such as 10.0.0.0/8 or fd00::/8',
      } as Allowed), {
        default: DEFAULTS.proxy.trustedProxies,
        description: 'Peers whose X-Forwarded-For the proxy believes for the client IP (the rate limit is per client); others count as the client.',
      }),
    }, { additionalProperties: false, description: 'The nginx auth proxy in the server\'s Pod (auth.front proxy).' }),
    auth: Type.Object({
      front: Type.Union([Type.Literal('ingress-nginx'), Type.Literal('traefik'), Type.Literal('proxy')], {
        default: DEFAULTS.auth.front,
        description: 'What checks the Grafana session in front of the write path: ingress-nginx annotations, Traefik ForwardAuth Middlewares, or an nginx auth proxy in the server\'s Pod behind any Ingress or HTTPRoute.',
      }),
      mode: Type.Union([Type.Literal('in-cluster'), Type.Literal('via-ingress')], {
        default: DEFAULTS.auth.mode,
        description: 'in-cluster: ask Grafana\'s Service directly; via-ingress (auth.front ingress-nginx only): ask Grafana through a public auth path on its host.',
      }),
      clusterDomain: Type.String({
        pattern: `^${DNS_LABEL}(\\.${DNS_LABEL})*$`,
        default: DEFAULTS.auth.clusterDomain,
        description: 'Cluster DNS domain (in-cluster mode).',
        allowed: 'a DNS domain such as cluster.local',
      } as Allowed),
      viaIngressPath: urlPath('Public auth path below Grafana\'s sub-path (via-ingress mode).', DEFAULTS.auth.viaIngressPath),
    }, { additionalProperties: false }),
    networkPolicy: Type.Object({
      enabled: Type.Boolean({ default: DEFAULTS.networkPolicy.enabled, description: 'Emit the NetworkPolicy.' }),
      ingressControllerNamespace: namespace('Namespace of the ingress controller or Gateway data plane allowed to reach the write path; defaults per auth.front: ingress-nginx for ingress-nginx, traefik for traefik, none for proxy (required then).'),
      prometheusNamespace: namespace('Namespace of the Prometheus allowed to scrape the server.'),
    }, { additionalProperties: false }),
  };
}

/** The static type of `deepPartial(props)`: every key optional, nested objects too, maps whole. */
type DeepPartial<T extends TProperties> = {
  [K in keyof T]: TOptional<T[K] extends TObject<infer P> ? TObject<DeepPartial<P>> : T[K]>;
};

/** Makes every property optional, recursively through nested objects (but not into maps). */
function deepPartial<T extends TProperties>(props: T): DeepPartial<T> {
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

function schemaOptions(schema: TObject): Record<string, unknown> {
  const { properties: _p, required: _r, type: _t, ...rest } = schema;
  return rest;
}

const props = installationProperties();
const { host: _host, ...grafanaDefaults } = props.grafana.properties;

/** One Grafana installation as written in the config: only `name` and `grafana.host` are required. */
export const InstallationSchema = Type.Object({
  name: installationName,
  ...deepPartial({ ...props, grafana: Type.Object(grafanaDefaults, schemaOptions(props.grafana)) }),
  grafana: Type.Object(
    { host, ...deepPartial(grafanaDefaults) },
    { additionalProperties: false, description: 'The Grafana this installation measures.' },
  ),
}, { additionalProperties: false });

/** Options applied to every installation (an installation's own value wins). */
export const DefaultsSchema = Type.Object(
  deepPartial({ ...props, grafana: Type.Object(grafanaDefaults, schemaOptions(props.grafana)) }),
  { additionalProperties: false, description: 'Defaults merged into every installation: objects key by key, maps and values replaced.' },
);

/** Where the synth output is committed, for Argo CD and Flux (lib/config/gitops.ts has the rules across keys). */
export const GitopsSchema = Type.Object({
  repoURL: Type.String({
    // Brackets for an IPv6 host; gitops-rules.ts checks the URL as Go's net/url reads it.
    pattern: '^(https?|ssh)://[A-Za-z0-9._~%@:\\[\\]-]+(/[A-Za-z0-9._~%@+-]+)*/?$',
    maxLength: 2048,
    description: 'The Git repository the synth output is committed to.',
    allowed: 'an http://, https:// or ssh:// URL such as https://github.com/acme/fleet.git (not the scp-like git@host:path, which Flux rejects)',
  } as Allowed),
  revision: Type.Optional(Type.String({
    // A branch name git and both controllers accept: no '..', no leading '-' or '/', no trailing '/' or '.'.
    pattern: '^(?!.*\\.\\.)[A-Za-z0-9_][A-Za-z0-9._/-]*(?<![./])$',
    maxLength: 255,
    default: GITOPS_DEFAULTS.revision,
    description: 'The branch both controllers follow.',
    allowed: 'a branch name of letters, digits, \'.\', \'_\', \'-\' and \'/\' such as main or release/2026',
  } as Allowed)),
  path: Type.String({
    pattern: '^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$',
    maxLength: 1024,
    description: 'Folder of the repository the synth output (dist/) is committed to, e.g. deploy/dist.',
    allowed: 'a relative path such as deploy/dist: segments of letters, digits, \'.\', \'_\' and \'-\', none starting with \'.\', no leading or trailing \'/\'',
  } as Allowed),
  interval: Type.Optional(Type.String({
    pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$',
    default: GITOPS_DEFAULTS.interval,
    description: 'How often Flux fetches the repository and reconciles the releases.',
    allowed: 'a Go duration such as 5m or 1h30m',
  } as Allowed)),
  argocd: Type.Optional(Type.Object({
    namespace: Type.Optional(namespace('Namespace Argo CD runs in, where the Applications go.', GITOPS_DEFAULTS.argocd.namespace)),
    project: Type.Optional(objectName('Argo CD project of every Application.', GITOPS_DEFAULTS.argocd.project)),
    clusterNames: Type.Optional(Type.Record(Type.String({ pattern: `^${DNS_LABEL}$` }), Type.String({
      pattern: '^[!-~]+$',
      maxLength: 253,
      allowed: 'an Argo CD cluster name (the `name` in its cluster Secret) of printable ASCII without spaces, e.g. in-cluster or an EKS ARN',
    } as Allowed), {
      additionalProperties: false,
      description: 'Argo CD cluster name (`destination.name`) of each `cluster` whose name in Argo CD differs.',
      allowed: 'a mapping of cluster names (DNS-1123 labels) to Argo CD cluster names',
    } as Allowed)),
  }, { additionalProperties: false })),
  flux: Type.Optional(Type.Object({
    namespace: Type.Optional(namespace('Namespace Flux runs in, where the GitRepository, the HelmReleases and the Kustomization go.', GITOPS_DEFAULTS.flux.namespace)),
    sourceName: Type.Optional(objectName('Name of the GitRepository; defaults to the repository\'s name in repoURL (fleet for .../fleet.git).')),
    secretRef: Type.Optional(objectName('Secret in the Flux namespace with the credentials of a private repository.')),
  }, { additionalProperties: false })),
}, { additionalProperties: false, description: 'Hand every installation to Argo CD or Flux: emits their objects under dist/gitops/.' });

export const AnalyticsConfigSchema = Type.Object({
  defaults: Type.Optional(DefaultsSchema),
  gitops: Type.Optional(GitopsSchema),
  installations: Type.Array(InstallationSchema, {
    minItems: 1,
    description: 'The Grafana installations to measure.',
    allowed: 'a list of at least one installation',
  } as Allowed),
}, {
  additionalProperties: false,
  $id: 'https://cdk8s-grafana-analytics/config.schema.json',
  title: 'cdk8s-grafana-analytics configuration',
});

/** The configuration as a user writes it (YAML or code). */
export type AnalyticsConfig = Static<typeof AnalyticsConfigSchema>;
export type InstallationConfig = Static<typeof InstallationSchema>;
export type GitopsConfig = Static<typeof GitopsSchema>;
export type AuthMode = 'in-cluster' | 'via-ingress';
export type AuthFront = 'ingress-nginx' | 'traefik' | 'proxy';
export type RouteKind = 'ingress' | 'httproute';
/** The Grafana Helm chart flavour: it decides the form of `plugins:` entries. */
export type GrafanaChart = 'grafana-community' | 'grafana';

/** A dashboard JSON file the config provisions, read and checked at resolution. */
export interface DashboardFile {
  /** The file, as an absolute path. */
  readonly file: string;
  /** The dashboard model (never mutated). */
  readonly dashboard: Readonly<Record<string, unknown>> & { readonly uid: string; readonly title: string };
}

/** Container resources as Kubernetes quantities. */
export interface ResourceQuantities {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** An installation with every default applied: what the constructs are built from. */
export interface ResolvedInstallation {
  readonly name: string;
  readonly namespace: string;
  readonly cluster?: string;
  readonly grafana: {
    readonly host: string;
    readonly subPath: string;
    readonly serveFromSubPath: boolean;
    readonly service: {
      readonly name: string;
      readonly namespace: string;
      readonly port: number;
      readonly targetPort: number;
      readonly podLabels: Record<string, string>;
    };
    readonly version: string;
    readonly chart: GrafanaChart;
  };
  readonly panel: {
    readonly pluginVersion: string;
    readonly heartbeat: boolean;
    readonly heartbeatIntervalSeconds: number;
    readonly endBeacon: boolean;
  };
  readonly dashboards: readonly DashboardFile[];
  readonly dashboardSidecar: { readonly labelKey: string; readonly labelValue: string; readonly namespace: string };
  readonly alerts: {
    readonly noBeaconFor: string;
    readonly grafanaUpSelector: string;
    readonly labels: Record<string, string>;
  };
  readonly server: {
    readonly image: string;
    readonly replicas: number;
    readonly resources: ResourceQuantities;
    readonly nodeSelector: Record<string, string>;
    readonly storeUserIdentityInMetrics: boolean;
    readonly logSessions: boolean;
    readonly maxCacheSize: number;
  };
  readonly serviceMonitor: { readonly interval: string; readonly labels: Record<string, string> };
  readonly ingress: {
    /** Absent: the cluster's default IngressClass. */
    readonly className?: string;
    readonly writePath: string;
    readonly tlsSecretName?: string;
    readonly maxBodySize: string;
    readonly rateLimitPerMinute: number;
  };
  readonly route: {
    readonly kind: RouteKind;
    readonly gateway?: { readonly name?: string; readonly namespace?: string; readonly sectionName?: string };
  };
  readonly proxy: {
    readonly image: string;
    readonly resources: ResourceQuantities;
    readonly trustedProxies: readonly string[];
  };
  readonly auth: {
    readonly front: AuthFront;
    readonly mode: AuthMode;
    readonly clusterDomain: string;
    readonly viaIngressPath: string;
  };
  readonly networkPolicy: {
    readonly enabled: boolean;
    /** Absent only for auth.front proxy with the NetworkPolicy off. */
    readonly ingressControllerNamespace?: string;
    readonly prometheusNamespace: string;
  };
}
