/**
 * `nginx -t` on a synthesized auth proxy nginx.conf (auth.front proxy), as written but for what
 * needs the Pod: Grafana's Service name (nginx -t resolves proxy_pass hosts; a test machine has
 * no cluster DNS) becomes 127.0.0.1 and the emptyDir a temporary folder. Every other directive,
 * the config's values in it included, is checked as synthesized.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const RUN_DIR = '/tmp/nginx-auth-proxy';

/** What nginx -t said: whether it accepts the configuration, and its messages. */
export interface NginxVerdict {
  readonly ok: boolean;
  readonly messages: string;
}

export function nginxTest(nginx: string, conf: string): NginxVerdict {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-t-'));
  try {
    const runnable = conf
      .replace(/proxy_pass http:\/\/[^/:;]+\.svc\.[^/:;]+(:[0-9]+)?\//g, 'proxy_pass http://127.0.0.1$1/')
      .split(`${RUN_DIR}/`).join(`${dir}/`)
      .replace('error_log stderr warn;', `error_log ${dir}/error.log warn;`);
    if (runnable.includes(RUN_DIR)) throw new Error(`nginx.conf names ${RUN_DIR} other than as a folder: ${runnable}`);
    fs.writeFileSync(path.join(dir, 'nginx.conf'), runnable);
    const run = spawnSync(nginx, ['-t', '-q', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', 'stderr'], { encoding: 'utf8' });
    return { ok: run.status === 0, messages: `${run.stdout}${run.stderr}`.trim() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
