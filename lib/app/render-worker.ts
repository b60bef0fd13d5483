/**
 * What every render thread of the app runs: lib/app/parallel.ts requires this module in each worker
 * (and the calling thread calls it too), so each thread builds its own writers from plain data.
 */
import { threadId } from 'worker_threads';
import { ResolvedInstallation } from '../config/schema';
import { positiveIntegerFromEnv } from './internal/environment';
import { RenderedInstallation, renderInstallations } from './render';
import { outputWriters } from './writers';

/** What a render thread is sent besides its installations (copied to each thread: plain data only). */
export interface RenderSliceContext {
  /** Version of every Helm chart. */
  readonly chartVersion: string;
  /** Only the one stream of plain manifests (`cdk8s synth --stdout`). */
  readonly stdoutMode: boolean;
  /** The staging folder each thread writes its installations' files into. */
  readonly stagingDir: string | undefined;
}

/**
 * Every file the app writes for these installations. Large configs render in slices on several
 * threads, so every file depends on its own installation only.
 */
export function renderSlice(installations: ResolvedInstallation[], context: RenderSliceContext): RenderedInstallation[] {
  return renderInstallations(installations, {
    writers: outputWriters({ chartVersion: context.chartVersion }),
    stdoutMode: context.stdoutMode,
    stagingDir: context.stagingDir,
    chartsPerApp: positiveIntegerFromEnv('GRAFANA_ANALYTICS_CHARTS_PER_APP'),
    progress: (done, total) => process.stderr.write(`synthesized ${done}/${total} installations${threadId ? ` (thread ${threadId + 1})` : ''}\n`),
  });
}
