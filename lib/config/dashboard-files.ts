/**
 * Reads the dashboard JSON files a config lists, once each, and checks that each is a dashboard
 * the library can provision: a JSON object with a stable `uid` (the usage dashboard matches
 * sessions to dashboards by it), a title, and panels laid out on the grid.
 *
 * Part of config resolution, so the constructs never touch the file system.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AnalyticsConfig, DashboardFile, ResolvedInstallation } from './schema';
import { ConfigProblem } from './problems';

/** Grafana's own rule for a dashboard uid. */
const UID = /^[A-Za-z0-9_-]{1,40}$/;

/** The dashboard files of a config, read and checked, by absolute path. */
export interface DashboardFiles {
  /** The checked file behind a path as written in the config. */
  readonly lookup: (configPath: string) => DashboardFile;
  /** Every problem found, at the first config path that names the file. */
  readonly problems: ConfigProblem[];
}

/** Reads every dashboard file of `defaults` and the installations; relative paths start at `baseDir`. */
export function readDashboardFiles(config: AnalyticsConfig, baseDir: string): DashboardFiles {
  const files = new Map<string, DashboardFile>();
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  const visit = (list: readonly string[] | undefined, at: string) => (list ?? []).forEach((p, j) => {
    const file = path.resolve(baseDir, p);
    if (seen.has(file)) return;
    seen.add(file);
    const result = readDashboardFile(file);
    if (typeof result === 'string') problems.push({ path: `${at}.dashboards[${j}]`, message: `file ${JSON.stringify(file)}: ${result}` });
    else files.set(file, result);
  });
  // The schema has checked the shape; its static type does not name the optional keys.
  type WithDashboards = { readonly dashboards?: readonly string[] };
  visit((config.defaults as WithDashboards | undefined)?.dashboards, 'defaults');
  config.installations.forEach((inst, i) => visit((inst as WithDashboards).dashboards, `installations[${i}]`));
  return {
    problems,
    lookup: (configPath) => {
      const file = files.get(path.resolve(baseDir, configPath));
      if (!file) throw new Error(`dashboard file ${configPath} was not read`);
      return file;
    },
  };
}

/** One file: the checked dashboard, or what is wrong with it. */
export function readDashboardFile(file: string): DashboardFile | string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return `cannot read it: ${(e as Error).message}`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `is not valid JSON: ${(e as Error).message}`;
  }
  const problem = dashboardModelProblem(json);
  return problem ?? { file, dashboard: json as DashboardFile['dashboard'] };
}

/** What makes `json` unusable as a dashboard model, if anything. */
export function dashboardModelProblem(json: unknown): string | undefined {
  if (!isObject(json)) return `is not a Grafana dashboard: expected a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}`;
  if ('dashboard' in json && !('panels' in json)) {
    return 'holds an API envelope ({"dashboard": ...}); provide the dashboard model itself (Export > Export as JSON)';
  }
  if (typeof json.uid !== 'string' || !UID.test(json.uid)) {
    return `"uid" got ${JSON.stringify(json.uid) ?? 'nothing'}; allowed: 1 to 40 letters, digits, '-' and '_' (a provisioned dashboard needs a stable uid)`;
  }
  if (typeof json.title !== 'string' || json.title.trim() === '') {
    return `"title" got ${JSON.stringify(json.title) ?? 'nothing'}; allowed: a non-empty string`;
  }
  if ('rows' in json) return 'uses the pre-5.0 "rows" layout; open and save it in a current Grafana first';
  if (json.panels === undefined) return undefined;
  if (!Array.isArray(json.panels)) return `"panels" got ${typeof json.panels}; allowed: a list of panels`;
  for (const [i, panel] of json.panels.entries()) {
    const at = `"panels[${i}]"`;
    if (!isObject(panel)) return `${at} is not an object`;
    if (!isGridPos(panel.gridPos)) return `${at}.gridPos got ${JSON.stringify(panel.gridPos) ?? 'nothing'}; allowed: {x, y, w, h} numbers`;
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
        problems.push({ path: at, message: `file ${JSON.stringify(d.file)} has uid "${d.dashboard.uid}", already used by ${JSON.stringify(sameUid)}; dashboard uids must be unique per Grafana` });
      }
      uids.set(d.dashboard.uid, d.file);
      const slug = dashboardSlug(d.file);
      const sameSlug = slugs.get(slug);
      if (sameSlug !== undefined) {
        problems.push({ path: at, message: `file ${JSON.stringify(d.file)} gets the ConfigMap name suffix "${slug}" of ${JSON.stringify(sameSlug)}; rename one of the files` });
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isGridPos(v: unknown): boolean {
  return isObject(v) && ['x', 'y', 'w', 'h'].every(k => typeof v[k] === 'number');
}
