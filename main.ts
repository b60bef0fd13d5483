/**
 * The app `cdk8s synth` runs: config file -> resolved installations -> constructs -> files.
 * Config: $GRAFANA_ANALYTICS_CONFIG, else config/installations.yaml. Output: $CDK8S_OUTDIR, else dist.
 * Tuning (bench/README.md): $GRAFANA_ANALYTICS_CHARTS_PER_APP, $GRAFANA_ANALYTICS_THREADS.
 */
import * as path from 'path';
import { synthApp } from './lib/app/synth-app';
import { version as chartVersion } from './package.json';

/** The config the app reads; scripts/synth.ts checks the same file first. */
export const CONFIG_FILE = process.env.GRAFANA_ANALYTICS_CONFIG ?? path.join(__dirname, 'config', 'installations.yaml');

// scripts/synth.ts imports CONFIG_FILE: only the process' entry point runs the app.
if (require.main === module) {
  void synthApp({
    configFile: CONFIG_FILE,
    outdir: process.env.CDK8S_OUTDIR ?? 'dist',
    chartVersion,
    console: process.stderr,
    color: !process.env.NO_COLOR,
  }).then(code => { process.exitCode = code; });
}
