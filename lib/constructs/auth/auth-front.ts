import { IConstruct } from 'constructs';
import { joinPaths } from '../../config/paths';

/**
 * What stands in front of the write path and asks Grafana whether the browser's session is
 * valid, chosen by `auth.front` in the config: ingress-nginx annotations, Traefik ForwardAuth
 * Middlewares, or an nginx auth proxy in the server's Pod behind any Ingress or HTTPRoute.
 */
export interface IAuthFront extends IConstruct {
  /** Path on Grafana's host that the hidden panel posts beacons to (its `server` option). */
  readonly writePath: string;
  /** The URL asked, per beacon, whether the request carries a valid Grafana session. */
  readonly authUrl: string;
  /** Container port of the server's Pod that the route's traffic arrives on. */
  readonly podPort: number;
  /** Whether the server's Pod itself asks Grafana (it then needs DNS and egress to Grafana's pods). */
  readonly asksGrafanaFromPod: boolean;
}

/** Where Grafana's Service is and how it serves. */
export interface GrafanaServiceRef {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  readonly clusterDomain: string;
  readonly subPath: string;
  readonly serveFromSubPath: boolean;
}

/** Grafana's `/api/user` through its Service's FQDN (nginx's resolver uses no search domains); under the sub-path only when Grafana serves from it. */
export function inClusterApiUserUrl(grafana: GrafanaServiceRef): string {
  const apiUserPath = joinPaths(grafana.serveFromSubPath ? grafana.subPath : '/', '/api/user');
  return `http://${grafana.name}.${grafana.namespace}.svc.${grafana.clusterDomain}:${grafana.port}${apiUserPath}`;
}
