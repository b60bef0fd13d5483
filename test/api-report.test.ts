/**
 * The public API as a reviewed file: every name lib/index.ts exports, with its declared signature as the
 * TypeScript checker prints it, is written to api/cdk8s-grafana-analytics.api.md. The test fails when the
 * surface differs from the committed report, so every change to it shows in review; `UPDATE_API_REPORT=1
 * npx jest test/api-report.test.ts` rewrites the report.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const INDEX = path.join(ROOT, 'lib', 'index.ts');
const REPORT = path.join(ROOT, 'api', 'cdk8s-grafana-analytics.api.md');
/** README "Using the constructs from another project": at most this many names. */
const MAX_EXPORTS = 90;

function apiReport(): { names: string[]; text: string } {
  const program = ts.createProgram([INDEX], { strict: true, esModuleInterop: true, resolveJsonModule: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!;
  const exports = checker.getExportsOfModule(module).sort((a, b) => a.name.localeCompare(b.name));
  const printer = ts.createPrinter({ removeComments: true });
  const entries = exports.map(symbol => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const declarations = (target.declarations ?? []).map(d => {
      const file = path.relative(ROOT, d.getSourceFile().fileName);
      // A class or interface body is its members' signatures: printed whole; functions without their body.
      const node = ts.isFunctionDeclaration(d) ? ts.factory.updateFunctionDeclaration(d, d.modifiers, d.asteriskToken, d.name,
        d.typeParameters, d.parameters, d.type, undefined) : ts.isVariableDeclaration(d) ? d.parent.parent : d;
      const text = ts.isClassDeclaration(node) ? printClass(node, checker) : printer.printNode(ts.EmitHint.Unspecified, node, d.getSourceFile());
      return `// ${file}\n${text}`;
    });
    return `## ${symbol.name}\n\n\`\`\`ts\n${declarations.join('\n')}\n\`\`\`\n`;
  });
  const text = [
    '# cdk8s-grafana-analytics: public API',
    '',
    `Written by test/api-report.test.ts from lib/index.ts (${exports.length} names); do not edit by hand.`,
    '',
    ...entries,
  ].join('\n');
  return { names: exports.map(e => e.name), text };
}

/** A class as its public members' signatures (no bodies, no private members). */
function printClass(node: ts.ClassDeclaration, checker: ts.TypeChecker): string {
  const members = node.members
    .filter(m => !(ts.getCombinedModifierFlags(m as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)))
    .map(m => {
      const name = m.name ? m.name.getText() : 'constructor';
      if (ts.isConstructorDeclaration(m)) return `  constructor(${m.parameters.map(p => p.getText()).join(', ')});`;
      if (ts.isPropertyDeclaration(m)) {
        const type = m.type ? m.type.getText() : checker.typeToString(checker.getTypeAtLocation(m));
        return `  ${ts.getModifiers(m)?.map(x => x.getText()).join(' ') ?? ''} ${name}: ${type};`.replace(/ {2,}/g, '  ');
      }
      if (ts.isMethodDeclaration(m)) return `  ${m.getText().replace(/\s*\{[\s\S]*$/, ';')}`;
      return `  ${m.getText().split('\n')[0]}`;
    });
  const heritage = node.heritageClauses?.map(h => h.getText()).join(' ') ?? '';
  return `export class ${node.name?.text ?? ''} ${heritage} {\n${members.join('\n')}\n}`.replace(/ {2}\{/, ' {');
}

describe('the public API', () => {
  const { names, text } = apiReport();

  test(`exports at most ${MAX_EXPORTS} names`, () => {
    expect(names.length).toBeGreaterThan(0);
    expect(names.length).toBeLessThanOrEqual(MAX_EXPORTS);
  });

  test('is exactly what api/cdk8s-grafana-analytics.api.md records (UPDATE_API_REPORT=1 rewrites it)', () => {
    if (process.env.UPDATE_API_REPORT) fs.writeFileSync(REPORT, text);
    expect(fs.existsSync(REPORT) ? fs.readFileSync(REPORT, 'utf8') : '(no report)').toBe(text);
  });

  test('the README\'s "The public API" section lists exactly these names', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.substring(readme.indexOf('### The public API'), readme.indexOf('## Development'));
    const listed = section.split('\n').filter(l => l.startsWith('- ')).flatMap(l => [...l.matchAll(/`([A-Za-z_]+)`/g)].map(m => m[1]));
    expect([...listed].sort((a, b) => a.localeCompare(b))).toEqual(names);
  });
});
