import * as path from 'path';
import { AnalyticsConfig, loadConfigFile, resolveConfig, ResolvedInstallation, synthesize, SynthesizedInstallation } from '../../lib';
import { Manifest } from './kube-schema';

export const EXAMPLE_CONFIG = path.join(__dirname, '..', '..', 'config', 'installations.yaml');

/** The example config shipped in the repo, synthesized. */
export function synthesizeExample(): SynthesizedInstallation[] {
  return synthesize(loadConfigFile(EXAMPLE_CONFIG));
}

/** One installation from a minimal config plus overrides, synthesized. */
export function synthesizeOne(installation: Record<string, unknown> = {}, defaults?: Record<string, unknown>): Manifest[] {
  const config = {
    ...(defaults ? { defaults } : {}),
    installations: [{ name: 'test', grafana: { host: 'grafana.example.com' }, ...installation }],
  };
  return synthesize(resolveConfig(config))[0].objects;
}

/** The only object of a kind (and name), or a test failure naming what was there. */
export function findObject(objects: readonly object[], kind: string, name?: string): any {
  const found = (objects as Manifest[]).filter(o => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length} among `
      + `${(objects as Manifest[]).map(o => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  }
  return found[0];
}

/** Invalid config data, passed where the typed config is expected, to test what the type would reject. */
export function untyped(config: unknown): AnalyticsConfig {
  return config as AnalyticsConfig;
}

export function resolveOne(installation: Record<string, unknown> = {}): ResolvedInstallation {
  return resolveConfig({ installations: [{ name: 'test', grafana: { host: 'grafana.example.com' }, ...installation }] })[0];
}
