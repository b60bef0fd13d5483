/**
 * Rules about one resolved installation that come from what consumes the output: the Kubernetes
 * API server's validation beyond the OpenAPI schema, the Gateway API CRD, nginx. The schema's
 * patterns cannot express them. Each is tested against that consumer (test/hostile/consumer-rules.test.ts),
 * or, where it cannot run here, against its schema and source, named there.
 *
 * Pure data: the rules have the shape of installation-rules.ts's `InstallationRule` and join its list.
 */
import { isIPv6 } from 'net';
import { quote } from '../problems';
import { ResolvedInstallation, ResourceQuantities } from '../schema';

/** A rule as installation-rules.ts's `InstallationRule` (structurally: that module imports this one). */
interface Rule {
  readonly path: string;
  readonly explicitOnly?: boolean;
  readonly applies: (inst: ResolvedInstallation) => boolean;
  readonly message: (inst: ResolvedInstallation) => string;
}

/**
 * The longest path of an HTTPRoute match (Gateway API v1 `HTTPPathMatch.value`, `maxLength: 1024`
 * in gateway.networking.k8s.io_httproutes.yaml). It bounds the public write and auth paths of every
 * route kind: the hidden panel of each dashboard ConfigMap carries the write path, within the
 * ConfigMap's reserve (HIDDEN_PANEL_RESERVE_BYTES), and an Ingress carries it in an annotation too.
 */
export const MAX_ROUTE_PATH_LENGTH = 1024;

/** The IPv6 part of a trusted proxy the schema accepted (hex groups and colons) that is no IPv6 address. */
export function trustedProxyProblem(cidr: string): string | undefined {
  if (!cidr.includes(':')) return undefined; // IPv4: the schema's pattern is exact
  const address = cidr.split('/')[0];
  // Node's parser is stricter than nginx's (which takes ":1::2"): what it accepts, nginx does.
  return isIPv6(address) ? undefined : `${quote(address)} is not an IPv6 address`;
}

/**
 * A CPU or memory quantity the schema accepted, as an exact number: thousandths of a core, or
 * bytes. Kubernetes compares quantities exactly (resource.Quantity.Cmp).
 */
export function quantityValue(quantity: string): bigint {
  const memory = /^([0-9]+)(Ki|Mi|Gi)$/.exec(quantity);
  if (memory) return BigInt(memory[1]) * { Ki: 1024n, Mi: 1024n ** 2n, Gi: 1024n ** 3n }[memory[2] as 'Ki' | 'Mi' | 'Gi'];
  const milli = /^([0-9]+)m$/.exec(quantity);
  if (milli) return BigInt(milli[1]);
  const [whole, fraction = ''] = quantity.split('.');
  return BigInt(whole) * 1000n + BigInt(fraction.padEnd(3, '0'));
}

/** `requests.cpu "2" above limits.cpu "1"`, for each resource whose request exceeds its limit. */
export function requestAboveLimit(resources: ResourceQuantities): string | undefined {
  const above = (['cpu', 'memory'] as const)
    .filter(r => quantityValue(resources.requests[r]) > quantityValue(resources.limits[r]))
    .map(r => `requests.${r} ${quote(resources.requests[r])} above limits.${r} ${quote(resources.limits[r])}`);
  return above.length > 0 ? above.join(' and ') : undefined;
}

/** The public paths an installation routes: the write path, and the via-ingress auth path. */
function routedPaths(inst: ResolvedInstallation): [string, string][] {
  const paths: [string, string][] = [['ingress.writePath', inst.ingress.publicWritePath]];
  if (inst.auth.mode === 'via-ingress') paths.push(['auth.viaIngressPath', inst.auth.viaIngressPublicPath]);
  return paths;
}

const tooLong = (inst: ResolvedInstallation, field: string) =>
  routedPaths(inst).find(([f, p]) => f === field && p.length > MAX_ROUTE_PATH_LENGTH)?.[1];

/** Bytes of an nginx size the schema accepted (digits, optional k or m), exactly. */
function sizeBytes(size: string): bigint {
  const unit = size.endsWith('k') ? 1024n : size.endsWith('m') ? 1024n ** 2n : 1n;
  return BigInt(size.replace(/[km]$/, '')) * unit;
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

export const CONSUMER_RULES: readonly Rule[] = [
  {
    // The traefik front writes the limit as the Middleware's `buffering.maxRequestBodyBytes`, an
    // int64 (traefik.io_middlewares.yaml): a JSON number beyond 2^53-1 is rounded, 2^63-1 up to 2^63,
    // which the API server cannot decode into an int64.
    path: 'ingress.maxBodySize',
    applies: inst => inst.auth.front === 'traefik' && sizeBytes(inst.ingress.maxBodySize) > MAX_EXACT,
    message: inst => `got ${quote(inst.ingress.maxBodySize)}, ${sizeBytes(inst.ingress.maxBodySize)} bytes, while auth.front is "traefik"; `
      + `allowed: at most ${MAX_EXACT} bytes (8589934591m), which the Middleware's maxRequestBodyBytes holds exactly`,
  },
  {
    path: 'proxy.trustedProxies',
    applies: inst => inst.proxy.trustedProxies.some(p => trustedProxyProblem(p) !== undefined),
    message: inst => {
      const i = inst.proxy.trustedProxies.findIndex(p => trustedProxyProblem(p) !== undefined);
      return `got ${quote(inst.proxy.trustedProxies[i])} at [${i}]: ${trustedProxyProblem(inst.proxy.trustedProxies[i])}; allowed: an IPv4 or `
        + `IPv6 address or CIDR, such as 10.0.0.0/8 or fd00::/8 (nginx refuses the proxy's set_real_ip_from otherwise)`;
    },
  },
  // The API server refuses a container whose request exceeds its limit (ValidateResourceRequirements,
  // kubernetes pkg/apis/core/validation/validation.go: "must be less than or equal to ... limit").
  ...(['server.resources', 'proxy.resources'] as const).map((path): Rule => ({
    path,
    applies: inst => requestAboveLimit(resourcesAt(inst, path)) !== undefined,
    message: inst => `got ${requestAboveLimit(resourcesAt(inst, path))}; allowed: requests at most their limits (the API server refuses the `
      + `Deployment otherwise)`,
  })),
  ...(['ingress.writePath', 'auth.viaIngressPath'] as const).map((path): Rule => ({
    path,
    applies: inst => tooLong(inst, path) !== undefined,
    message: inst => {
      const full = tooLong(inst, path) as string;
      return `got ${quote(valueOf(inst, path))}, which makes the public path ${full.length} characters long with grafana.subPath; allowed: at `
        + `most ${MAX_ROUTE_PATH_LENGTH} for grafana.subPath and it together (the Gateway API's limit on an HTTPRoute path)`;
    },
  })),
];

function resourcesAt(inst: ResolvedInstallation, path: 'server.resources' | 'proxy.resources'): ResourceQuantities {
  return path === 'server.resources' ? inst.server.resources : inst.proxy.resources;
}

function valueOf(inst: ResolvedInstallation, path: 'ingress.writePath' | 'auth.viaIngressPath'): string {
  return path === 'ingress.writePath' ? inst.ingress.writePath : inst.auth.viaIngressPath;
}
