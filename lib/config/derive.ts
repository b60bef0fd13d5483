/**
 * Values derived from settings, computed here only: resolution stores each in the resolved
 * installation, and a construct used alone derives what it was not given through these same functions.
 */
import { joinPaths } from './paths';

/** Grafana's `serve_from_sub_path` when the config does not say: true with a sub-path. */
export function defaultServeFromSubPath(subPath: string): boolean {
  return subPath !== '/';
}

/** The write path on Grafana's host that beacons are posted to: the beacon path below the sub-path. */
export function publicWritePath(subPath: string, writePath: string): string {
  return joinPaths(subPath, writePath);
}

/** The public auth path on Grafana's host (auth.mode via-ingress): below the sub-path. */
export function viaIngressPublicPath(subPath: string, viaIngressPath: string): string {
  return joinPaths(subPath, viaIngressPath);
}

/** Grafana's `/api/user` as Grafana serves it: under the sub-path only when it serves from it. */
export function apiUserPath(subPath: string, serveFromSubPath: boolean): string {
  return joinPaths(serveFromSubPath ? subPath : '/', '/api/user');
}

/** Where Grafana's Service is. */
export interface GrafanaServiceAddress {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  readonly clusterDomain: string;
}

/** Grafana's `/api/user` through its Service's FQDN (nginx's resolver uses no search domains). */
export function inClusterAuthUrl(service: GrafanaServiceAddress, userPath: string): string {
  return `http://${service.name}.${service.namespace}.svc.${service.clusterDomain}:${service.port}${userPath}`;
}

/** The via-ingress auth URL: the public auth path on the host the beacon came to, https with TLS. */
export function viaIngressAuthUrl(tls: boolean, publicAuthPath: string): string {
  return `${tls ? 'https' : 'http'}://$host${publicAuthPath}`;
}
