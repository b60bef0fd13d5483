import * as fs from 'fs';
import * as path from 'path';

/** Where a program is, searching PATH and then the given absolute fallbacks (Debian's /usr/sbin). */
export function findProgram(name: string, fallbacks: readonly string[] = []): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(d => d.length > 0);
  for (const candidate of [...dirs.map(d => path.join(d, name)), ...fallbacks]) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch { /* not here */ }
  }
  return undefined;
}

/**
 * `describe` when every program is installed. When none is and `CI` is not set, the suite is
 * skipped with a loud message. Under CI, or when only some are installed (a broken install), a
 * missing program is a failing test, never a silent skip.
 */
export function describeWithPrograms<P extends Record<string, string | undefined>>(
  title: string,
  programs: P,
  body: (found: { [K in keyof P]: string }) => void,
): void {
  const missing = Object.entries(programs).filter(([, where]) => where === undefined).map(([name]) => name);
  if (missing.length === 0) {
    describe(title, () => body(programs as { [K in keyof P]: string }));
    return;
  }
  const message = `${title}: ${missing.join(', ')} not installed (run scripts/install-test-deps.sh as root, or apt-get install prometheus `
    + `nginx caddy golang-go git)`;
  if (process.env.CI || missing.length < Object.keys(programs).length) {
    describe(title, () => {
      test('finds the programs it drives', () => {
        throw new Error(`${message}; ${process.env.CI ? 'CI is set' : 'the others are installed'}, so this fails instead of skipping`);
      });
    });
    return;
  }
   
  console.warn(`\n${'!'.repeat(100)}\nSKIPPED END-TO-END SUITE ${message}\n${'!'.repeat(100)}\n`);
  describe.skip(title, () => body(programs as { [K in keyof P]: string }));
}
