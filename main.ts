/**
 * The app `cdk8s synth` runs: config file -> resolved installations -> constructs -> files.
 * Config: $GRAFANA_ANALYTICS_CONFIG, else config/installations.yaml. Output: $CDK8S_OUTDIR, else dist.
 * Tuning (bench/README.md): $GRAFANA_ANALYTICS_CHARTS_PER_APP, $GRAFANA_ANALYTICS_THREADS.
 */
import * as path from 'path';
import {
  ConfigError, loadConfigFile, manifestFiles, OutputFile, parseChartsPerApp, ResolvedInstallation, synthesize,
  writeOutputAtomically,
} from './lib';
import { parseThreads, renderInParallel } from './lib/parallel';

/**
 * Every file the app writes for these installations. Large configs render in slices on several
 * threads, so every file must depend on its own installation only (test/synth-identity.test.ts).
 */
export function render(installations: ResolvedInstallation[]): OutputFile[] {
  const synthesized = synthesize(installations, { chartsPerApp: parseChartsPerApp(process.env.GRAFANA_ANALYTICS_CHARTS_PER_APP) });
  return [...manifestFiles(synthesized)];
}

async function main(): Promise<void> {
  const configFile = process.env.GRAFANA_ANALYTICS_CONFIG ?? path.join(__dirname, 'config', 'installations.yaml');
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  const { items: installations, files } = await renderInParallel(() => loadConfigFile(configFile), {
    module: __filename, exportName: 'render', render, threads: parseThreads(process.env.GRAFANA_ANALYTICS_THREADS),
  });
  writeOutputAtomically(outdir, files);
  console.error(`${installations.length} installation(s): ${files.length} file(s) written to ${outdir}`);
}

// Worker threads require this file for `render`; only the process' entry point runs the app.
if (require.main === module) {
  main().catch(e => {
    // A config problem is the user's to fix: the message says where, without a stack trace.
    console.error(e instanceof ConfigError ? e.message : e);
    process.exit(1);
  });
}
