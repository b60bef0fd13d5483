/**
 * `npm run synth`: `cdk8s synth`, after the checks the app makes first. The CLI deletes its output
 * folder before it runs the app, so a bad config or a folder the app would refuse (the home
 * folder, one holding other files) is caught here, before anything is deleted.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { checkConfig } from '../lib/app/app';
import { CONFIG_FILE } from '../main';

const args = process.argv.slice(2);

/** The CLI's output folder for these arguments (`--output`/`-o`, default dist), none with `--stdout`/`-p`. */
function cdk8sOutdir(argv: readonly string[]): string | undefined {
  let outdir = 'dist';
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = argv[i].split(/=(.*)/s);
    if (flag === '--stdout' || flag === '-p') return undefined;
    if (flag === '--output' || flag === '-o') outdir = value ?? argv[++i] ?? outdir;
  }
  return outdir;
}

const code = checkConfig({ configFile: CONFIG_FILE, outdir: cdk8sOutdir(args), console: process.stderr, color: !process.env.NO_COLOR });
if (code !== 0) {
  process.exitCode = code;
} else {
  const cli = spawnSync(
    process.execPath,
    [path.join(__dirname, '..', 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade', ...args],
    { stdio: 'inherit' },
  );
  process.exitCode = cli.status ?? 1;
}
