/** What the app reads of its environment: tuning knobs, and whether `cdk8s synth --stdout` runs it. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, quote } from '../../config/problems';

/**
 * A tuning knob from the environment (`$GRAFANA_ANALYTICS_THREADS`, ...): unset or empty means the
 * default; anything but a positive integer is the user's mistake, reported like a config problem.
 */
export function positiveIntegerFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new ConfigError([{ path: `$${name}`, message: `got ${quote(value)}; allowed: a positive integer` }]);
  }
  return Number(value);
}

/**
 * True when `cdk8s synth --stdout` runs the app. The CLI sets no flag for it: in --stdout mode it
 * creates a fresh temporary folder (`mkdtemp(<tmpdir>/cdk8s-)`), passes it as CDK8S_OUTDIR and
 * prints every *.yaml in it; otherwise it deletes the output folder before it runs the app.
 * (cdk8s-cli lib/cli/cmds/synth.js and lib/util.js `synthApp`, `mkdtemp`.)
 */
export function isCdk8sStdoutOutdir(outdir: string, tmpdir: string = os.tmpdir()): boolean {
  if (!/^cdk8s-[A-Za-z0-9]{6}$/.test(path.basename(outdir)) || !fs.existsSync(outdir)) return false;
  return fs.realpathSync(path.dirname(path.resolve(outdir))) === fs.realpathSync(tmpdir);
}
