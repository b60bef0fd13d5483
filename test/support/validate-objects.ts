/**
 * Validates synthesized objects against the Kubernetes schemas (kubernetes-models 4.5) and the
 * ServiceMonitor against prometheus-operator's (@kubernetes-models/prometheus-operator 4.4).
 * These validators ignore unknown fields; the strict unknown-field check is test/support/kube-schema.ts
 * on main (not merged into this branch yet).
 */
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { KubeObject } from '../../lib';

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/** Throws, naming the object, when it breaks its schema or has a kind we cannot check. */
export function validateObject(object: KubeObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no schema to validate ${object.apiVersion} ${object.kind} ${object.metadata.name}`);
  try {
    new Model(object).validate();
  } catch (e) {
    throw new Error(`${object.kind} ${object.metadata.namespace}/${object.metadata.name}: ${(e as Error).message}`);
  }
}
