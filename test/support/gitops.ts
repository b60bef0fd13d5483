import * as path from 'path';
import { AppOptions } from '../../lib/app/app';
import { gitopsFiles } from '../../lib/output/gitops';
import { grafanaValuesFiles } from '../../lib/output/grafana-values';
import { helmChartFiles } from '../../lib/output/helm-chart';
import { version as chartVersion } from '../../package.json';
import { outdirWithSentinel, runInProcess } from './run-app';

/** 5 installations in 3 clusters: both auth modes, sub-paths, two installations in one cluster. */
export const GITOPS_CONFIG = path.join(__dirname, '..', 'gitops', 'installations.yaml');

/** The same writers as main.ts. */
export const WIRING: Pick<AppOptions, 'writers' | 'configWriters'> = {
  writers: [s => helmChartFiles(s, { chartVersion }), grafanaValuesFiles],
  configWriters: [gitopsFiles],
};

/** Runs the app on the GitOps config into a fresh folder; returns the folder and what it printed. */
export async function synthesizeGitopsConfig(): Promise<{ outdir: string; stderr: string }> {
  const outdir = outdirWithSentinel();
  const run = await runInProcess({ configFile: GITOPS_CONFIG, outdir, ...WIRING });
  if (run.code !== 0) throw new Error(run.stderr);
  return { outdir, stderr: run.stderr };
}
