/**
 * Renders an nginx configuration from Ingress objects the way ingress-nginx (controller v1.12-1.15,
 * `rootfs/etc/nginx/template/nginx.tmpl` and `internal/ingress/controller/template/template.go`)
 * renders the annotations this library uses: `auth-url`, `auth-method`, `rewrite-target`,
 * `proxy-body-size` and `limit-rpm`. Any other annotation of the controller is refused, so an
 * annotation added to the library cannot pass these tests unmodelled.
 *
 * What stands in for the cluster network: each Service a rule or `auth-url` names becomes an nginx
 * `upstream` pointing at the loopback port of its fake (the controller does the same with the
 * auth host when `auth-keepalive` is set), and each public host becomes an upstream pointing back
 * at this nginx (the load balancer a `$host` auth-url hairpins through). A Service the test
 * cluster does not have stays unresolvable, so nginx fails the request as a real one would.
 */
import { KubeObject } from '../../../lib/constructs/synth';

export const ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io/';
const MODELLED = new Set(['auth-url', 'auth-method', 'rewrite-target', 'proxy-body-size', 'limit-rpm']);
/** ingress-nginx's `limit-burst-multiplier` default. */
const LIMIT_BURST_MULTIPLIER = 5;

/** A Service of the test cluster and the loopback port of the fake behind it. */
export interface ClusterService {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
  readonly loopbackPort: number;
}

/** One cluster: its DNS domain, its Services and the Ingresses the controller serves. */
export interface Cluster {
  /** Short name, used in upstream names to keep clusters apart. */
  readonly name: string;
  readonly domain: string;
  readonly services: readonly ClusterService[];
  readonly ingresses: readonly KubeObject[];
}

interface IngressPath {
  readonly path: string;
  readonly pathType: string;
  readonly backend: { readonly service: { readonly name: string; readonly port: { readonly number: number } } };
}

interface IngressSpec {
  readonly rules: readonly { readonly host: string; readonly http: { readonly paths: readonly IngressPath[] } }[];
}

interface Location {
  readonly cluster: Cluster;
  readonly ingress: KubeObject;
  readonly annotations: Record<string, string>;
  readonly path: string;
  readonly pathType: string;
  readonly upstream: string;
}

export interface RenderOptions {
  /** Directory for pid, logs and temp files. */
  readonly prefix: string;
  /** The loopback port nginx listens on (plain HTTP: TLS is terminated in front in this model). */
  readonly port: number;
  readonly clusters: readonly Cluster[];
}

/** The nginx.conf text. Throws for anything the model does not cover. */
export function renderNginxConfig(options: RenderOptions): string {
  const upstreams = new Map<string, string>();
  const servers = new Map<string, Location[]>();
  const zones: string[] = [];

  for (const cluster of options.clusters) {
    for (const ingress of cluster.ingresses) {
      if (ingress.kind !== 'Ingress') throw new Error(`not an Ingress: ${ingress.kind}/${ingress.metadata.name}`);
      const annotations = controllerAnnotations(ingress);
      const namespace = ingress.metadata.namespace ?? 'default';
      for (const rule of (ingress.spec as IngressSpec).rules) {
        for (const p of rule.http.paths) {
          const service = p.backend.service;
          const upstream = serviceUpstream(
            cluster,
            namespace,
            service.name,
            service.port.number,
            upstreams,
            `Ingress ${namespace}/${ingress.metadata.name}`,
          );
          const locations = servers.get(rule.host) ?? [];
          // The controller splits a Prefix path without trailing slash into an exact location
          // and a prefix location with the slash.
          const split = p.pathType === 'Prefix' && p.path !== '/' && !p.path.endsWith('/')
            ? [{ path: p.path, pathType: 'Exact' }, { path: `${p.path}/`, pathType: 'Prefix' }]
            : [{ path: p.path, pathType: p.pathType }];
          for (const s of split) locations.push({ cluster, ingress, annotations, upstream, ...s });
          servers.set(rule.host, locations);
        }
      }
      if (annotations['limit-rpm'] !== undefined) {
        const rpm = nonNegativeInt(annotations['limit-rpm'], 'limit-rpm');
        if (rpm > 0) zones.push(`limit_req_zone $binary_remote_addr zone=${zoneName(cluster, ingress)}:5m rate=${rpm}r/m;`);
      }
    }
  }
  // Public DNS and load balancer: every public host leads back to this nginx.
  for (const host of servers.keys()) upstreams.set(host, `127.0.0.1:${options.port}`);

  const lines = [
    'worker_processes 1;',
    `pid ${options.prefix}/nginx.pid;`,
    `error_log ${options.prefix}/logs/error.log info;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${options.prefix}/logs/access.log;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(t => `  ${t}_temp_path ${options.prefix}/tmp/${t};`),
    '  server_tokens off;',
    ...zones.map(z => `  ${z}`),
    ...[...upstreams].map(([name, address]) => `  upstream ${name} { server ${address}; }`),
    '  server {',
    `    listen 127.0.0.1:${options.port} default_server;`,
    // The controller's default backend.
    '    location / { return 404; }',
    '  }',
    ...[...servers].flatMap(([host, locations]) => renderServer(host, locations, options.port, upstreams)),
    '}',
    '',
  ];
  return lines.join('\n');
}

function renderServer(host: string, locations: Location[], port: number, upstreams: Map<string, string>): string[] {
  // One rewrite (or use-regex, not modelled) on a host turns every path of the host into a
  // case-insensitive regex (DESIGN.md section 4).
  const enforceRegex = locations.some(l => l.annotations['rewrite-target'] !== undefined);
  // The controller sorts locations by path, descending, so longer paths match first.
  const sorted = [...locations].sort((a, b) => (a.path < b.path ? 1 : a.path > b.path ? -1 : 0));
  return [
    '  server {',
    `    listen 127.0.0.1:${port};`,
    `    server_name ${host};`,
    ...sorted.flatMap(l => renderLocation(l, enforceRegex, upstreams).map(line => `    ${line}`)),
    '  }',
  ];
}

function renderLocation(l: Location, enforceRegex: boolean, upstreams: Map<string, string>): string[] {
  const a = l.annotations;
  const match = enforceRegex ? `~* "^${l.path}"` : l.pathType === 'Exact' ? `= ${l.path}` : l.path;
  const lines: string[] = [];
  const authLocation = `/_external-auth-${Buffer.from(l.path).toString('base64url')}-${l.pathType}`;
  const bodySize = a['proxy-body-size'];
  if (bodySize !== undefined && !/^\d+[bkmg]?$/i.test(bodySize)) throw new Error(`proxy-body-size "${bodySize}" is not an nginx size`);

  if (a['auth-url'] !== undefined) {
    const auth = authTarget(a['auth-url'], l.cluster, upstreams);
    lines.push(
      `location = ${authLocation} {`,
      '  internal;',
      // The subrequest: no body, every client header (Cookie included), the configured method.
      '  proxy_pass_request_body off;',
      '  proxy_set_header Content-Length "";',
      '  proxy_set_header X-Forwarded-Proto "";',
      '  proxy_set_header X-Request-ID $request_id;',
      ...(a['auth-method'] !== undefined ? [
        `  proxy_method ${authMethod(a['auth-method'])};`,
        '  proxy_set_header X-Original-URI $request_uri;',
        '  proxy_set_header X-Scheme $scheme;',
      ] : []),
      `  proxy_set_header Host ${auth.hostHeader};`,
      '  proxy_set_header X-Original-URL $scheme://$http_host$request_uri;',
      '  proxy_set_header X-Original-Method $request_method;',
      '  proxy_set_header X-Sent-From "nginx-ingress-controller";',
      '  proxy_set_header X-Real-IP $remote_addr;',
      '  proxy_set_header X-Forwarded-For $remote_addr;',
      '  proxy_set_header X-Auth-Request-Redirect $request_uri;',
      '  proxy_buffering off;',
      '  proxy_http_version 1.1;',
      '  proxy_pass_request_headers on;',
      ...(bodySize !== undefined ? [`  client_max_body_size ${bodySize};`] : []),
      `  set $target ${auth.target};`,
      '  proxy_pass $target;',
      '}',
    );
  }

  lines.push(`location ${match} {`);
  if (bodySize !== undefined) lines.push(`  client_max_body_size ${bodySize};`);
  if (a['limit-rpm'] !== undefined && nonNegativeInt(a['limit-rpm'], 'limit-rpm') > 0) {
    const rpm = nonNegativeInt(a['limit-rpm'], 'limit-rpm');
    lines.push(`  limit_req zone=${zoneName(l.cluster, l.ingress)} burst=${rpm * LIMIT_BURST_MULTIPLIER} nodelay;`);
  }
  if (a['auth-url'] !== undefined) {
    lines.push(
      `  auth_request ${authLocation};`,
      '  auth_request_set $auth_cookie $upstream_http_set_cookie;',
      '  add_header Set-Cookie $auth_cookie;',
    );
  }
  lines.push(
    '  proxy_http_version 1.1;',
    '  proxy_set_header Host $host;',
    '  proxy_set_header X-Real-IP $remote_addr;',
    '  proxy_set_header X-Forwarded-For $remote_addr;',
    '  proxy_set_header X-Forwarded-Host $host;',
  );
  const target = a['rewrite-target'];
  if (target !== undefined) {
    if (!/^\/?[-._~a-zA-Z0-9/:$]*$/.test(target)) throw new Error(`rewrite-target "${target}" fails the controller's validation`);
    lines.push(`  rewrite "(?i)${l.path}" ${target} break;`);
  }
  lines.push(`  proxy_pass http://${l.upstream};`, '}');
  return lines;
}

/** The controller's annotations of an Ingress, without prefix; refuses those not modelled here. */
function controllerAnnotations(ingress: KubeObject): Record<string, string> {
  const all = (ingress.metadata.annotations ?? {});
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(ANNOTATION_PREFIX)) continue;
    const name = key.slice(ANNOTATION_PREFIX.length);
    if (!MODELLED.has(name)) {
      throw new Error(`Ingress ${ingress.metadata.name}: annotation ${key} is not modelled by test/support/e2e/ingress-nginx.ts; model it before `
        + `relying on it`);
    }
    out[name] = value;
  }
  return out;
}

/**
 * Where the auth subrequest goes. A URL naming a Service of the cluster
 * (`<svc>.<ns>.svc.<domain>[:port]`) goes to that Service's upstream; a URL whose host is an nginx
 * variable (`$host`) is left to nginx, which expands it per request and finds the public host's
 * upstream. Anything else is left unresolvable, as DNS would leave it.
 */
function authTarget(url: string, cluster: Cluster, upstreams: Map<string, string>): { target: string; hostHeader: string } {
  const m = /^(https?):\/\/([^/:?]+)(?::(\d+))?([/?].*)?$/.exec(url);
  if (!m) throw new Error(`auth-url "${url}" is not an absolute http(s) URL`);
  const [, scheme, host, port, rest = ''] = m;
  if (scheme === 'https') {
    throw new Error(`auth-url "${url}": https is not modelled (nginx here serves plain HTTP); add a TLS listener to the model first`);
  }
  if (host.includes('$')) {
    if (port !== undefined) throw new Error(`auth-url "${url}": an explicit port with a variable host is not modelled`);
    return { target: url, hostHeader: host };
  }
  const suffix = `.svc.${cluster.domain}`;
  if (host.endsWith(suffix)) {
    const parts = host.slice(0, -suffix.length).split('.');
    if (parts.length === 2) {
      const [name, namespace] = parts;
      const service = cluster.services.find(s => s.name === name && s.namespace === namespace && s.port === Number(port ?? 80));
      if (service) {
        const upstream = serviceUpstream(cluster, namespace, name, service.port, upstreams, `auth-url ${url}`);
        return { target: `${scheme}://${upstream}${rest}`, hostHeader: host };
      }
    }
  }
  return { target: url, hostHeader: host };
}

function serviceUpstream(cluster: Cluster, namespace: string, name: string, port: number, upstreams: Map<string, string>, user: string): string {
  const service = cluster.services.find(s => s.namespace === namespace && s.name === name && s.port === port);
  if (!service) {
    throw new Error(`${user} in cluster ${cluster.name} routes to Service ${namespace}/${name}:${port}, which the test cluster does not have`);
  }
  const upstream = `${cluster.name}-${namespace}-${name}-${port}`;
  upstreams.set(upstream, `127.0.0.1:${service.loopbackPort}`);
  return upstream;
}

function authMethod(method: string): string {
  if (!/^(GET|HEAD|POST|PUT|PATCH|DELETE|CONNECT|OPTIONS|TRACE)$/.test(method)) {
    throw new Error(`auth-method "${method}" fails the controller's validation`);
  }
  return method;
}

function nonNegativeInt(value: string, annotation: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`${annotation} "${value}" is not an integer`);
  return Number(value);
}

function zoneName(cluster: Cluster, ingress: KubeObject): string {
  return `${cluster.name}_${ingress.metadata.namespace ?? 'default'}_${ingress.metadata.name}_rpm`.replace(/[^A-Za-z0-9_]/g, '_');
}
