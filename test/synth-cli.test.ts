import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** Runs the app the way `cdk8s synth` does: a separate process with CDK8S_OUTDIR set. */
function runApp(env: Record<string, string>) {
  return spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'main.ts'], {
    cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000,
  });
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  }
  return out;
}

describe('the synth app', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-cli-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('writes one manifest file per example installation, byte-identical across runs', () => {
    const first = path.join(tmp, 'a');
    const second = path.join(tmp, 'b');
    expect(runApp({ CDK8S_OUTDIR: first }).status).toBe(0);
    expect(runApp({ CDK8S_OUTDIR: second }).status).toBe(0);
    const files = readTree(first);
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['prod-eu.k8s.yaml', 'prod-us.k8s.yaml', 'staging.k8s.yaml']));
    expect(readTree(second)).toEqual(files);
  });

  test('fails when the config is bad: exit 1, every problem named, no stack trace, nothing written', () => {
    const config = path.join(tmp, 'bad.yaml');
    fs.writeFileSync(config, 'installations:\n  - name: Bad_Name\n    grafana: { host: "https://x", service: { port: 0 } }\n');
    const outdir = path.join(tmp, 'out');
    const result = runApp({ GRAFANA_ANALYTICS_CONFIG: config, CDK8S_OUTDIR: outdir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/installations\[0\]\.name: got "Bad_Name"/);
    expect(result.stderr).toMatch(/installations\[0\]\.grafana\.host: got "https:\/\/x"/);
    expect(result.stderr).toMatch(/installations\[0\]\.grafana\.service\.port: got 0/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(outdir)).toBe(false);
    expect(fs.readdirSync(tmp)).toEqual(['bad.yaml']);
  });
});
