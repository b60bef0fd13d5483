/**
 * `node -r ./scripts/ts-run.js scripts/output-digests.ts`: synthesizes four configs through the app (main.ts, the way
 * `cdk8s synth` runs it) into temporary folders and prints one sha256 per config over every file's path and sha256.
 * A refactor compares these before and after: the example config, a 100-installation bench config, the GitOps test
 * config and the auth-fronts config.
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dump } from 'js-yaml';
import { benchConfigYaml } from '../bench/generate-config';
import { FRONTS_CONFIG } from '../test/support/fronts';

const ROOT = path.resolve(__dirname, '..');

/** sha256 over the sorted list of `sha256  path` lines, as `sha256sum` over the sorted file list prints them. */
function folderDigest(dir: string): string {
  const files = (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }))
    .filter(f => fs.statSync(path.join(dir, f)).isFile())
    .sort();
  const lines = files.map(f => `${crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')}  ${f}\n`);
  return `${crypto.createHash('sha256').update(lines.join('')).digest('hex')}  ${files.length} files`;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'output-digests-'));
const configs: Record<string, string> = {
  example: path.join(ROOT, 'config', 'installations.yaml'),
  bench100: path.join(work, 'bench100.yaml'),
  gitops: path.join(ROOT, 'test', 'gitops', 'installations.yaml'),
  fronts: path.join(work, 'fronts.yaml'),
};
fs.writeFileSync(configs.bench100, benchConfigYaml(100));
fs.writeFileSync(configs.fronts, dump(FRONTS_CONFIG));
try {
  for (const [name, configFile] of Object.entries(configs)) {
    const outdir = path.join(work, `out-${name}`);
    execFileSync(process.execPath, ['-r', './scripts/ts-run.js', 'main.ts'], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, GRAFANA_ANALYTICS_CONFIG: configFile, CDK8S_OUTDIR: outdir, NO_COLOR: '1' },
    });
    console.log(`${folderDigest(outdir)}  ${name}`);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
