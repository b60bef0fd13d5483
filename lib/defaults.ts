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

/** The analytics server's listening port (the image's `EXPOSE`). */
export const SERVER_PORT = 8080;
/** The name of the server's port on the container, the Service and the ServiceMonitor endpoint. */
export const SERVER_PORT_NAME = 'web';
/** Labels the exporter emits that identify a person; dropped at scrape time unless opted in. */
export const USER_IDENTITY_LABEL_REGEX = 'user_(login|name|email)';
