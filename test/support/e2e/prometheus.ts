import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { request } from './http';
import { freePort, ManagedProcess, Sandbox, waitFor } from './sandbox';

export interface RunningPrometheus {
  readonly port: number;
  /** The TSDB folder: a Prometheus started again on it goes on with the same data. */
  readonly dataDir: string;
  readonly process: ManagedProcess;
  /** GET a Prometheus HTTP API path; returns `data` of a success answer. */
  api<T>(pathAndQuery: string): Promise<T>;
}

/** Writes the config and checks it with `promtool check config`; returns the file. */
export function writeCheckedConfig(dir: string, promtool: string, config: object): string {
  const file = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(file, stringify(config));
  try {
    execFileSync(promtool, ['check', 'config', file], { stdio: 'pipe', timeout: 30000 });
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`promtool check config failed:\n${String(err.stdout ?? '')}${String(err.stderr ?? '')}\n${fs.readFileSync(file, 'utf8')}`);
  }
  return file;
}

/**
 * Runs Prometheus on a loopback port with a temporary data dir (or `dataDir`, the one of a
 * Prometheus stopped before), until the sandbox is cleaned up or `sandbox.stop(process)`.
 */
export async function startPrometheus(sandbox: Sandbox, binary: string, configFile: string, dataDir?: string): Promise<RunningPrometheus> {
  const dir = dataDir === undefined ? sandbox.tempDir('e2e-prometheus') : undefined;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const data = dir === undefined ? dataDir as string : path.join(dir, `data-${attempt}`);
    const process = sandbox.start('prometheus', binary, [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
    const api = async <T>(pathAndQuery: string): Promise<T> => {
      const res = await request({ port, host: `127.0.0.1:${port}`, path: pathAndQuery });
      const body = JSON.parse(res.body.toString('utf8')) as { status: string; data: T; error?: string };
      if (res.status !== 200 || body.status !== 'success') throw new Error(`GET ${pathAndQuery}: ${res.status} ${body.error ?? ''}`);
      return body.data;
    };
    try {
      await waitFor('Prometheus to be ready', async () => {
        const res = await request({ port, host: `127.0.0.1:${port}`, path: '/-/ready' });
        return res.status === 200 ? true : undefined;
      }, { timeoutMs: 30000, intervalMs: 200, process });
      return { port, dataDir: data, process, api };
    } catch (e) {
      if (attempt < 3 && /address already in use/i.test(process.output())) continue;
      throw e;
    }
  }
}
