/**
 * The floor the app is compared with: the same documents the app wrote, serialized by the same
 * writer (`kubeYaml`, one js-yaml dump per object, none of the app's caches), split by installation
 * over the same threads and written the same way (each thread into the staging folder), without
 * cdk8s or any construct.
 *
 * Usage: CDK8S_OUTDIR=<dir> node -r ./scripts/ts-run.js bench/yaml-floor.ts <documents.jsonl>
 * (made by bench/run.ts from the app's output: one line per installation, a JSON array of its
 * files; each thread parses its own lines, as each app thread builds its own objects).
 */
import * as fs from 'fs';
import { StagedOutput, writeStagedFiles } from '../lib/output/files';
import { kubeYaml } from '../lib/output/manifests';
import { renderInParallel } from '../lib/app/parallel';

/** One output file: its YAML documents, or its text when it is not YAML (a Helm template). */
export interface FloorEntry {
  readonly path: string;
  readonly documents?: unknown[];
  readonly text?: string;
}

/** Serializes and writes the files of each installation (one JSON line each); runs on every thread. */
export function serialize(lines: string[], stagingDir: string): number[] {
  return lines.map(line => {
    const entries = JSON.parse(line) as FloorEntry[];
    writeStagedFiles(stagingDir, entries.map(e => ({
      path: e.path,
      content: e.documents ? e.documents.map(d => kubeYaml(d)).join('---\n') : e.text ?? '',
    })));
    return entries.length;
  });
}

if (require.main === module) {
  const [documentsFile] = process.argv.slice(2);
  const outdir = process.env.CDK8S_OUTDIR;
  if (!documentsFile || !outdir) {
    console.error('usage: CDK8S_OUTDIR=<dir> node -r ./scripts/ts-run.js bench/yaml-floor.ts <documents.jsonl>');
    process.exit(2);
  }
  const staged = StagedOutput.begin(outdir);
  const load = () => fs.readFileSync(documentsFile, 'utf8').split('\n').filter(line => line !== '');
  // Threads as the app uses them: contiguous slices of installations, one per core, none below
  // MIN_INSTALLATIONS_PER_THREAD installations per thread.
  renderInParallel(load, { module: __filename, exportName: 'serialize', render: serialize, context: staged.dir }).then(() => {
    staged.commit();
    // The floor means nothing if it loads the construct libraries it is compared against.
    const loaded = Object.keys(require.cache).filter(m => /[\\/]node_modules[\\/](cdk8s|constructs)/.test(m));
    if (loaded.length > 0) throw new Error(`the YAML floor loaded construct libraries: ${loaded[0]}`);
  }, e => {
    staged.discard();
    throw e;
  });
}
