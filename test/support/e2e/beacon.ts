/**
 * Beacons exactly as plugin 2.1.0 builds them in the browser: `dashboard.uid` is taken from the
 * page path (`location.pathname.split('/')[2]`, src/utils.ts getUidFromPath) and `dashboard.name`
 * is the hidden panel's `dashboard` option after Grafana's template substitution.
 */
import { PLUGIN_ID } from '../../../lib/config/constants';
import { Payload, Viewer } from './fake-analytics-server';

export interface DashboardModel {
  readonly uid: string;
  readonly title: string;
  readonly panels?: readonly { readonly type?: string; readonly options?: { readonly analyticsOptions?: Record<string, unknown> } }[];
}

/** The hidden panel's options as the dashboard carries them. */
export function analyticsOptions(dashboard: DashboardModel): Record<string, unknown> {
  const panel = (dashboard.panels ?? []).find(p => p.type === PLUGIN_ID);
  if (!panel?.options?.analyticsOptions) throw new Error(`dashboard ${dashboard.uid} has no ${PLUGIN_ID} panel`);
  return panel.options.analyticsOptions;
}

/** Grafana's substitution of the global dashboard variables in a panel option. */
export function interpolate(text: string, dashboard: { readonly uid: string; readonly title: string }): string {
  return text
    .replace(/\$\{__dashboard\.uid\}/g, dashboard.uid)
    .replace(/\$\{__dashboard(?::[a-z]+)?\}|\[\[__dashboard\]\]|\$__dashboard\b/g, dashboard.title);
}

/** What the plugin reads as the uid from a page path. */
export function uidFromPath(pathname: string): string {
  return pathname.split('/')[2];
}

export interface BeaconOptions {
  readonly type: 'start' | 'heartbeat' | 'end';
  readonly uuid: string;
  /** Grafana's public URL root, e.g. `https://grafana.example.com/` or `https://example.com/a/grafana/`. */
  readonly rootUrl: string;
  readonly dashboard: DashboardModel;
  readonly viewer: Viewer;
  /** Unix seconds. */
  readonly time: number;
  readonly theme?: 'light' | 'dark';
  readonly locale?: string;
  readonly timezone?: string;
}

/** A payload of plugin 2.1.0 for a view of `dashboard` at `<rootUrl>d/<uid>/<slug>`. */
export function beacon(o: BeaconOptions): Payload {
  const root = new URL(o.rootUrl);
  const slug = o.dashboard.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const pathname = `${root.pathname.replace(/\/$/, '')}/d/${o.dashboard.uid}/${slug}`;
  const options = analyticsOptions(o.dashboard);
  return {
    uuid: o.uuid,
    type: o.type,
    hasFocus: true,
    options: {
      postStart: options.postStart as boolean,
      postEnd: options.postEnd as boolean,
      postHeartbeat: options.postHeartbeat as boolean,
      heartbeatInterval: options.heartbeatInterval as number,
      heartbeatAlways: options.heartbeatAlways as boolean,
    },
    host: {
      hostname: root.hostname,
      port: root.port || (root.protocol === 'https:' ? '443' : '80'),
      protocol: root.protocol,
      buildInfo: { version: '12.1.0', commit: 'abcdef0', env: 'production', edition: 'Open Source' },
      licenseInfo: { hasLicense: false, expiry: 0, stateInfo: '' },
    },
    dashboard: { name: interpolate(String(options.dashboard), o.dashboard), uid: uidFromPath(pathname) },
    user: {
      isSignedIn: true,
      id: 7,
      login: o.viewer.login,
      email: o.viewer.email,
      name: o.viewer.name,
      lightTheme: o.theme === 'light',
      orgCount: 1,
      orgId: 1,
      orgName: 'Main Org.',
      orgRole: o.viewer.role === 'admin' ? 'Admin' : o.viewer.role === 'editor' ? 'Editor' : 'Viewer',
      isGrafanaAdmin: o.viewer.role === 'admin',
      timezone: o.timezone ?? 'browser',
      locale: o.locale ?? 'en-US',
      hasEditPermissionInFolders: o.viewer.role !== 'user',
    },
    variables: [{ name: 'cluster', label: 'Cluster', type: 'query', multi: false, values: ['prod'] }],
    timeRange: { from: 'now-6h', to: 'now', raw: { from: 'now-6h', to: 'now' } },
    timeZone: 'utc',
    // The page loaded a second before the beacon (seconds, as in the server's own tests).
    timeOrigin: o.time - 1,
    time: o.time,
  };
}
