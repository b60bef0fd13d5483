/**
 * `npm run synth` runs this before `cdk8s synth`, which deletes its output folder before it runs
 * the app: a config that fails here stops synth with the app's own message, and the folder stays.
 */
import { checkConfig } from '../lib';
import { CONFIG_FILE } from '../main';

process.exitCode = checkConfig({ configFile: CONFIG_FILE, console: process.stderr, color: !process.env.NO_COLOR });
