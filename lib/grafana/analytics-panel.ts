/**
 * The hidden analytics panel, and how it is added to a dashboard.
 *
 * The panel posts a beacon to `server` when the dashboard loads (and, as configured, heartbeats
 * and an end beacon). The browser sends the Grafana cookie only to its own origin, so `server` is
 * a path on Grafana's host: the write Ingress path of the same installation.
 */
import { DEFAULTS } from '../config/defaults';
import { PLUGIN_ID } from '../config/constants';

/** A Grafana dashboard model (JSON), as exported from Grafana or read from a file. */
export type DashboardJson = Readonly<Record<string, unknown>>;

/**
 * The hidden panel as JSON (a panel of Grafana's dashboard schema). Our own type, not the SDK's
 * `dashboard.Panel`: the SDK's subpath modules do not resolve under `module: commonjs`, so a
 * public signature naming them would break the compile of a standard cdk8s project.
 */
export interface AnalyticsPanelJson {
  readonly type: string;
  readonly title: string;
  readonly transparent: boolean;
  readonly pluginVersion: string;
  readonly gridPos: { readonly h: number; readonly w: number; readonly x: number; readonly y: number };
  readonly options: {
    readonly analyticsOptions: {
      readonly server: string;
      readonly dashboard: string;
      readonly showDetails: boolean;
      readonly postStart: boolean;
      readonly postEnd: boolean;
      readonly postHeartbeat: boolean;
      readonly heartbeatInterval: number;
      readonly heartbeatAlways: boolean;
      readonly flatten: boolean;
    };
  };
}

export interface AnalyticsPanelProps {
  /** Path on Grafana's host the beacons go to: the write Ingress path, e.g. `/analytics-plugin/write`. */
  readonly server: string;
  /**
   * The `dashboard` option: what the server records as `dashboard_name`, after Grafana's template
   * substitution. The library writes each provisioned dashboard's literal uid here: the plugin's own
   * `dashboard.uid` comes from the page path and is a path segment (`d`) under a sub-path.
   * @default '$__dashboard' (the title)
   */
  readonly dashboard?: string;
  /**
   * Send a heartbeat beacon every `heartbeatIntervalSeconds` while the dashboard has focus.
   * @default false
   */
  readonly heartbeat?: boolean;
  /**
   * Seconds between heartbeats.
   * @default 60
   */
  readonly heartbeatIntervalSeconds?: number;
  /**
   * Send an end beacon when the dashboard is left (not when the tab is closed).
   * @default true
   */
  readonly endBeacon?: boolean;
  /**
   * Version of the plugin, recorded as the panel's `pluginVersion`.
   * @default '2.1.0'
   */
  readonly pluginVersion?: string;
}

/** Height of the hidden panel in grid units. */
const PANEL_HEIGHT = 1;
/** Width of Grafana's dashboard grid. */
const GRID_WIDTH = 24;

/**
 * The hidden panel: transparent, blank title, one unit high, full width, details hidden. Grafana
 * skips a panel with an empty title's header; the two spaces keep it blank but present.
 */
export function analyticsPanel(props: AnalyticsPanelProps): AnalyticsPanelJson {
  if (!props.server.startsWith('/') || props.server.includes('//')) {
    throw new Error(`analytics panel server got "${props.server}"; allowed: an absolute path on Grafana's host such as /analytics-plugin/write`);
  }
  return {
    type: PLUGIN_ID,
    title: '  ',
    transparent: true,
    pluginVersion: props.pluginVersion ?? DEFAULTS.panel.pluginVersion,
    gridPos: { h: PANEL_HEIGHT, w: GRID_WIDTH, x: 0, y: 0 },
    options: {
      analyticsOptions: {
        server: props.server,
        dashboard: props.dashboard ?? '$__dashboard',
        showDetails: false,
        postStart: true,
        postEnd: props.endBeacon ?? DEFAULTS.panel.endBeacon,
        postHeartbeat: props.heartbeat ?? DEFAULTS.panel.heartbeat,
        heartbeatInterval: props.heartbeatIntervalSeconds ?? DEFAULTS.panel.heartbeatIntervalSeconds,
        // Heartbeats from tabs in the background would count time nobody spent looking.
        heartbeatAlways: false,
        // The server reads the nested payload; flattening is for Telegraf.
        flatten: false,
      },
    },
  };
}

/**
 * A deep copy as plain JSON. Not structuredClone: the SDK's builders leave marker functions on
 * queries, which JSON drops and structuredClone rejects.
 */
function toJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

type PanelJson = Record<string, unknown> & { gridPos?: { y: number; h?: number }; panels?: PanelJson[]; id?: unknown; type?: unknown };

/**
 * Returns a copy of `dashboard` with `panel` at the top, outside every row; the input is not
 * modified. Any panel of the same type already present (at the top, in a row, or in a collapsed
 * row) is replaced, so adding twice gives the same dashboard as adding once. The other panels
 * move down only when something occupies the panel's place.
 */
export function addAnalyticsPanel<T extends object>(dashboard: T, panel: AnalyticsPanelJson): T {
  const height = panel.gridPos?.h ?? PANEL_HEIGHT;
  const copy = toJson(dashboard) as Record<string, unknown>;
  const others = ((copy.panels ?? []) as PanelJson[])
    .filter(p => p.type !== panel.type)
    .map(p => (Array.isArray(p.panels) ? { ...p, panels: p.panels.filter(n => n.type !== panel.type) } : p));
  const top = Math.min(...others.map(p => p.gridPos?.y ?? 0));
  const shift = others.length > 0 ? Math.max(0, height - top) : 0;
  const moved = (p: PanelJson): PanelJson => (p.gridPos && shift > 0 ? { ...p, gridPos: { ...p.gridPos, y: p.gridPos.y + shift } } : p);
  const shifted = others.map(p => {
    const m = moved(p);
    // A collapsed row keeps its panels inside it, at the positions they take when it expands.
    return Array.isArray(m.panels) ? { ...m, panels: m.panels.map(moved) } : m;
  });
  const ids = shifted.flatMap(p => [p.id, ...(p.panels ?? []).map(n => n.id)]).filter((id): id is number => typeof id === 'number');
  const added = { ...toJson(panel), id: Math.max(0, ...ids) + 1, gridPos: { h: height, w: panel.gridPos?.w ?? GRID_WIDTH, x: 0, y: 0 } };
  copy.panels = [added, ...shifted];
  return copy as T;
}
