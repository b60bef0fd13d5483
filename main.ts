/**
 * The app `cdk8s synth` runs: config file -> resolved installations -> constructs -> files.
 * Config: $GRAFANA_ANALYTICS_CONFIG, else config/installations.yaml. Output: $CDK8S_OUTDIR, else dist.
 */
import * as path from 'path';
import { grafanaValuesFiles, helmChartFiles, isCdk8sStdoutOutdir, OutputWriter, runApp } from './lib';
import { version as chartVersion } from './package.json';

/** Outputs besides the plain manifests (`dist/<name>.k8s.yaml`, always written). */
const writers: OutputWriter[] = [
  synthesized => helmChartFiles(synthesized, { chartVersion }),
  grafanaValuesFiles,
];

const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
process.exitCode = runApp({
  configFile: process.env.GRAFANA_ANALYTICS_CONFIG ?? path.join(__dirname, 'config', 'installations.yaml'),
  outdir,
  writers,
  stdoutMode: isCdk8sStdoutOutdir(outdir),
  console: process.stderr,
  color: !process.env.NO_COLOR,
});
