/** Helpers of the Grafana-side tests: synthesize a config, find objects, read dashboards, run promtool. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { KubeObject, resolveAnalyticsConfig, ResolvedInstallation, SynthesizedInstallation } from '../../lib';

export { EXAMPLE_CONFIG, synthesizeExample } from './example';

/** A config object resolved as if it were a file in `dir` (dashboard paths are relative to it). */
export function resolveIn(dir: string, config: unknown): ResolvedInstallation[] {
  return resolveAnalyticsConfig(config, path.join(dir, 'installations.yaml')).installations;
}

/** A fresh temporary folder holding the given files (name -> content). */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grafana-analytics-test-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

export function objectsOfKind(s: SynthesizedInstallation, kind: string): KubeObject[] {
  return s.objects.filter(o => o.kind === kind);
}

export function objectNamed(s: SynthesizedInstallation, kind: string, name: string): KubeObject {
  const found = s.objects.find(o => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${s.installation.name}: no ${kind} ${name}`);
  return found;
}

/** Every dashboard ConfigMap's single dashboard, parsed, by ConfigMap name. */
export function dashboardsOf(s: SynthesizedInstallation): Map<string, Record<string, any>> {
  const out = new Map<string, Record<string, any>>();
  for (const cm of objectsOfKind(s, 'ConfigMap')) {
    const data = Object.values(cm.data as Record<string, string>);
    if (data.length !== 1) throw new Error(`ConfigMap ${cm.metadata.name} holds ${data.length} files`);
    out.set(cm.metadata.name, JSON.parse(data[0]));
  }
  return out;
}

/**
 * Writes `files` (name -> object, as YAML) to a temporary folder and runs `promtool <args...> <targets...>`
 * there; returns stdout, throws with promtool's output on failure.
 */
export function promtool(args: string[], files: Record<string, unknown>, targets: string[]): string {
  const dir = tempDir(Object.fromEntries(Object.entries(files).map(([n, c]) => [n, stringify(c, { lineWidth: 0 })])));
  try {
    return execFileSync('promtool', [...args, ...targets], {
      cwd: dir, encoding: 'utf8', stdio: 'pipe',
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? err.message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
