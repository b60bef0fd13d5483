/**
 * Where one synth's time goes, phase by phase, on one thread: what bench/README.md's profile
 * section quotes. Runs the same library calls as main.ts, each phase once and cold, as a synth
 * runs them.
 *
 * Usage: node -r ./scripts/ts-run.js bench/breakdown.ts [installations=1000]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { benchConfigYaml } from './generate-config';

const count = Number(process.argv[2] ?? 1000);
const work = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'breakdown-'));
const phases: [string, number][] = [['node start and the TypeScript runner', performance.now()]];
let last = performance.now();
const lap = (name: string) => {
  const now = performance.now();
  phases.push([name, now - last]);
  last = now;
};

try {
  const configFile = path.join(work, 'config.yaml');
  fs.writeFileSync(configFile, benchConfigYaml(count));
  last = performance.now();
  // Required here, not imported, so that loading them is timed.
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded here, not at the top, so that their load time is a phase */
  const lib = {
    ...require('../lib/app/load') as typeof import('../lib/app/load'),
    ...require('../lib/constructs/synth') as typeof import('../lib/constructs/synth'),
    ...require('../lib/output/manifests') as typeof import('../lib/output/manifests'),
    ...require('../lib/output/helm-chart') as typeof import('../lib/output/helm-chart'),
    ...require('../lib/output/grafana-values') as typeof import('../lib/output/grafana-values'),
    ...require('../lib/output/files') as typeof import('../lib/output/files'),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  lap('loading the modules (cdk8s, cdk8s-plus-25, yaml, TypeBox, Grafana SDK, lib)');
  const installations = lib.loadConfigFile(configFile);
  lap('config: parse, validate, resolve');
  const synthesized = lib.synthesize(installations);
  lap('constructs and cdk8s synthesis');
  const manifests = lib.manifestFiles(synthesized);
  lap('plain manifests (js-yaml, each top-level entry once)');
  const charts = lib.helmChartFiles(synthesized, { chartVersion: '0.1.0' });
  lap('Helm charts (templates: metadata and the server spec serialized again; values, schema, README)');
  const grafana = lib.grafanaValuesFiles(synthesized);
  lap('Grafana values');
  lib.writeOutputAtomically(path.join(work, 'out'), [...manifests, ...charts, ...grafana]);
  lap('writing (RAM disk)');
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}


const total = phases.reduce((sum, [, ms]) => sum + ms, 0);
console.log(`${count} installations, one thread:`);
for (const [name, ms] of phases) console.log(`${(ms / 1000).toFixed(2).padStart(6)} s  ${(100 * ms / total).toFixed(0).padStart(3)} %  ${name}`);
console.log(`${(total / 1000).toFixed(2).padStart(6)} s        total`);
