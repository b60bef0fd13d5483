import { AnalyticsConfig } from '../../lib';
/** Installations covering every allowed auth.front x route.kind, with sub-paths, TLS and NetworkPolicy on and off. */
export const FRONTS_CONFIG: AnalyticsConfig = {
  defaults: { serviceMonitor: { labels: { release: 'kube-prometheus-stack' } } },
  installations: [
    { name: 'nginx-ingress', grafana: { host: 'a.example.com' }, ingress: { tlsSecretName: 'a-tls' } },
    {
      name: 'traefik-ingress',
      grafana: { host: 'b.example.com', subPath: '/grafana', service: { name: 'kube-prometheus-stack-grafana', port: 80 } },
      auth: { front: 'traefik' },
      ingress: { tlsSecretName: 'b-tls' },
    },
    {
      name: 'traefik-ingress-open',
      namespace: 'analytics',
      grafana: { host: 'c.example.com', service: { namespace: 'monitoring', port: 3000 } },
      auth: { front: 'traefik' },
      ingress: { rateLimitPerMinute: 0, maxBodySize: '1m', className: 'traefik-internal' },
      networkPolicy: { enabled: false },
    },
    {
      name: 'proxy-ingress',
      grafana: { host: 'd.example.com', subPath: '/grafana' },
      auth: { front: 'proxy' },
      ingress: { tlsSecretName: 'd-tls' },
      networkPolicy: { ingressControllerNamespace: 'haproxy-controller' },
    },
    {
      name: 'proxy-ingress-open',
      grafana: { host: 'e.example.com' },
      auth: { front: 'proxy' },
      ingress: { className: 'nginx-internal', rateLimitPerMinute: 0 },
      networkPolicy: { enabled: false },
    },
    {
      name: 'proxy-httproute',
      namespace: 'analytics',
      grafana: {
        host: 'f.example.com',
        subPath: '/ops/grafana',
        service: { namespace: 'grafana', targetPort: 3001, podLabels: { app: 'grafana' } },
      },
      auth: { front: 'proxy' },
      route: { kind: 'httproute', gateway: { name: 'eg', namespace: 'envoy-gateway-system', sectionName: 'https' } },
      proxy: { trustedProxies: ['10.244.0.0/16', 'fd00::/8'] },
      networkPolicy: { ingressControllerNamespace: 'envoy-gateway-system' },
    },
    {
      name: 'proxy-httproute-open',
      grafana: { host: 'g.example.com' },
      auth: { front: 'proxy' },
      route: { kind: 'httproute', gateway: { name: 'shared', namespace: 'gateways' } },
      networkPolicy: { enabled: false },
    },
  ],
};
