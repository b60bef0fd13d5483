import { IConstruct } from 'constructs';

/**
 * What stands in front of the write path and asks Grafana whether the browser's session is
 * valid. ingress-nginx is the one implemented; Traefik ForwardAuth or a Gateway API policy
 * would be further implementations of this interface, chosen by `auth.front` in the config.
 */
export interface IAuthFront extends IConstruct {
  /** Path on Grafana's host that the hidden panel posts beacons to (its `server` option). */
  readonly writePath: string;
  /** The URL asked, per beacon, whether the request carries a valid Grafana session. */
  readonly authUrl: string;
}
