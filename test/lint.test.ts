/**
 * The lint rules we rely on fire: `npm test` runs ESLint over the tree (scripts/test.sh), and these cases show
 * that what the team chose to forbid is caught, with the project's own eslint.config.mjs.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/**
 * The rules a text breaks, linted by the ESLint CLI as if it were the file at `file` (relative to the root).
 * A process of its own: jest cannot load the ES module config in its own module system.
 */
async function rulesBroken(text: string, file: string): Promise<string[]> {
  const cli = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const run = spawnSync(process.execPath, [cli, '--stdin', '--stdin-filename', file, '-f', 'json'], {
    cwd: ROOT, input: text, encoding: 'utf8',
  });
  if (run.status !== 0 && run.status !== 1) throw new Error(`eslint failed: ${run.stderr}`);
  const [result] = JSON.parse(run.stdout) as { messages: { line: number; ruleId: string | null; message: string }[] }[];
  return Promise.resolve(result.messages.map(m => `${m.line}: ${m.ruleId ?? m.message}`));
}

// Each run type-checks the project (about 10 s): two runs, each text breaking several rules at once.
jest.setTimeout(120_000);

describe('eslint.config.mjs', () => {
  test('fails on an expect() that never calls its matcher (jest/valid-expect)', async () => {
    const source = [
      "test('x', () => {",
      '  expect(1).toBeDefined;',
      '  expect(2);',
      '  expect(3).not.toBe;',
      '  expect(4).toBe(4);',
      '});',
      '',
    ].join('\n');
    // Linted as this very file: a test file the project's tsconfig holds.
    // (typescript-eslint also reports the unused expressions; the jest rule is the one that reads every form)
    expect((await rulesBroken(source, 'test/lint.test.ts')).filter(r => r.includes('jest/')))
      .toEqual(['2: jest/valid-expect', '3: jest/valid-expect', '4: jest/valid-expect']);
  });

  test('fails on a line over 150 characters (code, a comment, a string, a URL) and on a Promise nobody awaits', async () => {
    const long = (prefix: string) => `${prefix}${'x'.repeat(151 - prefix.length)}`;
    const source = [
      long('// '),
      `export const s = '${'y'.repeat(140)}';`,
      `// ${'https://example.com/'.padEnd(150, 'z')}`,
      `export const ok = '${'y'.repeat(128)}';`,
      'export function f(): void {',
      '  Promise.resolve(1);',
      '}',
      '',
    ].join('\n');
    expect(await rulesBroken(source, 'lib/config/paths.ts'))
      .toEqual(['1: max-len', '2: max-len', '3: max-len', '6: @typescript-eslint/no-floating-promises']);
  });
});
