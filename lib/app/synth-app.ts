/**
 * The app `cdk8s synth` runs, wired: every output writer, the config writers, and large configs
 * rendered on several threads (each loads lib/app/render-worker.ts, never the entry file).
 */
import * as fs from 'fs';
import { Console, runApp } from './app';
import { isCdk8sStdoutOutdir, positiveIntegerFromEnv } from './internal/environment';
import { MIN_INSTALLATIONS_PER_THREAD, renderInParallel } from './parallel';
import { renderSlice, RenderSliceContext } from './render-worker';
import { CONFIG_OUTPUT_WRITERS, outputWriters } from './writers';

export interface SynthAppOptions {
  readonly configFile: string;
  readonly outdir: string;
  /** Version of every Helm chart (Chart.yaml `version`). */
  readonly chartVersion: string;
  readonly console: Console;
  /** Colors are for people: set from `NO_COLOR` (https://no-color.org). @default true */
  readonly color?: boolean;
}

/**
 * Fewest bytes of YAML an installation takes (`- {name: a, grafana: {host: a.b}}`): a config
 * smaller than two threads' worth of them cannot need a worker, so none is started before it is read.
 */
const MIN_INSTALLATION_BYTES = 32;

/** The module each render thread requires: this file's sibling, whether it runs as .ts or compiled .js. */
const RENDER_WORKER = require.resolve('./render-worker');

/**
 * Runs the app as `cdk8s synth` does; returns the exit code. Tuning from the environment
 * (bench/README.md): $GRAFANA_ANALYTICS_CHARTS_PER_APP, $GRAFANA_ANALYTICS_THREADS.
 */
export function synthApp(options: SynthAppOptions): Promise<number> {
  const stdoutMode = isCdk8sStdoutOutdir(options.outdir);
  const configBytes = fs.statSync(options.configFile, { throwIfNoEntry: false })?.size ?? 0;
  return runApp({
    configFile: options.configFile,
    outdir: options.outdir,
    writers: outputWriters({ chartVersion: options.chartVersion }),
    configWriters: CONFIG_OUTPUT_WRITERS,
    stdoutMode,
    console: options.console,
    color: options.color,
    renderer: (load, stagingDir) =>
      renderInParallel<Parameters<typeof renderSlice>[0][number], ReturnType<typeof renderSlice>[number], RenderSliceContext>(load, {
        module: RENDER_WORKER,
        exportName: 'renderSlice',
        render: renderSlice,
        context: { chartVersion: options.chartVersion, stdoutMode, stagingDir },
        threads: positiveIntegerFromEnv('GRAFANA_ANALYTICS_THREADS'),
        prestart: configBytes >= 2 * MIN_INSTALLATIONS_PER_THREAD * MIN_INSTALLATION_BYTES,
      }),
  });
}
