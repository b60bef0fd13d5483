/**
 * The floor the app is compared with: the same documents the app wrote, serialized by the same
 * yaml call and written the same way, without cdk8s or any construct.
 *
 * Usage: CDK8S_OUTDIR=<dir> node scripts/ts-run.js bench/yaml-floor.ts <documents.json>
 * (documents.json is made by bench/run.ts from the app's output).
 */
import * as fs from 'fs';
import { OutputFile, writeOutputAtomically } from '../lib/output/files';
import { toYamlStream } from '../lib/output/manifests';
import { KubeObject } from '../lib/synth';

/** One output file: its YAML documents, or its text when it is not YAML (a Helm template). */
export interface FloorEntry {
  readonly path: string;
  readonly documents?: unknown[];
  readonly text?: string;
}

const [documentsFile] = process.argv.slice(2);
const outdir = process.env.CDK8S_OUTDIR;
if (!documentsFile || !outdir) {
  console.error('usage: CDK8S_OUTDIR=<dir> node scripts/ts-run.js bench/yaml-floor.ts <documents.json>');
  process.exit(2);
}
const entries = JSON.parse(fs.readFileSync(documentsFile, 'utf8')) as FloorEntry[];
const files: OutputFile[] = entries.map(e => ({
  path: e.path,
  content: e.documents ? toYamlStream(e.documents as KubeObject[]) : e.text ?? '',
}));
writeOutputAtomically(outdir, files);
// The floor means nothing if it loads the construct libraries it is compared against.
const loaded = Object.keys(require.cache).filter(m => /[\\/]node_modules[\\/](cdk8s|constructs)/.test(m));
if (loaded.length > 0) throw new Error(`the YAML floor loaded construct libraries: ${loaded[0]}`);
