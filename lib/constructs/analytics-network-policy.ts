import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { AnalyticsServer } from './analytics-server';
import { DEFAULTS, SERVER_PORT } from '../config/defaults';
import { propsCheck } from '../config/props';
import { recommendedLabels } from './labels';

export interface AnalyticsNetworkPolicyProps {
  /** Installation name: the object name derives from it. */
  readonly installation: string;
  /** The server whose pods the policy isolates. */
  readonly server: AnalyticsServer;
  /**
   * Namespace of the ingress controller that forwards beacons.
   * @default 'ingress-nginx'
   */
  readonly ingressControllerNamespace?: string;
  /**
   * Namespace of the Prometheus that scrapes the server.
   * @default 'monitoring'
   */
  readonly prometheusNamespace?: string;
}

const checkProps = propsCheck({
  construct: 'AnalyticsNetworkPolicy',
  required: ['installation'],
  props: {
    installation: 'name',
    ingressControllerNamespace: 'networkPolicy.ingressControllerNamespace',
    prometheusNamespace: 'networkPolicy.prometheusNamespace',
  },
});

/**
 * Isolates the server: ingress on its port only from the ingress controller's and Prometheus'
 * namespaces (matched by the `kubernetes.io/metadata.name` label), and no egress at all: the
 * server calls nothing, not even DNS.
 */
export class AnalyticsNetworkPolicy extends Construct {
  public readonly resource: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: AnalyticsNetworkPolicyProps) {
    super(scope, id);
    checkProps(props, this);
    const namespaces = [
      props.ingressControllerNamespace ?? DEFAULTS.networkPolicy.ingressControllerNamespace,
      props.prometheusNamespace ?? DEFAULTS.networkPolicy.prometheusNamespace,
    ];
    this.resource = new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.server.name, labels: recommendedLabels(props.installation, 'network-policy') },
      spec: {
        podSelector: { matchLabels: props.server.selectorLabels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{
          from: [...new Set(namespaces)].map(ns => ({
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
          })),
          ports: [{ port: k8s.IntOrString.fromNumber(SERVER_PORT), protocol: 'TCP' }],
        }],
        egress: [],
      },
    });
  }
}
