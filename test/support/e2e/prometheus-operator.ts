/**
 * Translates a ServiceMonitor into a Prometheus scrape job the way prometheus-operator does
 * (v0.6x-v0.9x, `pkg/prometheus/promcfg.go` `generateServiceMonitorConfig`), and stands in for
 * Kubernetes service discovery with static targets that carry the same `__meta_kubernetes_*`
 * labels the `endpoints` role would give them for a Service. The operator's relabelings then
 * select the targets, so a ServiceMonitor whose selector or port does not match its Service
 * scrapes nothing here, as it would in a cluster.
 */
import { KubeObject } from '../../../lib/constructs/synth';

interface Endpoint {
  readonly port?: string;
  readonly path?: string;
  readonly scheme?: string;
  readonly interval?: string;
  readonly scrapeTimeout?: string;
  readonly honorLabels?: boolean;
  readonly metricRelabelings?: readonly RelabelConfig[];
  readonly relabelings?: readonly RelabelConfig[];
}

interface RelabelConfig {
  readonly action?: string;
  readonly sourceLabels?: readonly string[];
  readonly separator?: string;
  readonly targetLabel?: string;
  readonly regex?: string;
  readonly modulus?: number;
  readonly replacement?: string;
}

interface ServiceMonitorSpec {
  readonly selector: { readonly matchLabels?: Record<string, string>; readonly matchExpressions?: unknown[] };
  readonly namespaceSelector?: unknown;
  readonly endpoints: readonly Endpoint[];
}

/** The labels Kubernetes `endpoints` discovery gives each address behind a Service port. */
export function discoveredTargets(service: KubeObject, addresses: readonly string[]): { targets: string[]; labels: Record<string, string> }[] {
  const labels = (service.metadata.labels ?? {});
  const ports = (service.spec as { ports: { name?: string }[] }).ports;
  return ports.map(port => ({
    targets: [...addresses],
    labels: {
      __meta_kubernetes_namespace: service.metadata.namespace ?? 'default',
      __meta_kubernetes_service_name: service.metadata.name,
      ...Object.fromEntries(Object.entries(labels).flatMap(([k, v]) => [
        [`__meta_kubernetes_service_label_${sanitize(k)}`, v],
        [`__meta_kubernetes_service_labelpresent_${sanitize(k)}`, 'true'],
      ])),
      __meta_kubernetes_endpoint_port_name: port.name ?? '',
    },
  }));
}

/** The scrape job for endpoint `index` of a ServiceMonitor, over the given discovered targets. */
export function scrapeJob(serviceMonitor: KubeObject, index: number, targets: ReturnType<typeof discoveredTargets>): Record<string, unknown> {
  const spec = serviceMonitor.spec as ServiceMonitorSpec;
  const namespace = serviceMonitor.metadata.namespace ?? 'default';
  if (spec.namespaceSelector !== undefined) throw new Error('namespaceSelector is not modelled');
  if (spec.selector.matchExpressions !== undefined) throw new Error('matchExpressions is not modelled');
  const ep = spec.endpoints[index];
  if (ep.port === undefined) throw new Error('only endpoints with a named port are modelled');
  if (ep.relabelings !== undefined) throw new Error('endpoint relabelings are not modelled');
  const matchLabels = Object.entries(spec.selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    job_name: `serviceMonitor/${namespace}/${serviceMonitor.metadata.name}/${index}`,
    honor_labels: ep.honorLabels ?? false,
    ...(ep.interval ? { scrape_interval: ep.interval } : {}),
    ...(ep.scrapeTimeout ? { scrape_timeout: ep.scrapeTimeout } : {}),
    metrics_path: ep.path ?? '/metrics',
    scheme: ep.scheme ?? 'http',
    static_configs: targets,
    relabel_configs: [
      // kubernetes_sd_configs' `namespaces: [<the ServiceMonitor's namespace>]`.
      { source_labels: ['__meta_kubernetes_namespace'], regex: namespace, action: 'keep' },
      { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
      ...matchLabels.map(([k, v]) => ({
        action: 'keep',
        source_labels: [`__meta_kubernetes_service_label_${sanitize(k)}`, `__meta_kubernetes_service_labelpresent_${sanitize(k)}`],
        regex: `(${v});true`,
      })),
      { action: 'keep', source_labels: ['__meta_kubernetes_endpoint_port_name'], regex: ep.port },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'job', replacement: '${1}' },
      { target_label: 'endpoint', replacement: ep.port },
    ],
    ...(ep.metricRelabelings ? { metric_relabel_configs: ep.metricRelabelings.map(toPrometheusRelabel) } : {}),
  };
}

function toPrometheusRelabel(r: RelabelConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.sourceLabels !== undefined) out.source_labels = r.sourceLabels;
  if (r.separator !== undefined) out.separator = r.separator;
  if (r.targetLabel !== undefined) out.target_label = r.targetLabel;
  if (r.regex !== undefined) out.regex = r.regex;
  if (r.modulus !== undefined) out.modulus = r.modulus;
  if (r.replacement !== undefined) out.replacement = r.replacement;
  // The CRD accepts either case; Prometheus wants lower case.
  if (r.action !== undefined) out.action = r.action.toLowerCase();
  return out;
}

/** Prometheus' label-name sanitizing of Kubernetes label keys. */
function sanitize(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_');
}
