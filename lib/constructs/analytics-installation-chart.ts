import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AnalyticsDashboards } from './analytics-dashboards';
import { AnalyticsNetworkPolicy } from './analytics-network-policy';
import { AnalyticsPrometheusRule } from './analytics-prometheus-rule';
import { AnalyticsServer } from './analytics-server';
import { AnalyticsServiceMonitor } from './analytics-service-monitor';
import { IAuthFront } from './auth/auth-front';
import { ResolvedInstallation } from '../config/schema';
import { dashboardSlug } from '../config/dashboards';
import { checkInstallation, installationBuilt } from './internal/props-check';
import { IngressNginxAuthFront } from './auth/ingress-nginx-auth-front';
import { ProxyAuthFront } from './auth/proxy-auth-front';
import { TraefikAuthFront } from './auth/traefik-auth-front';

/**
 * A fully resolved installation: build it with `resolveConfig` (or `resolveAnalyticsConfig`), which
 * applies every default and derives every value the parts read.
 */
export type AnalyticsInstallationChartProps = ResolvedInstallation;

/**
 * Everything one Grafana installation needs, in the installation's namespace (the via-ingress
 * auth Ingress excepted: it must live beside Grafana's Service).
 *
 * Props are a fully resolved installation: build them with `resolveConfig`. One built by hand is
 * checked against the config's schema and rules (a PropsError names every bad setting).
 */
export class AnalyticsInstallationChart extends Chart {
  public readonly installation: ResolvedInstallation;
  public readonly server: AnalyticsServer;
  public readonly serviceMonitor: AnalyticsServiceMonitor;
  public readonly authFront: IAuthFront;
  public readonly networkPolicy?: AnalyticsNetworkPolicy;
  public readonly dashboards: AnalyticsDashboards;
  public readonly prometheusRule: AnalyticsPrometheusRule;

  constructor(scope: Construct, id: string, input: AnalyticsInstallationChartProps) {
    super(scope, id, { namespace: input.namespace, disableResourceNameHashes: true });
    // Checked as a whole: the parts below skip their own checks of the same settings.
    const props = checkInstallation(input, 'AnalyticsInstallationChart', this);
    this.installation = props;
    const installation = props.name;
    this.server = new AnalyticsServer(this, 'Server', { installation, ...props.server });
    this.serviceMonitor = new AnalyticsServiceMonitor(this, 'ServiceMonitor', {
      installation,
      server: this.server,
      ...props.serviceMonitor,
    });
    this.authFront = createAuthFront(this, props, this.server);
    if (props.networkPolicy.enabled) {
      this.networkPolicy = new AnalyticsNetworkPolicy(this, 'NetworkPolicy', {
        installation,
        server: this.server,
        ...props.networkPolicy,
        controllerPort: this.authFront.podPort,
        grafanaPods: this.authFront.asksGrafanaFromPod ? {
          namespace: props.grafana.service.namespace,
          labels: props.grafana.service.podLabels,
          port: props.grafana.service.targetPort,
        } : undefined,
      });
    }
    // The hidden panels post to the auth front's write path: one source of truth for both.
    this.dashboards = new AnalyticsDashboards(this, 'Dashboards', {
      installation,
      server: this.server,
      serverNamespace: props.namespace,
      writePath: this.authFront.writePath,
      namespace: props.dashboardSidecar.namespace,
      dashboards: props.dashboards.map(d => ({ name: dashboardSlug(d.file), dashboard: d.dashboard })),
      labelKey: props.dashboardSidecar.labelKey,
      labelValue: props.dashboardSidecar.labelValue,
      ...props.panel,
    });
    this.prometheusRule = new AnalyticsPrometheusRule(this, 'PrometheusRule', {
      installation,
      server: this.server,
      serverNamespace: props.namespace,
      scrapeInterval: props.serviceMonitor.interval,
      // The browser's path carries the sub-path even when a proxy strips it for Grafana.
      subPath: props.grafana.subPath,
      dashboards: props.dashboards.map(d => ({ uid: d.dashboard.uid, title: d.dashboard.title })),
      ...props.alerts,
    });
    installationBuilt(this);
  }
}

/** The one place that maps `auth.front` to its construct. */
function createAuthFront(scope: Construct, props: ResolvedInstallation, server: AnalyticsServer): IAuthFront {
  const grafana = {
    ...props.grafana.service,
    clusterDomain: props.auth.clusterDomain,
    subPath: props.grafana.subPath,
    serveFromSubPath: props.grafana.serveFromSubPath,
  };
  const write = {
    installation: props.name,
    server,
    host: props.grafana.host,
    grafana,
    writePath: props.ingress.writePath,
    // Derived once, at resolution: the front reads them rather than deriving them again.
    publicWritePath: props.ingress.publicWritePath,
    authUrl: props.auth.url,
    maxBodySize: props.ingress.maxBodySize,
    rateLimitPerMinute: props.ingress.rateLimitPerMinute,
    ingressClassName: props.ingress.className,
    tlsSecretName: props.ingress.tlsSecretName,
  };
  switch (props.auth.front) {
    case 'traefik':
      return new TraefikAuthFront(scope, 'AuthFront', { ...write, namespace: props.namespace });
    case 'proxy': {
      const gateway = props.route.gateway;
      return new ProxyAuthFront(scope, 'AuthFront', {
        ...write,
        ...props.proxy,
        routeKind: props.route.kind,
        // resolveConfig requires name and namespace with route.kind httproute.
        gateway:
          gateway?.name && gateway.namespace ? { name: gateway.name, namespace: gateway.namespace, sectionName: gateway.sectionName } : undefined,
      });
    }
    case 'ingress-nginx':
      return new IngressNginxAuthFront(scope, 'AuthFront', {
        installation: props.name,
        server,
        host: props.grafana.host,
        subPath: props.grafana.subPath,
        serveFromSubPath: props.grafana.serveFromSubPath,
        grafanaServiceName: props.grafana.service.name,
        grafanaServiceNamespace: props.grafana.service.namespace,
        grafanaServicePort: props.grafana.service.port,
        mode: props.auth.mode,
        // Each mode's own setting only: the front rejects the other mode's, as the config does.
        ...(props.auth.mode === 'in-cluster'
          ? { clusterDomain: props.auth.clusterDomain }
          : { viaIngressPath: props.auth.viaIngressPath, viaIngressPublicPath: props.auth.viaIngressPublicPath }),
        ingressClassName: props.ingress.className,
        writePath: props.ingress.writePath,
        publicWritePath: props.ingress.publicWritePath,
        apiUserPath: props.grafana.apiUserPath,
        authUrl: props.auth.url,
        tlsSecretName: props.ingress.tlsSecretName,
        maxBodySize: props.ingress.maxBodySize,
        rateLimitPerMinute: props.ingress.rateLimitPerMinute,
      });
  }
}
