/**
 * What makes a dashboard one the library can provision: a JSON object with a stable `uid` (the
 * usage dashboard matches sessions to dashboards by it), a title, and panels laid out on the grid,
 * fitting one ConfigMap. The files themselves are read by the app layer (lib/app/internal/dashboard-files.ts).
 */
import * as path from 'path';
import { DashboardFile, ResolvedInstallation } from './schema';
import { ConfigProblem, quote } from './problems';

/** Kubernetes' limit on the data of one ConfigMap (keys and values): each dashboard gets one. */
export const MAX_CONFIG_MAP_BYTES = 1024 * 1024;

/**
 * Room kept in a dashboard's ConfigMap for the hidden analytics panel the library adds, the
 * panels it moves down and the file name (the key). The panel takes about 1 KiB (test/hostile).
 */
export const HIDDEN_PANEL_RESERVE_BYTES = 16 * 1024;

/**
 * Deepest nesting of a dashboard's JSON. Grafana's own dashboards nest fewer than 15 levels; the
 * library's serializers recurse per level and overflow the stack some thousand levels down.
 */
export const MAX_DASHBOARD_NESTING = 100;

/** The dashboard files of a config, read and checked, by absolute path. */
export interface DashboardFiles {
  /** The checked file behind a path as written in the config. */
  readonly lookup: (configPath: string) => DashboardFile;
  /** Every problem found, at the first config path that names the file. */
  readonly problems: ConfigProblem[];
}

/** Grafana's own rule for a dashboard uid. */
const UID = /^[A-Za-z0-9_-]{1,40}$/;

/** What makes `json` unusable as a dashboard model, if anything. */
export function dashboardModelProblem(json: unknown): string | undefined {
  if (!isObject(json)) return `is not a Grafana dashboard: expected a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}`;
  if ('dashboard' in json && !('panels' in json)) {
    return 'holds an API envelope ({"dashboard": ...}); provide the dashboard model itself (Export > Export as JSON)';
  }
  if (typeof json.uid !== 'string' || !UID.test(json.uid)) {
    return `"uid" got ${quote(json.uid)}; allowed: 1 to 40 letters, digits, '-' and '_' (a provisioned dashboard needs a stable uid)`;
  }
  if (typeof json.title !== 'string' || json.title.trim() === '') {
    return `"title" got ${quote(json.title)}; allowed: a non-empty string`;
  }
  if ('rows' in json) return 'uses the pre-5.0 "rows" layout; open and save it in a current Grafana first';
  if (json.panels === undefined) return undefined;
  if (!Array.isArray(json.panels)) return `"panels" got ${typeof json.panels}; allowed: a list of panels`;
  for (const [i, panel] of json.panels.entries()) {
    const at = `"panels[${i}]"`;
    if (!isObject(panel)) return `${at} is not an object`;
    if (!isGridPos(panel.gridPos)) return `${at}.gridPos got ${quote(panel.gridPos)}; allowed: {x, y, w, h} numbers`;
    if (panel.panels !== undefined) {
      if (!Array.isArray(panel.panels)) return `${at}.panels is not a list`;
      for (const [k, nested] of panel.panels.entries()) {
        if (!isObject(nested) || !isGridPos(nested.gridPos)) return `${at}.panels[${k}] is not a panel with a gridPos {x, y, w, h}`;
      }
    }
  }
  return undefined;
}

/** Checks within one installation: dashboard uids and the names derived from the files must be unique. */
export function installationDashboardProblems(installations: readonly ResolvedInstallation[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  installations.forEach((inst, i) => {
    const uids = new Map<string, string>();
    const slugs = new Map<string, string>();
    inst.dashboards.forEach((d, j) => {
      const at = `installations[${i}].dashboards[${j}]`;
      const sameUid = uids.get(d.dashboard.uid);
      if (sameUid !== undefined) {
        problems.push({ path: at, message: `file ${quote(d.file)} has uid "${d.dashboard.uid}", already used by ${quote(sameUid)}; dashboard uids `
          + `must be unique per Grafana` });
      }
      uids.set(d.dashboard.uid, d.file);
      const slug = dashboardSlug(d.file);
      const sameSlug = slugs.get(slug);
      if (sameSlug !== undefined) {
        problems.push({ path: at, message: `file ${quote(d.file)} gets the ConfigMap name suffix "${slug}" of ${quote(sameSlug)}; rename one of `
          + `the files` });
      }
      slugs.set(slug, d.file);
    });
  });
  return problems;
}

/** The stable name part derived from a dashboard file name: `My Board.json` -> `my-board`. */
export function dashboardSlug(file: string): string {
  const slug = path.basename(file, '.json').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.substring(0, 100).replace(/-+$/, '') || 'dashboard';
}

/** A JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isGridPos(v: unknown): boolean {
  return isObject(v) && ['x', 'y', 'w', 'h'].every(k => typeof v[k] === 'number');
}
