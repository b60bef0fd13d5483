/**
 * The app `cdk8s synth` runs: config file -> resolved installations -> constructs -> files.
 * Config: $GRAFANA_ANALYTICS_CONFIG, else config/installations.yaml. Output: $CDK8S_OUTDIR, else dist.
 * Tuning (bench/README.md): $GRAFANA_ANALYTICS_CHARTS_PER_APP, $GRAFANA_ANALYTICS_THREADS.
 */
import * as fs from 'fs';
import * as path from 'path';
import { threadId } from 'worker_threads';
import {
  CONFIG_OUTPUT_WRITERS, isCdk8sStdoutOutdir, outputWriters, positiveIntegerFromEnv, RenderedInstallation, renderInstallations, ResolvedInstallation, runApp,
} from './lib';
import { MIN_INSTALLATIONS_PER_THREAD, renderInParallel } from './lib/app/parallel';
import { version as chartVersion } from './package.json';

/** Outputs besides the plain manifests (`dist/<name>.k8s.yaml`, always written): those of `synthToDirectory`. */
const writers = outputWriters({ chartVersion });

/** The config the app reads; scripts/synth.ts checks the same file first. */
export const CONFIG_FILE = process.env.GRAFANA_ANALYTICS_CONFIG ?? path.join(__dirname, 'config', 'installations.yaml');

const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
const stdoutMode = isCdk8sStdoutOutdir(outdir);

/**
 * Every file the app writes for these installations. Large configs render in slices on several
 * threads (each requires this module), so every file depends on its own installation only.
 */
export function render(installations: ResolvedInstallation[], stagingDir: string | undefined): RenderedInstallation[] {
  return renderInstallations(installations, {
    writers,
    stdoutMode,
    stagingDir,
    chartsPerApp: positiveIntegerFromEnv('GRAFANA_ANALYTICS_CHARTS_PER_APP'),
    progress: (done, total) => process.stderr.write(`synthesized ${done}/${total} installations${threadId ? ` (thread ${threadId + 1})` : ''}\n`),
  });
}

/**
 * Fewest bytes of YAML an installation takes (`- {name: a, grafana: {host: a.b}}`): a config
 * smaller than two threads' worth of them cannot need a worker, so none is started before it is read.
 */
const MIN_INSTALLATION_BYTES = 32;

// Worker threads require this file for `render`; only the process' entry point runs the app.
if (require.main === module) {
  const configBytes = fs.statSync(CONFIG_FILE, { throwIfNoEntry: false })?.size ?? 0;
  void runApp({
    configFile: CONFIG_FILE,
    outdir,
    writers,
    configWriters: CONFIG_OUTPUT_WRITERS,
    stdoutMode,
    console: process.stderr,
    color: !process.env.NO_COLOR,
    renderer: (load, stagingDir) => renderInParallel(load, {
      module: __filename, exportName: 'render', render, context: stagingDir, threads: positiveIntegerFromEnv('GRAFANA_ANALYTICS_THREADS'),
      prestart: configBytes >= 2 * MIN_INSTALLATIONS_PER_THREAD * MIN_INSTALLATION_BYTES,
    }),
  }).then(code => { process.exitCode = code; });
}
