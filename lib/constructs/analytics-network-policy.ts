import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { AnalyticsServer } from './analytics-server';
import { DEFAULTS, INGRESS_NGINX_DEFAULTS } from '../config/defaults';
import { SERVER_PORT } from '../config/constants';
import { propsCheck } from './internal/props-check';
import { recommendedLabels } from './labels';

export interface AnalyticsNetworkPolicyProps {
  /** Installation name: the object name derives from it. */
  readonly installation: string;
  /** The server whose pods the policy isolates. */
  readonly server: AnalyticsServer;
  /**
   * Namespace of the ingress controller (or Gateway data plane) that forwards beacons.
   * @default 'ingress-nginx'
   */
  readonly ingressControllerNamespace?: string;
  /**
   * Namespace of the Prometheus that scrapes the server.
   * @default 'monitoring'
   */
  readonly prometheusNamespace?: string;
  /**
   * Container port the ingress controller reaches (the auth proxy's, when the Pod has one).
   * @default 8080 (the server's)
   */
  readonly controllerPort?: number;
  /**
   * Grafana's pods, when the Pod asks Grafana itself (the auth proxy): egress to them and to DNS.
   * @default - no egress at all
   */
  readonly grafanaPods?: { readonly namespace: string; readonly labels: Record<string, string>; readonly port: number };
}

const checkProps = propsCheck({
  construct: 'AnalyticsNetworkPolicy',
  required: ['installation'],
  props: {
    installation: 'name',
    ingressControllerNamespace: 'networkPolicy.ingressControllerNamespace',
    prometheusNamespace: 'networkPolicy.prometheusNamespace',
    // A port like any other: the config's rule for one.
    controllerPort: 'grafana.service.port',
  },
});

const TCP = 'TCP';
const port = (number: number, protocol = TCP) => ({ port: k8s.IntOrString.fromNumber(number), protocol });
const inNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });

/**
 * Isolates the server's pods: ingress only from the ingress controller's and Prometheus'
 * namespaces (matched by the `kubernetes.io/metadata.name` label). Without an auth proxy both
 * reach the server's port and there is no egress at all: the server calls nothing, not even DNS.
 * With one, the controller reaches only the proxy's port, Prometheus only the server's, and the
 * egress is cluster DNS and Grafana's pods on their container port (policies see pod ports).
 */
export class AnalyticsNetworkPolicy extends Construct {
  public readonly resource: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: AnalyticsNetworkPolicyProps) {
    super(scope, id);
    checkProps(props, this);
    const controller = props.ingressControllerNamespace ?? INGRESS_NGINX_DEFAULTS.ingressControllerNamespace;
    const prometheus = props.prometheusNamespace ?? DEFAULTS.networkPolicy.prometheusNamespace;
    const controllerPort = props.controllerPort ?? SERVER_PORT;
    const ingress: k8s.NetworkPolicyIngressRule[] = controllerPort === SERVER_PORT
      ? [{ from: [...new Set([controller, prometheus])].map(inNamespace), ports: [port(SERVER_PORT)] }]
      : [
        { from: [inNamespace(controller)], ports: [port(controllerPort)] },
        { from: [inNamespace(prometheus)], ports: [port(SERVER_PORT)] },
      ];
    const grafana = props.grafanaPods;
    const egress: k8s.NetworkPolicyEgressRule[] = grafana
      ? [
        // Any destination on port 53: the cluster DNS may be a node-local cache outside every pod selector.
        { ports: [port(53, 'UDP'), port(53)] },
        { to: [{ ...inNamespace(grafana.namespace), podSelector: { matchLabels: grafana.labels } }], ports: [port(grafana.port)] },
      ]
      : [];
    this.resource = new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.server.name, labels: recommendedLabels(props.installation, 'network-policy') },
      spec: {
        podSelector: { matchLabels: props.server.selectorLabels },
        policyTypes: ['Ingress', 'Egress'],
        ingress,
        egress,
      },
    });
  }
}
