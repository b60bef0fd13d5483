/**
 * Go's own parsers for the tests (test/support/go-parsers/main.go, standard library only): compiled
 * with the installed `go` (Debian's golang-go, which scripts/install-test-deps.sh installs) on first
 * use, cached by the source's sha256 in node_modules/.cache/go-parsers, and asked many values per run.
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { findProgram } from './e2e/tools';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = path.join(__dirname, 'go-parsers', 'main.go');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'go-parsers');

/** Where `go` is: PATH, else Debian's /usr/lib/go/bin. */
export function goProgram(): string | undefined {
  return findProgram('go', ['/usr/lib/go/bin/go', '/usr/local/go/bin/go']);
}

/** What Go said of one value. */
export interface GoAnswer {
  readonly ok: boolean;
  readonly parsed?: string;
  readonly error?: string;
}

export type GoParser = 'url' | 'duration' | 'traefik-normalize' | 'grafana-dashboard';

/** The compiled checker, built once per source version (parallel workers each build, the rename is atomic). */
function checkerBinary(go: string): string {
  const digest = crypto.createHash('sha256').update(fs.readFileSync(SOURCE)).digest('hex').substring(0, 16);
  const binary = path.join(CACHE, `go-parsers-${digest}`);
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(CACHE, { recursive: true });
  const partial = `${binary}.${process.pid}.partial`;
  execFileSync(go, ['build', '-o', partial, SOURCE], {
    cwd: path.dirname(SOURCE),
    stdio: 'pipe',
    // A build cache of its own: $HOME may be read-only or absent on CI; no module download ever.
    env: { ...process.env, GOCACHE: path.join(CACHE, 'build'), GOPATH: path.join(CACHE, 'gopath'), GOFLAGS: '', GO111MODULE: 'off',
      GOTOOLCHAIN: 'local' },
  });
  fs.renameSync(partial, binary);
  return binary;
}

/** Go's verdict on every value, in order: one process for all of them. */
export function goParse(go: string, parser: GoParser, values: readonly string[]): GoAnswer[] {
  if (values.length === 0) return [];
  const input = values.map(value => JSON.stringify({ parser, value })).join('\n') + '\n';
  const out = execFileSync(checkerBinary(go), [], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const answers = out.trimEnd().split('\n').map(line => JSON.parse(line) as GoAnswer);
  if (answers.length !== values.length) throw new Error(`go-parsers answered ${answers.length} of ${values.length} values`);
  return answers;
}

/** The Go version that compiled the checker, e.g. go1.19.8. */
export function goVersion(go: string): string {
  return execFileSync(go, ['env', 'GOVERSION'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim();
}
