/**
 * Names that consumers build by joining a namespace and a name with `-`: two different objects of
 * two installations can get one such name, and the consumer then keeps one of them for both. Each
 * rule restates the consumer's own code (named below); test/hostile/derived-names.test.ts checks
 * that the names predicted here are the ones the synthesized objects make.
 *
 * Pure data.
 */
import { PROXY_PORT, SERVER_PORT } from '../constants';
import { ConfigProblem } from '../problems';
import { ResolvedInstallation } from '../schema';

/**
 * Traefik's `provider.Normalize` (traefik/traefik pkg/provider/configuration.go): every run of
 * characters that are neither letters nor numbers (Go's unicode.IsLetter, IsNumber) becomes one
 * `-`, and leading and trailing ones go.
 */
export function traefikNormalize(name: string): string {
  return name.split(/[^\p{L}\p{N}]+/u).filter(s => s.length > 0).join('-');
}

/**
 * The ID Traefik's Kubernetes CRD provider gives a Middleware, as an Ingress annotation references
 * it: `Normalize(makeID(namespace, name))` plus `@kubernetescrd` (pkg/provider/kubernetes/crd/kubernetes.go,
 * loadConfigurationFromCRDs and makeID). Traefik keeps one Middleware per ID: the last one loaded.
 */
export function traefikMiddlewareId(namespace: string, name: string): string {
  return `${traefikNormalize(`${namespace}-${name}`)}@kubernetescrd`;
}

/** The Middlewares of the traefik front, in the order the write Ingress applies them (lib/constructs/auth/traefik-auth-front.ts). */
export function traefikMiddlewareNames(inst: ResolvedInstallation): string[] {
  const server = analyticsServerName(inst.name);
  return ['forward-auth', 'body-size', ...(inst.ingress.rateLimitPerMinute > 0 ? ['rate-limit'] : []), 'replace-path'].map(s => `${server}-${s}`);
}

/** Base name of the analytics server's objects (its Deployment and Service). */
export function analyticsServerName(installation: string): string {
  return `${installation}-analytics`;
}

/** A Service port an Ingress of the library sends to: namespace, Service and port number. */
interface Backend {
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
}

/** The Service backends of the Ingresses an installation writes (none with route.kind httproute). */
function ingressBackends(inst: ResolvedInstallation): Backend[] {
  if (inst.route.kind !== 'ingress') return [];
  const server = { namespace: inst.namespace, service: analyticsServerName(inst.name), port: inst.auth.front === 'proxy' ? PROXY_PORT : SERVER_PORT };
  const grafana = inst.auth.front === 'ingress-nginx' && inst.auth.mode === 'via-ingress'
    ? [{ namespace: inst.grafana.service.namespace, service: inst.grafana.service.name, port: inst.grafana.service.port }]
    : [];
  return [server, ...grafana];
}

/** One name a consumer derives, and the object it stands for (equal names of one object are no clash). */
export interface DerivedName {
  readonly consumer: string;
  readonly name: string;
  readonly object: string;
}

/**
 * The names consumers derive from an installation's objects. Ingress backends count for both
 * controllers whatever the IngressClass: its name does not say which controller serves it.
 */
export function derivedNames(inst: ResolvedInstallation): DerivedName[] {
  const middlewares = inst.auth.front === 'traefik'
    ? traefikMiddlewareNames(inst).map(name => ({ consumer: 'Traefik Middleware '
      + 'ID', name: traefikMiddlewareId(inst.namespace, name), object: `Middleware ${inst.namespace}/${name}` }))
    : [];
  const backends = ingressBackends(inst).flatMap(b => [
    // ingress-nginx's upstreamName (internal/ingress/controller/util.go): the first Ingress's Service wins (controller.go createUpstreams).
    { consumer: 'ingress-nginx upstream', name: `${b.namespace}-${b.service}-${b.port}`, object: `Service ${b.namespace}/${b.service} port `
      + `${b.port}` },
    // Traefik's Ingress provider: Normalize(namespace-service-port) (pkg/provider/kubernetes/ingress/kubernetes.go); the first one wins.
    { consumer: 'Traefik service key', name: traefikNormalize(`${b.namespace}-${b.service}-${b.port}`), object: `Service `
      + `${b.namespace}/${b.service} port ${b.port}` },
  ]);
  return [...middlewares, ...backends];
}

/**
 * Two installations that may share a cluster (the same `cluster`, or either without one) must
 * not give two different objects one derived name: the consumer would send one installation's
 * beacons through the other's Middleware or to the other's server.
 */
export function derivedNameProblems(installations: readonly ResolvedInstallation[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, { index: number; derived: DerivedName; cluster?: string }[]>();
  installations.forEach((inst, i) => {
    // One problem per other installation and consumer: its first clashing name says it.
    const reported = new Set<string>();
    for (const derived of derivedNames(inst)) {
      const key = `${derived.consumer}|${derived.name}`;
      const earlier = seen.get(key) ?? [];
      const other = earlier.find(e => e.derived.object !== derived.object && e.index !== i
        && (e.cluster === undefined || inst.cluster === undefined || e.cluster === inst.cluster));
      if (other && !reported.has(`${other.index}|${derived.consumer}`)) {
        reported.add(`${other.index}|${derived.consumer}`);
        const where = inst.cluster === undefined || other.cluster === undefined ? 'one cluster (a cluster is not set)' : `cluster "${inst.cluster}"`;
        problems.push({
          path: `installations[${i}].namespace`,
          message: `got "${inst.namespace}", whose ${derived.object} has the ${derived.consumer} "${derived.name}" that `
            + `installations[${other.index}] ("${installations[other.index].name}") gives its ${other.derived.object} too, in ${where}; allowed: `
            + `a namespace and name that no other installation's join into the same ${derived.consumer} (the consumer keeps one object for both)`,
        });
      }
      seen.set(key, [...earlier, { index: i, derived, cluster: inst.cluster }]);
    }
  });
  return problems;
}
