/**
 * Traefik's handling of the synthesized write Ingress and its Middlewares, run by Debian's Caddy
 * (Traefik is not packaged; DESIGN.md section 10). Each Middleware becomes the Caddy directive
 * with Traefik's semantics, in the order of the `router.middlewares` annotation:
 *
 * - forwardAuth -> `forward_auth`: a GET to the address (Caddy adds the client's query string and
 *   sends every header, Traefik only `authRequestHeaders`: the tests do not depend on either),
 *   2xx passes, any other answer goes back to the client; an unreachable auth server is a 502
 *   in Caddy, a 500 in Traefik: both refuse.
 * - buffering.maxRequestBodyBytes -> a 413 for a larger Content-Length and `request_body
 *   max_size` for chunked bodies (Traefik reads the whole body before forwarding it).
 * - replacePath -> `rewrite` (the query string is kept, as in Traefik).
 * - rateLimit is NOT run: Caddy 2.6 has no rate limiter. Its values are asserted in
 *   test/auth-fronts.test.ts only.
 *
 * Any other Middleware type, Middleware field or Ingress annotation is refused, so a change to
 * what the library emits cannot pass these tests unmodelled.
 */
import { KubeObject } from '../../../lib/constructs/synth';

const MIDDLEWARES_ANNOTATION = 'traefik.ingress.kubernetes.io/router.middlewares';

/** A Service of the test cluster and the loopback port of the fake behind it. */
export interface LoopbackService {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
  readonly loopbackPort: number;
}

type Json = Record<string, any>;

function only(object: Json, allowed: readonly string[], what: string): void {
  const extra = Object.keys(object).filter(k => !allowed.includes(k));
  if (extra.length > 0) throw new Error(`${what}: unmodelled ${extra.join(', ')}`);
}

/** `http://<svc>.<ns>.svc.<domain>:<port>/path` -> the fake's loopback address and the path. */
function inCluster(url: string, services: readonly LoopbackService[], domain: string): { address: string; path: string } {
  const match = /^http:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.([a-z0-9.-]+):(\d+)(\/\S*)$/.exec(url);
  if (!match || match[3] !== domain) throw new Error(`${url} is not an in-cluster Service URL of ${domain}`);
  const service = services.find(s => s.name === match[1] && s.namespace === match[2] && s.port === Number(match[4]));
  if (!service) throw new Error(`no Service ${match[2]}/${match[1]}:${match[4]} in the test cluster`);
  return { address: `127.0.0.1:${service.loopbackPort}`, path: match[5] };
}

/** One Caddy site block for one write Ingress, on `port`. */
export function renderCaddyfile(options: {
  readonly port: number;
  readonly dataDir: string;
  readonly ingress: KubeObject;
  readonly middlewares: readonly KubeObject[];
  readonly services: readonly LoopbackService[];
  readonly clusterDomain: string;
}): string {
  const ingress = options.ingress as Json;
  only(ingress.metadata.annotations ?? {}, [MIDDLEWARES_ANNOTATION], `Ingress ${ingress.metadata.name} annotations`);
  only(ingress.spec, ['ingressClassName', 'rules', 'tls'], `Ingress ${ingress.metadata.name} spec`);
  const lines: string[] = [];
  for (const ref of String(ingress.metadata.annotations[MIDDLEWARES_ANNOTATION]).split(',')) {
    const middleware = options.middlewares.find(m => `${m.metadata.namespace}-${m.metadata.name}@kubernetescrd` === ref) as Json | undefined;
    if (!middleware) throw new Error(`Middleware ${ref} is not synthesized`);
    const spec = middleware.spec as Json;
    const [type, ...more] = Object.keys(spec);
    if (more.length > 0) throw new Error(`Middleware ${ref}: one type per Middleware, got ${Object.keys(spec).join(', ')}`);
    const config = spec[type] as Json;
    switch (type) {
      case 'forwardAuth': {
        only(config, ['address', 'authRequestHeaders'], `forwardAuth ${ref}`);
        const target = inCluster(config.address, options.services, options.clusterDomain);
        lines.push(`forward_auth ${target.address} {`, `\turi ${target.path}`, '}');
        break;
      }
      case 'buffering':
        only(config, ['maxRequestBodyBytes'], `buffering ${ref}`);
        lines.push(
          `@tooLarge expression int({http.request.header.Content-Length}) > ${Number(config.maxRequestBodyBytes)}`,
          'respond @tooLarge 413',
          'request_body {', `\tmax_size ${Number(config.maxRequestBodyBytes)}`, '}',
        );
        break;
      case 'rateLimit':
        only(config, ['average', 'period', 'burst'], `rateLimit ${ref}`);
        break;
      case 'replacePath':
        only(config, ['path'], `replacePath ${ref}`);
        lines.push(`rewrite * ${config.path}`);
        break;
      default:
        throw new Error(`Middleware ${ref}: type ${type} is not modelled`);
    }
  }
  const sites = (ingress.spec.rules as Json[]).flatMap(rule => (rule.http.paths as Json[]).map(p => {
    if (p.pathType !== 'Exact') throw new Error(`pathType ${p.pathType} is not modelled`);
    const backend = options.services.find(
      s => s.name === p.backend.service.name && s.namespace === ingress.metadata.namespace && s.port === p.backend.service.port.number,
    );
    if (!backend) throw new Error(`no Service for the backend ${JSON.stringify(p.backend)}`);
    return [
      `\t@write {`, `\t\thost ${rule.host}`, `\t\tpath ${p.path}`, '\t}',
      '\troute @write {',
      ...lines.map(l => `\t\t${l}`),
      `\t\treverse_proxy 127.0.0.1:${backend.loopbackPort}`,
      '\t}',
    ].join('\n');
  }));
  return [
    '{', '\tadmin off', '\tauto_https off', `\tstorage file_system ${options.dataDir}`, '}',
    // Any Host, as Traefik's entrypoint: the write Ingress's host matcher decides.
    `http://:${options.port} {`,
    '\tbind 127.0.0.1',
    ...sites,
    // Paths Traefik has no router for: its 404.
    '\trespond 404',
    '}',
    '',
  ].join('\n');
}
