/**
 * Every default the library applies, in one place: the config schema, the constructs'
 * `@default`s and the README's config reference all read these values.
 */
import { maxCacheSizeFor } from './internal/sizes';

export const DEFAULT_IMAGE = 'docker.io/macropower/analytics-panel-server:0.0.1';

/**
 * The nginx auth proxy image (auth.front proxy): nginx's stable branch, unprivileged build (UID 101).
 * See README "Auth front: proxy" for how the tag was chosen.
 */
export const DEFAULT_PROXY_IMAGE = 'docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine';

const SERVER_MEMORY_LIMIT = '128Mi';
const MAX_BODY_SIZE = '8k';

export const DEFAULTS = {
  namespace: 'monitoring',
  grafana: {
    subPath: '/',
    // targetPort and podLabels: the Grafana chart's container port and pod label (for the proxy's egress policy).
    service: { name: 'grafana', port: 80, targetPort: 3000, podLabels: { 'app.kubernetes.io/name': 'grafana' } as Record<string, string> },
    // The Grafana the installation runs: 12.1 and later install plugins with GF_PLUGINS_PREINSTALL_SYNC.
    version: '12.1.0',
    // grafana-community/helm-charts from v11 (2026 on); `grafana` is the older grafana/helm-charts.
    chart: 'grafana-community',
  },
  panel: {
    // 2.1.0 is the first release that accepts a relative server URL such as /analytics-plugin/write.
    pluginVersion: '2.1.0',
    heartbeat: false,
    heartbeatIntervalSeconds: 60,
    endBeacon: true,
  },
  dashboards: [] as string[],
  dashboardSidecar: {
    // kube-prometheus-stack's Grafana sidecar watches ConfigMaps with grafana_dashboard: "1".
    labelKey: 'grafana_dashboard',
    labelValue: '1',
  },
  alerts: {
    noBeaconFor: '24h',
  },
  server: {
    image: DEFAULT_IMAGE,
    // The session cache lives in one pod's memory: more replicas split heartbeats and double-count.
    replicas: 1,
    resources: {
      requests: { cpu: '10m', memory: '32Mi' },
      limits: { cpu: '200m', memory: SERVER_MEMORY_LIMIT },
    },
    // The published image is built for amd64 only.
    nodeSelector: { 'kubernetes.io/arch': 'amd64' } as Record<string, string>,
    storeUserIdentityInMetrics: false,
    logSessions: false,
    // Derived from the memory limit when not set (4096 for 128Mi and 8k bodies); the server's own default, 100000, would need ~3 GiB.
    maxCacheSize: maxCacheSizeFor(SERVER_MEMORY_LIMIT, MAX_BODY_SIZE),
  },
  serviceMonitor: {
    interval: '30s',
    labels: {} as Record<string, string>,
  },
  ingress: {
    writePath: '/analytics-plugin/write',
    maxBodySize: MAX_BODY_SIZE,
    rateLimitPerMinute: 300,
  },
  route: {
    kind: 'ingress',
  },
  proxy: {
    image: DEFAULT_PROXY_IMAGE,
    resources: {
      requests: { cpu: '10m', memory: '16Mi' },
      limits: { cpu: '200m', memory: '64Mi' },
    },
    // RFC 1918: where load balancers and ingress controllers usually sit.
    trustedProxies: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as string[],
  },
  auth: {
    front: 'ingress-nginx',
    mode: 'in-cluster',
    clusterDomain: 'cluster.local',
    viaIngressPath: '/grafana-auth',
  },
  networkPolicy: {
    enabled: true,
    prometheusNamespace: 'monitoring',
  },
} as const;

/** Defaults of the top-level `gitops` block. */
export const GITOPS_DEFAULTS = {
  revision: 'main',
  // Flux's own examples poll every few minutes; a commit reaches every cluster within one interval.
  interval: '5m',
  argocd: { namespace: 'argocd', project: 'default' },
  flux: { namespace: 'flux-system' },
} as const;

/** The ingress-nginx front's defaults, typed as present. */
export const INGRESS_NGINX_DEFAULTS = { className: 'nginx', ingressControllerNamespace: 'ingress-nginx' } as const;
/** Defaults that depend on `auth.front`: none for `proxy`, whose controller is the cluster's choice. */
export const FRONT_DEFAULTS: Record<
  'ingress-nginx' | 'traefik' | 'proxy',
  { readonly className?: string; readonly ingressControllerNamespace?: string }
> = {
  'ingress-nginx': INGRESS_NGINX_DEFAULTS,
  traefik: { className: 'traefik', ingressControllerNamespace: 'traefik' },
  proxy: {},
};
