import { IConstruct } from 'constructs';
import { DEFAULTS } from '../../config/defaults';
import { apiUserPath, inClusterAuthUrl, publicWritePath } from '../../config/derive';
import { AnalyticsServer } from '../analytics-server';

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

/** What every front of the write path takes: where beacons come in, and how much of them passes. */
export interface WritePathFrontProps {
  /** Installation name: object names derive from it. */
  readonly installation: string;
  /** The analytics server the write path leads to. */
  readonly server: AnalyticsServer;
  /** Grafana's public host. */
  readonly host: string;
  /** Grafana's Service, asked per beacon whether the browser's session is valid. */
  readonly grafana: GrafanaServiceRef;
  /**
   * Beacon path below the sub-path.
   * @default '/analytics-plugin/write'
   */
  readonly writePath?: string;
  /**
   * Path on Grafana's host the hidden panel posts beacons to (`writePath` below the sub-path), as
   * `resolveConfig` stores it in `ingress.publicWritePath`; the installation chart passes that.
   * @default - `grafana.subPath` and `writePath` joined by the config's derivation
   */
  readonly publicWritePath?: string;
  /**
   * The URL asked, per beacon, whether the request carries a valid Grafana session, as
   * `resolveConfig` stores it in `auth.url`; the installation chart passes that.
   * @default - Grafana's `/api/user` through its Service (`grafana`), by the config's derivation
   */
  readonly authUrl?: string;
  /**
   * Largest request body on the write path (nginx size: k and m are 1024 and 1024²).
   * @default '8k'
   */
  readonly maxBodySize?: string;
  /**
   * Beacons per minute per client IP (burst 5x, as ingress-nginx allows); 0 disables the limit.
   * @default 300
   */
  readonly rateLimitPerMinute?: number;
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

/**
 * The write path and the auth URL of a front built from `WritePathFrontProps`: as given (the resolved
 * installation's `ingress.publicWritePath` and `auth.url`), or, for a front used alone, through the
 * config's own derivations.
 */
export function frontPaths(props: WritePathFrontProps): { readonly writePath: string; readonly authUrl: string } {
  const { grafana } = props;
  return {
    writePath: props.publicWritePath ?? publicWritePath(grafana.subPath, props.writePath ?? DEFAULTS.ingress.writePath),
    authUrl: props.authUrl ?? inClusterAuthUrl(grafana, apiUserPath(grafana.subPath, grafana.serveFromSubPath)),
  };
}
