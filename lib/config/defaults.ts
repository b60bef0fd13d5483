/**
 * Every default the library applies, in one place: the config schema, the constructs'
 * `@default`s and the README's config reference all read these values.
 */
export const DEFAULT_IMAGE = 'docker.io/macropower/analytics-panel-server:0.0.1';

export const DEFAULTS = {
  namespace: 'monitoring',
  grafana: {
    subPath: '/',
    service: { name: 'grafana', port: 80 },
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
      limits: { cpu: '200m', memory: '128Mi' },
    },
    // The published image is built for amd64 only.
    nodeSelector: { 'kubernetes.io/arch': 'amd64' } as Record<string, string>,
    storeUserIdentityInMetrics: false,
    logSessions: false,
    maxCacheSize: 100000,
  },
  serviceMonitor: {
    interval: '30s',
    labels: {} as Record<string, string>,
  },
  ingress: {
    className: 'nginx',
    writePath: '/analytics-plugin/write',
    maxBodySize: '8k',
    rateLimitPerMinute: 300,
  },
  auth: {
    front: 'ingress-nginx',
    mode: 'in-cluster',
    clusterDomain: 'cluster.local',
    viaIngressPath: '/grafana-auth',
  },
  networkPolicy: {
    enabled: true,
    ingressControllerNamespace: 'ingress-nginx',
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

/** Id of the Grafana panel plugin that sends the beacons. */
export const PLUGIN_ID = 'macropower-analytics-panel';

/** The analytics server's listening port (the image's `EXPOSE`). */
export const SERVER_PORT = 8080;
/** The name of the server's port on the container, the Service and the ServiceMonitor endpoint. */
export const SERVER_PORT_NAME = 'web';
/** Labels the exporter emits that identify a person; dropped at scrape time unless opted in. */
export const USER_IDENTITY_LABEL_REGEX = 'user_(login|name|email)';
