import { createHash } from 'crypto';
import { ApiObject, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { DEFAULTS } from '../../config/defaults';
import { PROXY_PORT, PROXY_PORT_NAME, SERVER_PORT } from '../../config/constants';
import { propsCheck } from '../internal/props-check';
import { ResourceQuantities, RouteKind } from '../../config/schema';
import { hardenedContainer, hardenedContainerPatches } from '../analytics-server';
import { recommendedLabels } from '../labels';
import { frontPaths, IAuthFront, WritePathFrontProps } from './auth-front';
import { nginxAuthProxyConf } from './nginx-auth-proxy-conf';
import { WriteRoute } from './write-route';

/** The proxy front; its `server` is the analytics server whose Pod gets the proxy container. */
export interface ProxyAuthFrontProps extends WritePathFrontProps {
  /**
   * Peers whose X-Forwarded-For the proxy believes.
   * @default - the RFC 1918 ranges
   */
  readonly trustedProxies?: readonly string[];
  /**
   * Image of the proxy container: an unprivileged nginx.
   * @default 'docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine'
   */
  readonly image?: string;
  /**
   * Resources of the proxy container.
   * @default - requests 10m CPU / 16Mi memory, limits 200m CPU / 64Mi memory
   */
  readonly resources?: ResourceQuantities;
  /**
   * The route to the proxy: an Ingress or a Gateway API HTTPRoute.
   * @default 'ingress'
   */
  readonly routeKind?: RouteKind;
  /** Parent Gateway (route kind httproute, required then). */
  readonly gateway?: { readonly name: string; readonly namespace: string; readonly sectionName?: string };
  /**
   * IngressClass (route kind ingress).
   * @default - the cluster's default IngressClass
   */
  readonly ingressClassName?: string;
  /**
   * TLS Secret for the host (route kind ingress only).
   * @default - no TLS section
   */
  readonly tlsSecretName?: string;
}

/** Name of the proxy's container in the server's Pod. */
export const PROXY_CONTAINER = 'auth-proxy';
/** nginx-unprivileged's user and group. */
const NGINX_UID = 101;
const CONFIG_DIR = '/etc/nginx-auth-proxy';
const RUN_DIR = '/tmp/nginx-auth-proxy';
/** Annotation on the Pod template: a changed nginx.conf rolls the Pod. */
export const PROXY_CONFIG_CHECKSUM_ANNOTATION = 'grafana-analytics/auth-proxy-config-sha256';

/**
 * An nginx auth proxy in the analytics server's Pod, behind any Ingress or Gateway API route: for
 * each beacon it asks Grafana's `/api/user` (GET, the browser's Cookie, no body) and passes only a
 * 2xx to the server on localhost. Its whole nginx.conf is a ConfigMap; the Service gets port `http`.
 */
const checkProps = propsCheck({
  construct: 'ProxyAuthFront',
  required: ['installation', 'host'],
  props: {
    installation: 'name',
    host: 'grafana.host',
    writePath: 'ingress.writePath',
    maxBodySize: 'ingress.maxBodySize',
    rateLimitPerMinute: 'ingress.rateLimitPerMinute',
    trustedProxies: 'proxy.trustedProxies',
    image: 'proxy.image',
    resources: 'proxy.resources',
    routeKind: 'route.kind',
    gateway: 'route.gateway',
    ingressClassName: 'ingress.className',
    tlsSecretName: 'ingress.tlsSecretName',
    // Never a prop: the config's rules about the front see this one.
    front: 'auth.front',
  },
});

export class ProxyAuthFront extends Construct implements IAuthFront {
  public readonly writePath: string;
  public readonly authUrl: string;
  public readonly podPort = PROXY_PORT;
  public readonly asksGrafanaFromPod = true;
  public readonly configMap: kplus.ConfigMap;
  /** The text of nginx.conf. */
  public readonly nginxConf: string;
  public readonly route: WriteRoute;

  constructor(scope: Construct, id: string, props: ProxyAuthFrontProps) {
    super(scope, id);
    checkProps(props, this, { front: 'proxy' });
    const defaults = DEFAULTS.proxy;
    ({ writePath: this.writePath, authUrl: this.authUrl } = frontPaths(props));
    this.nginxConf = nginxAuthProxyConf({
      listenPort: PROXY_PORT,
      writePath: this.writePath,
      serverUrl: `http://127.0.0.1:${SERVER_PORT}/write`,
      authUrl: this.authUrl,
      maxBodySize: props.maxBodySize ?? DEFAULTS.ingress.maxBodySize,
      rateLimitPerMinute: props.rateLimitPerMinute ?? DEFAULTS.ingress.rateLimitPerMinute,
      trustedProxies: props.trustedProxies ?? defaults.trustedProxies,
      runDir: RUN_DIR,
    });

    const name = `${props.server.name}-auth-proxy`;
    this.configMap = new kplus.ConfigMap(this, 'ConfigMap', {
      metadata: { name, labels: recommendedLabels(props.installation, 'auth') },
      data: { 'nginx.conf': this.nginxConf },
    });

    const deployment = props.server.deployment;
    const container = deployment.addContainer({
      name: PROXY_CONTAINER,
      image: props.image ?? defaults.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      // Not the image's entrypoint script: it rewrites files under /etc/nginx, which is read-only here.
      command: ['nginx'],
      args: ['-c', `${CONFIG_DIR}/nginx.conf`, '-e', 'stderr', '-g', 'daemon off;'],
      ...hardenedContainer(PROXY_PORT, PROXY_PORT_NAME, NGINX_UID),
    });
    container.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(this, 'ConfigVolume', this.configMap, { name: 'auth-proxy-config' }), { readOnly: true });
    container.mount(RUN_DIR, kplus.Volume.fromEmptyDir(this, 'RunVolume', 'auth-proxy-run', {
      medium: kplus.EmptyDirMedium.MEMORY,
      sizeLimit: Size.mebibytes(16),
    }));
    deployment.podMetadata.addAnnotation(PROXY_CONFIG_CHECKSUM_ANNOTATION, createHash('sha256').update(this.nginxConf).digest('hex'));
    const index = deployment.containers.indexOf(container);
    ApiObject.of(deployment).addJsonPatch(...hardenedContainerPatches(index, props.resources ?? defaults.resources));
    props.server.service.bind(PROXY_PORT, { name: PROXY_PORT_NAME, targetPort: PROXY_PORT });

    this.route = new WriteRoute(this, 'Route', {
      installation: props.installation,
      kind: props.routeKind ?? DEFAULTS.route.kind,
      host: props.host,
      path: this.writePath,
      serviceName: props.server.service.name,
      servicePort: PROXY_PORT,
      ingressClassName: props.ingressClassName,
      tlsSecretName: props.tlsSecretName,
      gateway: props.gateway,
    });
  }
}
