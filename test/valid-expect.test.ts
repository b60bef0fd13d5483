/**
 * The check `jest/valid-expect` would make: every `expect(...)` in the tests ends in a matcher
 * call. `expect(x).toBeDefined;` (no call) asserts nothing and passes silently.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const TEST_DIR = __dirname;

/** Every `expect(...)` whose chain does not end in a call, as `file:line`. */
function danglingExpects(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'expect') {
      let top: ts.Node = node;
      while (ts.isPropertyAccessExpression(top.parent) && top.parent.expression === top) top = top.parent;
      const called = top !== node && ts.isCallExpression(top.parent) && top.parent.expression === top;
      if (!called) found.push(`${path.relative(TEST_DIR, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === '__snapshots__' ? [] : testFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

test('every expect() in the tests ends in a matcher call', () => {
  const files = testFiles(TEST_DIR);
  expect(files.length).toBeGreaterThan(10);
  expect(files.flatMap(f => danglingExpects(f, fs.readFileSync(f, 'utf8')))).toEqual([]);
});

test('the check finds what asserts nothing', () => {
  const source = [
    'expect(a).toBeDefined;',
    'expect(b);',
    'expect(c).not.toBe;',
    'expect(d).toBe(1);',
    'await expect(e).rejects.toThrow(/x/);',
    'expect.stringMatching(/y/);',
  ].join('\n');
  expect(danglingExpects(path.join(TEST_DIR, 'x.test.ts'), source)).toEqual(['x.test.ts:1', 'x.test.ts:2', 'x.test.ts:3']);
});
