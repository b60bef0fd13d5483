import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { AnalyticsServer } from '../analytics-server';
import { IAuthFront } from './auth-front';
import { AuthMode } from '../../config/schema';
import { DEFAULTS, INGRESS_NGINX_DEFAULTS } from '../../config/defaults';
import { SERVER_PORT } from '../../config/constants';
import { propsCheck } from '../internal/props-check';
import { Component, recommendedLabels } from '../labels';
import {
  apiUserPath as grafanaApiUserPath, defaultServeFromSubPath, inClusterAuthUrl, publicWritePath, viaIngressAuthUrl, viaIngressPublicPath,
} from '../../config/derive';

/** Prefix of every ingress-nginx annotation. */
export const NGINX_ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io/';

export interface IngressNginxAuthFrontProps {
  /** Installation name: object names derive from it. */
  readonly installation: string;
  /** The analytics server the write path leads to. */
  readonly server: AnalyticsServer;
  /** Grafana's public host. */
  readonly host: string;
  /**
   * Path Grafana is served under.
   * @default '/'
   */
  readonly subPath?: string;
  /**
   * Grafana's `serve_from_sub_path`: its API lives under the sub-path.
   * @default - true when a sub-path is set
   */
  readonly serveFromSubPath?: boolean;
  /**
   * Name of Grafana's Service.
   * @default 'grafana'
   */
  readonly grafanaServiceName?: string;
  /**
   * Namespace of Grafana's Service.
   * @default - the namespace of this construct's Chart (required when it sets none)
   */
  readonly grafanaServiceNamespace?: string;
  /**
   * Port of Grafana's Service.
   * @default 80
   */
  readonly grafanaServicePort?: number;
  /**
   * How nginx reaches Grafana: `in-cluster` asks its Service directly; `via-ingress` asks it on
   * the public host through a second Ingress (the production write-up's way).
   * @default 'in-cluster'
   */
  readonly mode?: AuthMode;
  /**
   * Cluster DNS domain (in-cluster mode). nginx's resolver uses no search domains.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Public auth path below the sub-path (via-ingress mode).
   * @default '/grafana-auth'
   */
  readonly viaIngressPath?: string;
  /**
   * IngressClass of the controller serving Grafana's host.
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
  /**
   * Beacon path below the sub-path.
   * @default '/analytics-plugin/write'
   */
  readonly writePath?: string;
  /**
   * Path on Grafana's host the hidden panel posts beacons to (`writePath` below the sub-path), as
   * `resolveConfig` stores it in `ingress.publicWritePath`; the installation chart passes that.
   * @default - `subPath` and `writePath` joined by the config's derivation
   */
  readonly publicWritePath?: string;
  /**
   * Grafana's `/api/user` path (the via-ingress auth Ingress rewrites to it), as `resolveConfig`
   * stores it in `grafana.apiUserPath`; the installation chart passes that.
   * @default - under `subPath` only when `serveFromSubPath`, by the config's derivation
   */
  readonly apiUserPath?: string;
  /**
   * Public auth path on Grafana's host (via-ingress mode: `viaIngressPath` below the sub-path), as
   * `resolveConfig` stores it in `auth.viaIngressPublicPath`; the installation chart passes that.
   * @default - `subPath` and `viaIngressPath` joined by the config's derivation
   */
  readonly viaIngressPublicPath?: string;
  /**
   * The URL nginx asks, per beacon, whether the request carries a valid Grafana session, as
   * `resolveConfig` stores it in `auth.url`; the installation chart passes that.
   * @default - by `mode`: Grafana's `/api/user` through its Service, or the public auth path on the beacon's host
   */
  readonly authUrl?: string;
  /**
   * TLS Secret for the host (in Grafana's namespace for the via-ingress auth Ingress too).
   * @default - no TLS section; via-ingress then asks over http
   */
  readonly tlsSecretName?: string;
  /**
   * Largest request body on the write path (nginx size).
   * @default '8k'
   */
  readonly maxBodySize?: string;
  /**
   * Beacons per minute per client IP; 0 disables the limit. Behind a load balancer that hides
   * client IPs, every browser shares one budget.
   * @default 300
   */
  readonly rateLimitPerMinute?: number;
}

const checkProps = propsCheck({
  construct: 'IngressNginxAuthFront',
  required: ['installation', 'host'],
  derived: { grafanaServiceNamespace: 'the Chart sets no namespace' },
  props: {
    installation: 'name',
    host: 'grafana.host',
    subPath: 'grafana.subPath',
    serveFromSubPath: 'grafana.serveFromSubPath',
    grafanaServiceName: 'grafana.service.name',
    grafanaServiceNamespace: 'grafana.service.namespace',
    grafanaServicePort: 'grafana.service.port',
    mode: 'auth.mode',
    clusterDomain: 'auth.clusterDomain',
    viaIngressPath: 'auth.viaIngressPath',
    ingressClassName: 'ingress.className',
    writePath: 'ingress.writePath',
    tlsSecretName: 'ingress.tlsSecretName',
    maxBodySize: 'ingress.maxBodySize',
    rateLimitPerMinute: 'ingress.rateLimitPerMinute',
  },
});

/**
 * The write path on Grafana's host, guarded by ingress-nginx external auth against Grafana's
 * `/api/user` (200 signed in, 401 not). No snippet annotation is used.
 *
 * `rewrite-target` sends the beacon to the server's `/write`. Note that ingress-nginx then treats
 * every path of the same host, Grafana's own Ingress included, as a case-insensitive regex prefix.
 */
export class IngressNginxAuthFront extends Construct implements IAuthFront {
  public readonly writePath: string;
  public readonly authUrl: string;
  public readonly podPort = SERVER_PORT;
  public readonly asksGrafanaFromPod = false;
  public readonly writeIngress: k8s.KubeIngress;
  /** The public auth path's Ingress (via-ingress mode only), in Grafana's namespace. */
  public readonly authIngress?: k8s.KubeIngress;

  constructor(scope: Construct, id: string, props: IngressNginxAuthFrontProps) {
    super(scope, id);
    const chartNamespace = Chart.of(this).namespace;
    checkProps(props, this, { grafanaServiceNamespace: chartNamespace });
    const grafanaService = {
      name: props.grafanaServiceName ?? DEFAULTS.grafana.service.name,
      // checkProps requires the prop when the Chart sets no namespace.
      namespace: (props.grafanaServiceNamespace ?? chartNamespace) as string,
      port: props.grafanaServicePort ?? DEFAULTS.grafana.service.port,
    };
    const subPath = props.subPath ?? DEFAULTS.grafana.subPath;
    const serveFromSubPath = props.serveFromSubPath ?? defaultServeFromSubPath(subPath);
    const mode = props.mode ?? DEFAULTS.auth.mode;
    const className = props.ingressClassName ?? INGRESS_NGINX_DEFAULTS.className;
    const tls = props.tlsSecretName ? [{ hosts: [props.host], secretName: props.tlsSecretName }] : undefined;
    // Grafana's API is under the sub-path only when it serves from it.
    const apiUserPath = props.apiUserPath ?? grafanaApiUserPath(subPath, serveFromSubPath);
    this.writePath = props.publicWritePath ?? publicWritePath(subPath, props.writePath ?? DEFAULTS.ingress.writePath);

    const ingress = (ingressId: string, name: string, component: Component, rule: {
      readonly annotations: Record<string, string>;
      readonly path: string;
      readonly serviceName: string;
      readonly servicePort: number;
      readonly namespace?: string;
    }) => new k8s.KubeIngress(this, ingressId, {
      metadata: {
        name,
        namespace: rule.namespace,
        labels: recommendedLabels(props.installation, component),
        annotations: prefixed(rule.annotations),
      },
      spec: {
        ingressClassName: className,
        tls,
        rules: [{
          host: props.host,
          http: {
            paths: [{
              path: rule.path,
              pathType: 'Prefix',
              backend: { service: { name: rule.serviceName, port: { number: rule.servicePort } } },
            }],
          },
        }],
      },
    });

    if (mode === 'in-cluster') {
      const clusterDomain = props.clusterDomain ?? DEFAULTS.auth.clusterDomain;
      this.authUrl = props.authUrl ?? inClusterAuthUrl({ ...grafanaService, clusterDomain }, apiUserPath);
    } else {
      const authPath = props.viaIngressPublicPath ?? viaIngressPublicPath(subPath, props.viaIngressPath ?? DEFAULTS.auth.viaIngressPath);
      this.authUrl = props.authUrl ?? viaIngressAuthUrl(tls !== undefined, authPath);
      // An Ingress reaches Services of its own namespace only: this one lives beside Grafana.
      // It targets /api/user, never /: Grafana answers / with a 302, which nginx turns into a 500.
      this.authIngress = ingress('AuthIngress', `${props.installation}-analytics-grafana-auth`, 'auth', {
        annotations: { 'rewrite-target': apiUserPath },
        path: authPath,
        serviceName: grafanaService.name,
        servicePort: grafanaService.port,
        namespace: grafanaService.namespace,
      });
    }

    const rateLimit = props.rateLimitPerMinute ?? DEFAULTS.ingress.rateLimitPerMinute;
    this.writeIngress = ingress('WriteIngress', `${props.installation}-analytics-write`, 'ingress', {
      annotations: {
        'auth-url': this.authUrl,
        'auth-method': 'GET',
        'rewrite-target': '/write',
        'proxy-body-size': props.maxBodySize ?? DEFAULTS.ingress.maxBodySize,
        ...(rateLimit > 0 ? { 'limit-rpm': String(rateLimit) } : {}),
      },
      path: this.writePath,
      serviceName: props.server.service.name,
      servicePort: SERVER_PORT,
    });
  }
}

function prefixed(annotations: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`${NGINX_ANNOTATION_PREFIX}${k}`, v]));
}
