import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { ResourceQuantities } from '../config/schema';
import { DEFAULTS } from '../config/defaults';
import { maxCacheSizeFor } from '../config/internal/sizes';
import { SERVER_PORT, SERVER_PORT_NAME } from '../config/constants';
import { propsCheck } from './internal/props-check';
import { imageVersion, recommendedLabels, selectorLabels } from './labels';

export interface AnalyticsServerProps {
  /** Installation name: object names and the selector derive from it. */
  readonly installation: string;
  /**
   * Image of the analytics server.
   * @default 'docker.io/macropower/analytics-panel-server:0.0.1'
   */
  readonly image?: string;
  /**
   * Replicas. The session cache is per pod: with more than one, durations double-count.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Container resources as Kubernetes quantities.
   * @default - requests 10m CPU / 32Mi memory, limits 200m CPU / 128Mi memory
   */
  readonly resources?: ResourceQuantities;
  /**
   * Node selector of the pod. The published image is amd64-only.
   * @default { 'kubernetes.io/arch': 'amd64' }
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Opt-in: keep `user_login` and `user_name` as metric labels, i.e. store who viewed what.
   * Removes `--disable-user-metrics`.
   * @default false
   */
  readonly storeUserIdentityInMetrics?: boolean;
  /**
   * Opt-in: log every session with the user's email, login and name. Removes `--disable-session-log`.
   * @default false
   */
  readonly logSessions?: boolean;
  /**
   * Sessions kept in memory; the whole cache is flushed when exceeded.
   * @default - sized to the memory limit: half of it at twice the default 8k body per session (4096 for 128Mi)
   */
  readonly maxCacheSize?: number;
}

const checkProps = propsCheck({
  construct: 'AnalyticsServer',
  required: ['installation'],
  props: {
    installation: 'name',
    image: 'server.image',
    replicas: 'server.replicas',
    resources: 'server.resources',
    nodeSelector: 'server.nodeSelector',
    storeUserIdentityInMetrics: 'server.storeUserIdentityInMetrics',
    logSessions: 'server.logSessions',
    maxCacheSize: 'server.maxCacheSize',
  },
});

/** The unprivileged `nobody` user the image's Dockerfile runs as. */
const NOBODY = 65534;

/** The name of an installation's server, its Service and so Prometheus' `job` label of its series. */
export function analyticsServerName(installation: string): string {
  return `${installation}-analytics`;
}

/**
 * The analytics server: a ServiceAccount without token, a Deployment hardened to the
 * "restricted" Pod Security Standard, and a ClusterIP Service on port `web`.
 */
export class AnalyticsServer extends Construct {
  /** Base name of the server's objects. */
  public readonly name: string;
  /** Labels selecting the server's pods; stable for the life of the installation. */
  public readonly selectorLabels: Record<string, string>;
  /** Whether user identity labels are kept in metrics (the opt-in). */
  public readonly storeUserIdentityInMetrics: boolean;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly deployment: kplus.Deployment;
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: AnalyticsServerProps) {
    super(scope, id);
    checkProps(props, this);
    const defaults = DEFAULTS.server;
    this.name = analyticsServerName(props.installation);
    this.selectorLabels = selectorLabels(props.installation);
    this.storeUserIdentityInMetrics = props.storeUserIdentityInMetrics ?? defaults.storeUserIdentityInMetrics;
    const image = props.image ?? defaults.image;
    const version = imageVersion(image);
    const labels = {
      ...recommendedLabels(props.installation, 'server'),
      ...(version ? { 'app.kubernetes.io/version': version } : {}),
    };
    const metadata = { name: this.name, labels };

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata, automountToken: false });

    const resources = props.resources ?? defaults.resources;
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata,
      replicas: props.replicas ?? defaults.replicas,
      // cdk8s-plus would select on a label that carries a construct-path hash; selectors are immutable.
      select: false,
      podMetadata: { labels },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: NOBODY, group: NOBODY },
      containers: [{
        name: 'server',
        image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        args: serverArgs({
          storeUserIdentityInMetrics: this.storeUserIdentityInMetrics,
          logSessions: props.logSessions ?? defaults.logSessions,
          maxCacheSize: props.maxCacheSize ?? maxCacheSizeFor(resources.limits.memory, DEFAULTS.ingress.maxBodySize),
        }),
        // Its probe is a TCP check: probing /metrics would inflate the exporter's scrape counters.
        ...hardenedContainer(SERVER_PORT, SERVER_PORT_NAME, NOBODY),
      }],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: this.selectorLabels }));
    // cdk8s-plus-25 has no API for capabilities, seccomp or a plain nodeSelector, rounds memory to
    // whole Mi, and always labels pods with a construct-path hash, which would restart them
    // whenever the construct tree moves.
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/nodeSelector', props.nodeSelector ?? defaults.nodeSelector),
      ...hardenedContainerPatches(0, resources),
    );

    this.service = new kplus.Service(this, 'Service', {
      metadata,
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: SERVER_PORT_NAME, port: SERVER_PORT, targetPort: SERVER_PORT }],
    });
    for (const [key, value] of Object.entries(this.selectorLabels)) this.service.selectLabel(key, value);
  }
}

/** The server's flags: privacy on unless explicitly opted out, one flag at a time. */
export function serverArgs(options: {
  readonly storeUserIdentityInMetrics: boolean;
  readonly logSessions: boolean;
  readonly maxCacheSize: number;
}): string[] {
  return [
    ...(options.storeUserIdentityInMetrics ? [] : ['--disable-user-metrics']),
    ...(options.logSessions ? [] : ['--disable-session-log']),
    // Always: variable values may be personal, and a non-string value crashes the logger.
    '--disable-variable-log',
    '--log-format=json',
    `--max-cache-size=${options.maxCacheSize}`,
  ];
}

/**
 * What every container of the server's Pod has: a TCP probe on its port, and the restricted Pod
 * Security Standard's context (non-root as `uid`, read-only root filesystem, no privilege).
 */
export function hardenedContainer(
  port: number,
  portName: string,
  uid: number,
): Pick<kplus.ContainerProps, 'ports' | 'readiness' | 'liveness' | 'securityContext'> {
  return {
    ports: [{ number: port, name: portName }],
    readiness: kplus.Probe.fromTcpSocket({ port }),
    liveness: kplus.Probe.fromTcpSocket({ port }),
    securityContext: {
      ensureNonRoot: true,
      user: uid,
      group: uid,
      privileged: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    },
  };
}

/**
 * The rest of a hardened container, which cdk8s-plus-25 has no API for: every capability dropped,
 * and resources as exact quantities (it rounds memory to whole Mi).
 */
export function hardenedContainerPatches(index: number, resources: ResourceQuantities): JsonPatch[] {
  const at = `/spec/template/spec/containers/${index}`;
  return [
    JsonPatch.add(`${at}/securityContext/capabilities`, { drop: ['ALL'] }),
    // Quantity objects: the L1 serializer that runs after patches reads their `value`.
    JsonPatch.replace(`${at}/resources`, { requests: quantities(resources.requests), limits: quantities(resources.limits) }),
  ];
}

/** Container resources as the Quantity objects cdk8s serializes after patches. */
export function quantities(values: { readonly cpu: string; readonly memory: string }): Record<string, kplus.k8s.Quantity> {
  return { cpu: kplus.k8s.Quantity.fromString(values.cpu), memory: kplus.k8s.Quantity.fromString(values.memory) };
}
