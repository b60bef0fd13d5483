/**
 * The app `cdk8s synth` runs: config file -> resolved installations -> constructs -> files.
 * Config: $GRAFANA_ANALYTICS_CONFIG, else config/installations.yaml. Output: $CDK8S_OUTDIR, else dist.
 */
import * as path from 'path';
import { ConfigError, loadConfigFile, manifestFiles, parseChartsPerApp, synthesize, writeOutputAtomically } from './lib';

function main(): void {
  const configFile = process.env.GRAFANA_ANALYTICS_CONFIG ?? path.join(__dirname, 'config', 'installations.yaml');
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  const installations = loadConfigFile(configFile);
  const synthesized = synthesize(installations, { chartsPerApp: parseChartsPerApp(process.env.GRAFANA_ANALYTICS_CHARTS_PER_APP) });
  writeOutputAtomically(outdir, [...manifestFiles(synthesized)]);
  for (const s of synthesized) {
    console.error(`${s.installation.name}: ${s.objects.length} objects in namespace ${s.installation.namespace} -> ${path.join(outdir, `${s.installation.name}.k8s.yaml`)}`);
  }
}

try {
  main();
} catch (e) {
  // A config problem is the user's to fix: the message says where, without a stack trace.
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
}
