/**
 * Reads the dashboard JSON files a config lists, once each, and checks each with the config's
 * dashboard rules (lib/config/dashboards.ts), so the constructs never touch the file system.
 */
import * as path from 'path';
import { DashboardFile } from '../../config/schema';
import {
  DashboardFiles,
  dashboardModelProblem,
  isObject,
  HIDDEN_PANEL_RESERVE_BYTES,
  MAX_CONFIG_MAP_BYTES,
  MAX_DASHBOARD_NESTING,
} from '../../config/dashboards';
import { ConfigProblem, quote } from '../../config/problems';
import { jsonNestingDepth, readInputFile } from './input-file';

/** Reads every dashboard file of `defaults` and the installations; relative paths start at `baseDir`. */
export function readDashboardFiles(config: unknown, baseDir: string): DashboardFiles {
  const files = new Map<string, DashboardFile>();
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  const visit = (list: unknown, at: string) => (Array.isArray(list) ? list : []).forEach((p: unknown, j) => {
    // A config that failed the schema is still read where it can be: every problem at once.
    if (typeof p !== 'string' || !p.endsWith('.json')) return;
    const file = path.resolve(baseDir, p);
    if (seen.has(file)) return;
    seen.add(file);
    const result = readDashboardFile(file);
    if (typeof result === 'string') problems.push({ path: `${at}.dashboards[${j}]`, message: `file ${quote(file)}: ${result}` });
    else files.set(file, result);
  });
  // The config may not have passed the schema: look into it with care.
  const dashboardsOf = (o: unknown) => (isObject(o) ? o.dashboards : undefined);
  visit(dashboardsOf(isObject(config) ? config.defaults : undefined), 'defaults');
  const installations = isObject(config) ? config.installations : undefined;
  if (Array.isArray(installations)) installations.forEach((inst, i) => visit(dashboardsOf(inst), `installations[${i}]`));
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
  const room = MAX_CONFIG_MAP_BYTES - HIDDEN_PANEL_RESERVE_BYTES;
  const read = readInputFile(file, room);
  if ('problem' in read) return read.tooLarge ? (`${read.problem} (a dashboard must fit one ConfigMap, ${MAX_CONFIG_MAP_BYTES} bytes, with the `
    + `hidden panel)`) : read.problem;
  const depth = jsonNestingDepth(read.text);
  if (depth > MAX_DASHBOARD_NESTING) return `nests ${depth} levels deep; allowed: at most ${MAX_DASHBOARD_NESTING}`;
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch (e) {
    // V8's message quotes the text around the error: never echo a file's content (it may be a
    // secret that a symlink points at), only where the error is.
    const at = /at position (\d+)/.exec((e as Error).message);
    return `is not valid JSON${at ? ` (${linePosition(read.text, Number(at[1]))})` : ''}`;
  }
  const problem = dashboardModelProblem(json);
  if (problem) return problem;
  // What the ConfigMap holds: the dashboard as the construct writes it (2-space indented), each
  // panel's y at most one digit longer once the hidden panel (one row high) moves it down.
  const model = json as { readonly panels?: readonly { readonly panels?: readonly unknown[] }[] };
  const panels = (model.panels ?? []).reduce((n, p) => n + 1 + (p.panels?.length ?? 0), 0);
  const size = Buffer.byteLength(JSON.stringify(json, null, 2)) + panels;
  if (size > room) return `needs ${size} bytes in its ConfigMap (2-space indented, its ${panels} panels moved down); allowed: at most ${room} (a `
    + `ConfigMap holds ${MAX_CONFIG_MAP_BYTES}, the hidden panel needs the rest)`;
  return { file, dashboard: json as DashboardFile['dashboard'] };
}

function linePosition(text: string, offset: number): string {
  const before = text.substring(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}
