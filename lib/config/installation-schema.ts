/**
 * The schema of one installation as written in the config, and of the `defaults` block: the same
 * options, every one optional in `defaults`.
 */
import { Type } from '@sinclair/typebox';
import { DEFAULTS } from './defaults';
import {
  cpu, deepPartial, DNS_LABEL, host, IMAGE_REFERENCE, IPV4_CIDR, IPV6_CIDR, LABEL_KEY, LABEL_MATCHER, LABEL_VALUE, labels, PROMQL_SPACE,
  MAX_RATE_LIMIT_PER_MINUTE, memory, namespace, objectName, OPERATOR_RESYNC_PERIOD, port, PROMETHEUS_DURATION, schemaOptions, semver, subPath,
  urlPath,
} from './internal/schema-parts';

/** Longest suffix added to an installation name (`<name>-analytics-grafana-auth`) must fit 63. */
export const MAX_INSTALLATION_NAME_LENGTH = 40;

export const installationName = Type.String({
  pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$',
  maxLength: MAX_INSTALLATION_NAME_LENGTH,
  description: 'Unique name of the installation; every object name is derived from it.',
  allowed: `a DNS-1035 label (lower-case letters, digits and '-', starting with a letter) of at most ${MAX_INSTALLATION_NAME_LENGTH} characters`,
});

export { MAX_RATE_LIMIT_PER_MINUTE };

/** A Kubernetes object name, for construct props that name an object the config derives. */
export const ObjectNameSchema = objectName('Name of a Kubernetes object.');

/** http(s)://host[:port][/path]: the API paths are appended, so no query or fragment; no user:password@ (use headers). */
const PROMETHEUS_URL = '^https?://[A-Za-z0-9._~%-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%!$&\'()*+,;=:@-]*)*$';
/** An HTTP field name (RFC 9110 `token`). */
const HTTP_HEADER_NAME = '^[!#$%&\'*+.^_`|~0-9A-Za-z-]+$';

/** Shape of the options that `defaults` and each installation share. */
function installationProperties() {
  return {
    namespace: namespace('Namespace of the analytics server and its objects.'),
    cluster: Type.String({
      pattern: `^${DNS_LABEL}$`,
      maxLength: 63,
      description: 'The cluster the installation runs in; required with `gitops`, where it names the Flux folder and the Argo CD destination.',
      allowed: 'a DNS-1123 label (lower-case letters, digits and \'-\', at most 63 characters)',
    }),
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
        }),
        namespace: namespace('Namespace of Grafana\'s Service; defaults to the installation\'s namespace.'),
        port,
        targetPort: Type.Integer({
          minimum: 1,
          maximum: 65535,
          default: DEFAULTS.grafana.service.targetPort,
          description: 'Container port of Grafana\'s pods behind the Service (auth.front proxy: the NetworkPolicy\'s egress allows it; policies '
            + 'apply after Service translation).',
          allowed: 'an integer from 1 to 65535',
        }),
        podLabels: labels('Labels of Grafana\'s pods (auth.front proxy: the NetworkPolicy\'s egress '
          + 'selects them).', DEFAULTS.grafana.service.podLabels),
      }, { additionalProperties: false, description: 'Grafana\'s in-cluster Service, used as the authenticator.' }),
      version: semver('Version of the Grafana server: from 12.1 plugins are installed with GF_PLUGINS_PREINSTALL_SYNC, before with '
        + 'GF_INSTALL_PLUGINS.', DEFAULTS.grafana.version),
      chart: Type.Union([Type.Literal('grafana-community'), Type.Literal('grafana')], {
        default: DEFAULTS.grafana.chart,
        description: 'Helm chart Grafana is installed with: grafana-community (grafana-community/helm-charts v11 and later; `plugins:` entries '
          + '`id@version`) or grafana (the older grafana/helm-charts; entries `id version`).',
      }),
      provisioning: Type.Union([Type.Literal('sidecar'), Type.Literal('operator')], {
        default: DEFAULTS.grafana.provisioning,
        description: 'How the dashboards reach Grafana: sidecar (one ConfigMap each, for the Grafana Helm chart\'s dashboard sidecar) or operator '
          + '(one GrafanaDashboard each, grafana.integreatly.org/v1beta1, for the Grafana Operator, which also installs the plugin).',
      }),
      operator: Type.Object({
        instanceSelector: Type.Object({
          matchLabels: labels('Labels of the Grafana CRs the dashboards go to (in the namespace of Grafana\'s Service); required with '
            + 'grafana.provisioning operator.', undefined, {
            minProperties: 1,
            allowed: 'a mapping of at least one Kubernetes label key ([prefix/]name, name at most 63 characters) to a label value, e.g. '
              + 'dashboards: grafana (an empty selector would match every Grafana of the namespace)',
          }),
        }, {
          additionalProperties: false, description: 'The GrafanaDashboards\' spec.instanceSelector, which the Grafana Operator keeps immutable.',
        }),
        folder: Type.String({
          minLength: 1,
          // Grafana keeps folder titles in a VARCHAR(189) column.
          maxLength: 189,
          pattern: '\\S',
          description: 'Title of the Grafana folder the dashboards go to (created when missing); without it the operator uses a folder named '
            + 'after the namespace.',
          allowed: 'a folder title of 1 to 189 characters, not only white space',
        }),
        resyncPeriod: Type.String({
          pattern: OPERATOR_RESYNC_PERIOD,
          description: 'How often the operator re-applies each dashboard; without it the operator\'s own default (10m).',
          allowed: 'a Go duration without sign such as 10m, 1h30m or 90s (units ns, us, µs, ms, s, m, h)',
        }),
      }, { additionalProperties: false, description: 'The GrafanaDashboards of grafana.provisioning operator.' }),
    }, { additionalProperties: false }),
    panel: Type.Object({
      pluginVersion: semver('Version of the macropower-analytics-panel plugin installed into Grafana (2.1.0 is the first with relative server '
        + 'paths).', DEFAULTS.panel.pluginVersion),
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
      }),
      endBeacon: Type.Boolean({
        default: DEFAULTS.panel.endBeacon,
        description: 'The hidden panel sends an end beacon when the dashboard is left (not when the tab is closed); session durations need it or '
          + 'heartbeats.',
      }),
    }, { additionalProperties: false, description: 'The hidden analytics panel added to every provisioned dashboard.' }),
    dashboards: Type.Array(Type.String({
      pattern: '\\.json$',
      description: 'Path of a dashboard JSON file.',
      allowed: 'a path to a .json file, relative to the config file\'s folder or absolute',
    }), {
      default: DEFAULTS.dashboards,
      description: 'Dashboard JSON files provisioned to this Grafana, each with the hidden analytics panel added. An installation\'s list replaces '
        + 'the defaults\' list.',
    }),
    dashboardSidecar: Type.Object({
      labelKey: Type.String({
        pattern: LABEL_KEY,
        default: DEFAULTS.dashboardSidecar.labelKey,
        description: 'Label key the Grafana dashboard sidecar selects ConfigMaps by.',
        allowed: 'a Kubernetes label key ([prefix/]name, name at most 63 characters)',
      }),
      labelValue: Type.String({
        pattern: LABEL_VALUE,
        default: DEFAULTS.dashboardSidecar.labelValue,
        description: 'Value of that label.',
        allowed: 'a Kubernetes label value: at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
      }),
      namespace: namespace('Namespace the sidecar watches, where the dashboard ConfigMaps go; defaults to the namespace of Grafana\'s Service.'),
    }, { additionalProperties: false, description: 'How the Grafana dashboard sidecar finds the dashboard ConfigMaps.' }),
    alerts: Type.Object({
      noBeaconFor: Type.String({
        pattern: PROMETHEUS_DURATION,
        minLength: 2,
        default: DEFAULTS.alerts.noBeaconFor,
        description: 'Alert when no new session arrived for this long while Grafana was up.',
        allowed: 'a non-zero Prometheus duration such as 6h or 1d',
      }),
      grafanaUpSelector: Type.String({
        pattern: `^${PROMQL_SPACE}*${LABEL_MATCHER}(${PROMQL_SPACE}*,${PROMQL_SPACE}*${LABEL_MATCHER})*${PROMQL_SPACE}*$`,
        description: 'PromQL label matchers of Grafana\'s own `up` series; defaults to job="<Grafana Service name>",namespace="<its namespace>".',
        allowed: 'comma-separated PromQL label matchers without braces, e.g. job="grafana",namespace="monitoring"',
      }),
      labels: labels('Labels of the PrometheusRule, for the Prometheus ruleSelector; defaults to the ServiceMonitor\'s labels.'),
    }, { additionalProperties: false, description: 'The PrometheusRule: server down, no beacons, sessions per dashboard.' }),
    server: Type.Object({
      image: Type.String({
        pattern: IMAGE_REFERENCE,
        default: DEFAULTS.server.image,
        description: 'Image of the analytics server.',
        allowed: 'an image reference such as docker.io/macropower/analytics-panel-server:0.0.1 (lower-case repository, optional :tag and @sha256: '
          + 'digest)',
      }),
      replicas: Type.Integer({
        minimum: 0,
        maximum: 100,
        default: DEFAULTS.server.replicas,
        description: 'Replicas of the server. Keep 1: the session cache is per pod, more replicas double-count durations.',
        allowed: 'an integer from 0 to 100',
      }),
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
        description: 'Sessions kept in memory; the whole cache is flushed when exceeded. Default: sized to server.resources.limits.memory (half of '
          + 'it, at twice ingress.maxBodySize per session), 4096 for the default 128Mi and 8k.',
        allowed: `a positive integer of at most ${Number.MAX_SAFE_INTEGER} (2^53-1)`,
      }),
    }, { additionalProperties: false }),
    serviceMonitor: Type.Object({
      interval: Type.String({
        pattern: PROMETHEUS_DURATION,
        default: DEFAULTS.serviceMonitor.interval,
        description: 'Scrape interval.',
        allowed: 'a Prometheus duration such as 30s or 1m',
      }),
      labels: labels('Labels Prometheus\' serviceMonitorSelector matches, e.g. release: kube-prometheus-stack.', DEFAULTS.serviceMonitor.labels),
    }, { additionalProperties: false }),
    ingress: Type.Object({
      className: objectName('IngressClass of the write Ingress (route.kind ingress); defaults per auth.front: nginx for ingress-nginx, traefik for '
        + 'traefik, none (the cluster\'s default IngressClass) for proxy.'),
      writePath: urlPath('Path of the beacon endpoint, below Grafana\'s sub-path.', DEFAULTS.ingress.writePath),
      tlsSecretName: objectName('TLS Secret for the host; without it the write Ingress has no TLS section.'),
      maxBodySize: Type.String({
        pattern: '^[1-9][0-9]*[km]?$',
        default: DEFAULTS.ingress.maxBodySize,
        description: 'Largest request body accepted on the write path (a beacon is well under 4k).',
        allowed: 'an nginx size such as 8k or 1m',
      }),
      rateLimitPerMinute: Type.Integer({
        minimum: 0,
        maximum: MAX_RATE_LIMIT_PER_MINUTE,
        default: DEFAULTS.ingress.rateLimitPerMinute,
        description: 'Beacons per minute per client IP; 0 disables the limit.',
        allowed: `an integer from 0 to ${MAX_RATE_LIMIT_PER_MINUTE}`,
      }),
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
        }),
      }, { additionalProperties: false, description: 'The HTTPRoute\'s parent Gateway (route.kind httproute).' }),
    }, { additionalProperties: false }),
    proxy: Type.Object({
      image: Type.String({
        pattern: IMAGE_REFERENCE,
        default: DEFAULTS.proxy.image,
        description: 'Image of the nginx auth proxy container (auth.front proxy): an unprivileged nginx.',
        allowed: 'an image reference such as docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine (lower-case repository, optional :tag and @sha256: '
          + 'digest)',
      }),
      resources: Type.Object({
        requests: Type.Object({ cpu, memory }, { additionalProperties: false }),
        limits: Type.Object({ cpu, memory }, { additionalProperties: false }),
      }, { additionalProperties: false, description: 'Resources of the proxy container.' }),
      trustedProxies: Type.Array(Type.String({
        pattern: `^(${IPV4_CIDR}|${IPV6_CIDR})$`,
        allowed: 'an IPv4 or IPv6 address or CIDR, such as 10.0.0.0/8 or fd00::/8',
      }), {
        default: DEFAULTS.proxy.trustedProxies,
        description: 'Peers whose X-Forwarded-For the proxy believes for the client IP (the rate limit is per client); others count as the client.',
      }),
    }, { additionalProperties: false, description: 'The nginx auth proxy in the server\'s Pod (auth.front proxy).' }),
    auth: Type.Object({
      front: Type.Union([Type.Literal('ingress-nginx'), Type.Literal('traefik'), Type.Literal('proxy')], {
        default: DEFAULTS.auth.front,
        description: 'What checks the Grafana session in front of the write path: ingress-nginx annotations, Traefik ForwardAuth Middlewares, or an '
          + 'nginx auth proxy in the server\'s Pod behind any Ingress or HTTPRoute.',
      }),
      mode: Type.Union([Type.Literal('in-cluster'), Type.Literal('via-ingress')], {
        default: DEFAULTS.auth.mode,
        description: 'in-cluster: ask Grafana\'s Service directly; via-ingress (auth.front ingress-nginx only): ask Grafana through a public auth '
          + 'path on its host.',
      }),
      clusterDomain: Type.String({
        pattern: `^${DNS_LABEL}(\\.${DNS_LABEL})*$`,
        default: DEFAULTS.auth.clusterDomain,
        description: 'Cluster DNS domain (in-cluster mode).',
        allowed: 'a DNS domain such as cluster.local',
      }),
      viaIngressPath: urlPath('Public auth path below Grafana\'s sub-path (via-ingress mode).', DEFAULTS.auth.viaIngressPath),
    }, { additionalProperties: false }),
    prometheus: Type.Object({
      url: Type.String({
        pattern: PROMETHEUS_URL,
        maxLength: 2048,
        description: 'Query URL of the Prometheus (or Thanos Query, or Mimir\'s `/prometheus` prefix) that scrapes this installation, for '
          + '`grafana-analytics-usage`; `/api/v1/...` is appended. Synth ignores it.',
        allowed: 'an http:// or https:// URL without query, fragment or credentials, such as http://prometheus.monitoring.svc:9090 or '
          + 'https://mimir.example.com/prometheus',
      }),
      headers: Type.Record(Type.String({ pattern: HTTP_HEADER_NAME }), Type.String({
        pattern: '^[^\\r\\n\\x00]*$',
        maxLength: 8192,
        allowed: 'a header value on one line (no CR, LF or NUL)',
      }), {
        additionalProperties: false,
        description: 'HTTP headers sent with every query, e.g. X-Scope-OrgID for a Mimir tenant. Synth ignores them.',
        allowed: 'a mapping of HTTP header names (letters, digits and !#$%&\'*+.^_`|~-) to one-line values',
      }),
      bearerTokenFile: Type.String({
        minLength: 1,
        maxLength: 4096,
        description: 'File holding a bearer token sent as `Authorization: Bearer <token>` (relative to the config file\'s folder or absolute; '
          + 'read at each run). Synth ignores it.',
        allowed: 'a file path, relative to the config file\'s folder or absolute',
      }),
      caFile: Type.String({
        minLength: 1,
        maxLength: 4096,
        description: 'PEM file of the certificate authorities that sign the Prometheus\' TLS certificate (relative to the config file\'s '
          + 'folder or absolute), instead of Node\'s bundled ones. Synth ignores it.',
        allowed: 'a file path, relative to the config file\'s folder or absolute',
      }),
    }, {
      additionalProperties: false,
      description: 'Where `grafana-analytics-usage` queries this installation\'s usage (README "Usage report"); no synthesized output depends on it.',
    }),
    networkPolicy: Type.Object({
      enabled: Type.Boolean({ default: DEFAULTS.networkPolicy.enabled, description: 'Emit the NetworkPolicy.' }),
      ingressControllerNamespace: namespace('Namespace of the ingress controller or Gateway data plane allowed to reach the write path; defaults '
        + 'per auth.front: ingress-nginx for ingress-nginx, traefik for traefik, none for proxy (required then).'),
      prometheusNamespace: namespace('Namespace of the Prometheus allowed to scrape the server.'),
    }, { additionalProperties: false }),
  };
}

/** The options of an installation, every one present: the resolved installation's schema starts from them. */
export const INSTALLATION_PROPERTIES = installationProperties();
const props = INSTALLATION_PROPERTIES;
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

