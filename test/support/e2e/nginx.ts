import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { freePort, ManagedProcess, Sandbox, waitFor } from './sandbox';

export interface RunningNginx {
  readonly port: number;
  readonly process: ManagedProcess;
  readonly configFile: string;
  /** nginx's error log so far (for failure messages). */
  errorLog(): string;
}

/**
 * Runs nginx in the foreground with a private prefix (pid, logs, temp paths) on a loopback port.
 * `render` gets the port and returns nginx.conf; the port is retried when another process took it
 * between the probe and nginx's bind.
 */
export async function startNginx(sandbox: Sandbox, binary: string, render: (port: number, prefix: string) => string): Promise<RunningNginx> {
  const prefix = sandbox.tempDir('e2e-nginx');
  for (const dir of ['logs', 'tmp']) fs.mkdirSync(path.join(prefix, dir));
  const configFile = path.join(prefix, 'nginx.conf');
  const errorLogFile = path.join(prefix, 'logs', 'error.log');
  const errorLog = () => (fs.existsSync(errorLogFile) ? fs.readFileSync(errorLogFile, 'utf8') : '');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    fs.writeFileSync(configFile, render(port, prefix));
    const process = sandbox.start('nginx', binary, ['-p', prefix, '-c', configFile, '-e', errorLogFile, '-g', 'daemon off;']);
    try {
      await waitFor(`nginx to listen on 127.0.0.1:${port}`, () => connects(port), { timeoutMs: 10000, process });
      return { port, process, configFile, errorLog };
    } catch (e) {
      if (attempt < 3 && /Address already in use/.test(`${process.output()}${errorLog()}`)) continue;
      throw new Error(`${(e as Error).message}\nnginx.conf:\n${fs.readFileSync(configFile, 'utf8')}\nerror.log:\n${errorLog()}`);
    }
  }
}

function connects(port: number): Promise<true | undefined> {
  return new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(undefined));
  });
}
