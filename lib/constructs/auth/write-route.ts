import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { propsCheck } from '../internal/props-check';
import { RouteKind } from '../../config/schema';
import { recommendedLabels } from '../labels';

/** Gateway API v1 HTTPRoute, standard channel, Core fields only (no filter). */
export const HTTPROUTE_API_VERSION = 'gateway.networking.k8s.io/v1';

export interface WriteRouteProps {
  /** Installation name: the object name derives from it. */
  readonly installation: string;
  /** `ingress` or `httproute`. */
  readonly kind: RouteKind;
  /** Grafana's public host. */
  readonly host: string;
  /** The public write path, matched exactly. */
  readonly path: string;
  /** Service and port the route sends to. */
  readonly serviceName: string;
  readonly servicePort: number;
  /**
   * IngressClass (kind ingress).
   * @default - none: the cluster's default IngressClass
   */
  readonly ingressClassName?: string;
  /**
   * Annotations of the Ingress (kind ingress).
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /**
   * TLS Secret for the host (kind ingress; an HTTPRoute's TLS is the Gateway listener's).
   * @default - no TLS section
   */
  readonly tlsSecretName?: string;
  /** Parent Gateway (kind httproute, required then). */
  readonly gateway?: { readonly name: string; readonly namespace: string; readonly sectionName?: string };
}

/**
 * The write path's route to a Service port: an Ingress, or a Gateway API HTTPRoute. Only the
 * write path itself matches (Exact, a Core match in both APIs): nothing else reaches the backend.
 */
const checkProps = propsCheck({
  construct: 'WriteRoute',
  required: ['installation', 'host', 'path', 'serviceName', 'servicePort'],
  props: {
    installation: 'name',
    host: 'grafana.host',
    // The whole path on the host, sub-path included: a path of the same form.
    path: 'ingress.writePath',
    serviceName: 'grafana.service.name',
    servicePort: 'grafana.service.port',
    ingressClassName: 'ingress.className',
    tlsSecretName: 'ingress.tlsSecretName',
  },
});

export class WriteRoute extends Construct {
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: WriteRouteProps) {
    super(scope, id);
    checkProps(props, this);
    const metadata = {
      name: `${props.installation}-analytics-write`,
      labels: recommendedLabels(props.installation, 'ingress'),
    };
    if (props.kind === 'ingress') {
      if (props.gateway) throw new Error('WriteRoute: gateway is for kind httproute only');
      this.resource = new k8s.KubeIngress(this, 'Resource', {
        metadata: { ...metadata, annotations: props.annotations },
        spec: {
          ingressClassName: props.ingressClassName,
          tls: props.tlsSecretName ? [{ hosts: [props.host], secretName: props.tlsSecretName }] : undefined,
          rules: [{
            host: props.host,
            http: {
              paths: [{
                path: props.path,
                pathType: 'Exact',
                backend: { service: { name: props.serviceName, port: { number: props.servicePort } } },
              }],
            },
          }],
        },
      });
      return;
    }
    const offending = [
      props.tlsSecretName !== undefined && 'tlsSecretName (TLS belongs to the Gateway listener)',
      props.ingressClassName !== undefined && 'ingressClassName',
      props.annotations !== undefined && 'annotations',
      props.gateway === undefined && 'no gateway (required)',
    ].filter(Boolean);
    if (offending.length > 0) throw new Error(`WriteRoute of kind httproute: ${offending.join(', ')}`);
    const gateway = props.gateway!;
    const spec: HttpRouteSpec = {
      parentRefs: [{
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        name: gateway.name,
        namespace: gateway.namespace,
        ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}),
      }],
      hostnames: [props.host],
      rules: [{
        matches: [{ path: { type: 'Exact', value: props.path } }],
        backendRefs: [{ group: '', kind: 'Service', name: props.serviceName, port: props.servicePort }],
      }],
    };
    this.resource = new ApiObject(this, 'Resource', { apiVersion: HTTPROUTE_API_VERSION, kind: 'HTTPRoute', metadata, spec });
  }
}

/** The HTTPRoute fields this library writes (Gateway API v1, standard channel). */
interface HttpRouteSpec {
  readonly parentRefs: readonly {
    readonly group: string;
    readonly kind: string;
    readonly name: string;
    readonly namespace: string;
    readonly sectionName?: string;
  }[];
  readonly hostnames: readonly string[];
  readonly rules: readonly {
    readonly matches: readonly { readonly path: { readonly type: 'Exact' | 'PathPrefix'; readonly value: string } }[];
    readonly backendRefs: readonly { readonly group: string; readonly kind: string; readonly name: string; readonly port: number }[];
  }[];
}
