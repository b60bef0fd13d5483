/**
 * Go programs of the tests (test/support/go/*.go, standard library only), run with the system's Go
 * (Debian's golang-go, installed by scripts/install-test-deps.sh): a consumer's parser itself, not
 * our reading of its documentation. The build cache stays under node_modules/.cache.
 */
import { execFile } from 'child_process';
import * as path from 'path';
import { findProgram } from './e2e/tools';

export const GO = findProgram('go', ['/usr/lib/go/bin/go']);

const CACHE = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'go');

/** `go run test/support/go/<program>.go <args>` with `input` on stdin; resolves with stdout. */
export function runGo(program: string, args: readonly string[], input: string): Promise<string> {
  const env = {
    PATH: process.env.PATH ?? '', HOME: CACHE, GOCACHE: path.join(CACHE, 'build'), GOPATH: path.join(CACHE, 'path'), GOFLAGS: '', GO111MODULE: '',
    GOTOOLCHAIN: 'local',
  };
  return new Promise((resolve, reject) => {
    const options = { env, maxBuffer: 256 * 1024 * 1024, timeout: 120_000 };
    const child = execFile(GO as string, ['run', path.join(__dirname, 'go', `${program}.go`), ...args], options, (error, stdout, stderr) => {
      if (error) reject(new Error(`go run ${program}.go ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin?.end(input);
  });
}
