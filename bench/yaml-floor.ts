/**
 * The floor the app is compared with: the same documents the app wrote, serialized by the same
 * yaml call (`kubeYaml`, one Document per object, no skeletons or caches), split over the same
 * threads and written the same way, without cdk8s or any construct.
 *
 * Usage: CDK8S_OUTDIR=<dir> node -r ./scripts/ts-run.js bench/yaml-floor.ts <documents.json>
 * (documents.json is made by bench/run.ts from the app's output).
 */
import * as fs from 'fs';
import { OutputFile, writeOutputAtomically } from '../lib/output/files';
import { kubeYaml } from '../lib/output/manifests';
import { renderInParallel } from '../lib/parallel';

/** One output file: its YAML documents, or its text when it is not YAML (a Helm template). */
export interface FloorEntry {
  readonly path: string;
  readonly documents?: unknown[];
  readonly text?: string;
}

/** Serializes each entry's documents; runs on every thread. */
export function serialize(entries: FloorEntry[]): OutputFile[] {
  return entries.map(e => ({ path: e.path, content: e.documents ? e.documents.map(kubeYaml).join('---\n') : e.text ?? '' }));
}

if (require.main === module) {
  const [documentsFile] = process.argv.slice(2);
  const outdir = process.env.CDK8S_OUTDIR;
  if (!documentsFile || !outdir) {
    console.error('usage: CDK8S_OUTDIR=<dir> node -r ./scripts/ts-run.js bench/yaml-floor.ts <documents.json>');
    process.exit(2);
  }
  const load = () => JSON.parse(fs.readFileSync(documentsFile, 'utf8')) as FloorEntry[];
  // Threads as the app uses them: one per core, none for small outputs (150 installations make
  // about 2300 files).
  void renderInParallel(load, { module: __filename, exportName: 'serialize', render: serialize, itemsPerThread: 2300 }).then(files => {
    writeOutputAtomically(outdir, files);
    // The floor means nothing if it loads the construct libraries it is compared against.
    const loaded = Object.keys(require.cache).filter(m => /[\\/]node_modules[\\/](cdk8s|constructs)/.test(m));
    if (loaded.length > 0) throw new Error(`the YAML floor loaded construct libraries: ${loaded[0]}`);
  });
}
