import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { DEFAULTS, FRONT_DEFAULTS } from '../../config/defaults';
import { bytesOf } from '../../config/internal/sizes';
import { SERVER_PORT } from '../../config/constants';
import { traefikMiddlewareId } from '../../config/internal/derived-names';
import { propsCheck } from '../internal/props-check';
import { recommendedLabels } from '../labels';
import { frontPaths, IAuthFront, WritePathFrontProps } from './auth-front';
import { BURST_MULTIPLIER } from './nginx-auth-proxy-conf';
import { WriteRoute } from './write-route';

export const TRAEFIK_MIDDLEWARE_API_VERSION = 'traefik.io/v1alpha1';
/** The annotation that attaches Middlewares to an Ingress's router, applied in order. */
export const TRAEFIK_MIDDLEWARES_ANNOTATION = 'traefik.ingress.kubernetes.io/router.middlewares';

export interface TraefikAuthFrontProps extends WritePathFrontProps {
  /** Namespace the Middlewares live in (the Ingress's): their references name it. */
  readonly namespace: string;
  /**
   * IngressClass of the Traefik controller.
   * @default 'traefik'
   */
  readonly ingressClassName?: string;
  /**
   * TLS Secret for the host.
   * @default - no TLS section
   */
  readonly tlsSecretName?: string;
}

/** One Middleware's spec: exactly one middleware type per object, as Traefik requires. */
interface MiddlewareSpec {
  readonly forwardAuth?: { readonly address: string; readonly authRequestHeaders: readonly string[] };
  readonly buffering?: { readonly maxRequestBodyBytes: number };
  readonly rateLimit?: { readonly average: number; readonly period: string; readonly burst: number };
  readonly replacePath?: { readonly path: string };
}

/**
 * The write path behind Traefik: Middlewares (`traefik.io/v1alpha1`) for ForwardAuth to Grafana's
 * `/api/user` (GET with the browser's Cookie only; 2xx passes, any other answer goes back to the
 * browser), a body limit, a per-client rate limit and the rewrite to `/write`, attached to the
 * write Ingress in that order, ForwardAuth first.
 */
const checkProps = propsCheck({
  construct: 'TraefikAuthFront',
  required: ['installation', 'namespace', 'host'],
  props: {
    installation: 'name',
    namespace: 'namespace',
    host: 'grafana.host',
    writePath: 'ingress.writePath',
    maxBodySize: 'ingress.maxBodySize',
    rateLimitPerMinute: 'ingress.rateLimitPerMinute',
    ingressClassName: 'ingress.className',
    tlsSecretName: 'ingress.tlsSecretName',
    // Never a prop: the config's rules about the front see this one.
    front: 'auth.front',
  },
});

export class TraefikAuthFront extends Construct implements IAuthFront {
  public readonly writePath: string;
  public readonly authUrl: string;
  public readonly podPort = SERVER_PORT;
  public readonly asksGrafanaFromPod = false;
  public readonly middlewares: ApiObject[];
  public readonly route: WriteRoute;

  constructor(scope: Construct, id: string, props: TraefikAuthFrontProps) {
    super(scope, id);
    checkProps(props, this, { front: 'traefik' });
    ({ writePath: this.writePath, authUrl: this.authUrl } = frontPaths(props));
    const rate = props.rateLimitPerMinute ?? DEFAULTS.ingress.rateLimitPerMinute;
    const specs: [string, MiddlewareSpec][] = [
      ['forward-auth', { forwardAuth: { address: this.authUrl, authRequestHeaders: ['Cookie'] } }],
      ['body-size', { buffering: { maxRequestBodyBytes: bytesOf(props.maxBodySize ?? DEFAULTS.ingress.maxBodySize) } }],
      ...(rate > 0
        ? [['rate-limit', { rateLimit: { average: rate, period: '1m', burst: rate * BURST_MULTIPLIER } }] as [string, MiddlewareSpec]]
        : []),
      ['replace-path', { replacePath: { path: '/write' } }],
    ];
    this.middlewares = specs.map(([suffix, spec]) => new ApiObject(this, suffix, {
      apiVersion: TRAEFIK_MIDDLEWARE_API_VERSION,
      kind: 'Middleware',
      metadata: { name: `${props.server.name}-${suffix}`, labels: recommendedLabels(props.installation, 'auth') },
      spec,
    }));
    this.route = new WriteRoute(this, 'Route', {
      installation: props.installation,
      kind: 'ingress',
      host: props.host,
      path: this.writePath,
      serviceName: props.server.service.name,
      servicePort: SERVER_PORT,
      ingressClassName: props.ingressClassName ?? FRONT_DEFAULTS.traefik.className,
      tlsSecretName: props.tlsSecretName,
      annotations: {
        [TRAEFIK_MIDDLEWARES_ANNOTATION]: this.middlewares.map(m => traefikMiddlewareId(props.namespace, m.name)).join(','),
      },
    });
  }
}
