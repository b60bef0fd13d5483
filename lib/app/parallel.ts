import * as os from 'os';
import { Worker } from 'worker_threads';

/**
 * Below this many installations per thread, starting a worker (about 0.25 s to load cdk8s) costs
 * more than it saves (bench/README.md, "threads").
 */
export const MIN_INSTALLATIONS_PER_THREAD = 150;

/**
 * Most threads ever started: twice the cores. Beyond one per core a thread only adds its memory
 * (some 70 MB each) and start-up; $GRAFANA_ANALYTICS_THREADS=1000000000 must not start millions.
 */
export function maxThreads(): number {
  return 2 * os.availableParallelism();
}

export interface RenderInParallelOptions<T, R, C = undefined> {
  /** Absolute path of the module that exports the render function (required again in each worker). */
  readonly module: string;
  /** Name of the export: `(items: T[], context: C) => R[]`, where each result depends on one item only. */
  readonly exportName: string;
  /** The same function, for the share the calling thread renders itself. */
  readonly render: (items: T[], context: C) => R[];
  /** Passed to every call of `render`, on every thread (copied: plain data only). @default undefined */
  readonly context?: C;
  /**
   * Start the workers before `load` runs, so they load their modules meanwhile. A worker a small
   * config turns out not to need is stopped unused, having cost a core for that time: callers
   * that can tell beforehand that the items will be few pass false.
   * @default true
   */
  readonly prestart?: boolean;
  /**
   * Threads to use, the calling one included; at most `maxThreads()`.
   * @default - one per core, but at most one per `MIN_INSTALLATIONS_PER_THREAD` items
   */
  readonly threads?: number;
}

// Runs in a worker: requires the module at once (preloads such as scripts/ts-run.js are inherited
// through execArgv), so the libraries load while the main thread is still reading the config,
// then renders the slice it is sent.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const render = require(workerData.module)[workerData.exportName];
parentPort.once('message', ({ items, context }) => parentPort.postMessage(render(items, context)));
`;

/**
 * Loads the items with `load` and renders contiguous slices of them on several threads; returns
 * the results in the order a single `render(items)` returns them. cdk8s and the yaml package are
 * synchronous and CPU-bound, so a second core is the one way to roughly halve a large synth.
 * Workers start before `load` runs (see `prestart`); those a small config does not need are stopped unused.
 */
export async function renderInParallel<T, R, C = undefined>(load: () => T[], options: RenderInParallelOptions<T, R, C>): Promise<R[]> {
  const most = Math.min(options.threads ?? os.availableParallelism(), maxThreads());
  const workers = options.prestart === false ? [] : Array.from({ length: most - 1 }, () => new RenderWorker<T, R, C>(options));
  try {
    const items = load();
    const threads = Math.max(1, Math.min(
      most,
      options.threads ? items.length : Math.floor(items.length / MIN_INSTALLATIONS_PER_THREAD),
    ));
    while (workers.length < threads - 1) workers.push(new RenderWorker<T, R, C>(options));
    const size = Math.ceil(items.length / threads);
    const slices = Array.from({ length: threads }, (_, i) => items.slice(i * size, (i + 1) * size));
    const context = options.context as C;
    const others = slices.slice(1).map((slice, i) => workers[i].render(slice, context));
    // Every worker is awaited even when one fails, so none is left running.
    const results = await Promise.allSettled([Promise.resolve().then(() => options.render(slices[0], context)), ...others]);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return results.flatMap(r => (r as PromiseFulfilledResult<R[]>).value);
  } finally {
    await Promise.all(workers.map(w => w.stop()));
  }
}

class RenderWorker<T, R, C> {
  private readonly worker: Worker;
  private readonly done: Promise<R[]>;

  constructor(options: RenderInParallelOptions<T, R, C>) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: options.module, exportName: options.exportName } });
    this.done = new Promise((resolve, reject) => {
      let result: R[] | undefined;
      this.worker.once('message', (rendered: R[]) => {
        result = rendered;
        // The results are copied into this thread: the worker's heap (as large again) goes now,
        // not when the slowest thread is done, which keeps the peak RSS down.
        void this.worker.terminate();
      });
      this.worker.once('error', reject);
      this.worker.once('exit', code => {
        if (result) resolve(result);
        else reject(new Error(`render worker exited with code ${code} before sending its results`));
      });
    });
    // A worker that is stopped unused must not raise an unhandled rejection.
    this.done.catch(() => undefined);
  }

  render(items: T[], context: C): Promise<R[]> {
    this.worker.postMessage({ items, context });
    return this.done;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
