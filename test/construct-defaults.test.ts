/**
 * Every `@default` a construct's props document is the value the construct uses when the prop is omitted: the
 * JSDoc of each Props interface is read with the TypeScript compiler API, and each literal default is compared
 * with the config's default for the setting the prop stands for (the `propsCheck` table of the construct maps
 * props to settings; a construct used alone fills omitted props as the config resolves them).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { resolveConfig } from '../lib';
import { SERVER_PORT } from '../lib/config/constants';
import { valueAt } from '../lib/config/internal/installation-rules';
import type { AuthFront } from '../lib/config/schema';

const CONSTRUCTS = path.join(__dirname, '..', 'lib', 'constructs');

interface DocumentedDefault { readonly file: string; readonly prop: string; readonly text: string }

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'internal' ? [] : sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** `@default` of every property of every exported `...Props` interface in a file. */
function documentedDefaults(file: string, sf: ts.SourceFile): DocumentedDefault[] {
  return sf.statements.filter(ts.isInterfaceDeclaration).filter(i => i.name.text.endsWith('Props')).flatMap(i => i.members.flatMap(m => {
    const tag = ts.getJSDocTags(m).find(t => t.tagName.text === 'default');
    const text = typeof tag?.comment === 'string' ? tag.comment.trim() : undefined;
    return text !== undefined && m.name ? [{ file: path.basename(file), prop: m.name.getText(sf), text }] : [];
  }));
}

/** The prop -> config setting table of the file's `propsCheck({ props: { ... } })` call. */
function settingsTable(sf: ts.SourceFile): Record<string, string> {
  const table: Record<string, string> = {};
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.getText(sf) === 'propsCheck') {
      const spec = node.arguments[0] as ts.ObjectLiteralExpression;
      const props = spec.properties.find(p => p.name?.getText(sf) === 'props') as ts.PropertyAssignment;
      for (const p of (props.initializer as ts.ObjectLiteralExpression).properties) {
        if (ts.isPropertyAssignment(p) && ts.isStringLiteral(p.initializer)) table[p.name.getText(sf)] = p.initializer.text;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return table;
}

/** A literal default (`'8k'`, `300`, `{ 'a': 'b' }`) as a value; `- ...` texts describe, they are no literal. */
function literal(text: string): unknown {
  const json = text.replace(/\s*\(.*\)$/, '').replace(/'/g, '"');
  return JSON.parse(json);
}

/** Which front a file's props default for: the per-front defaults (IngressClass, controller namespace). */
const FRONT_OF: Record<string, AuthFront> = { 'traefik-auth-front.ts': 'traefik', 'proxy-auth-front.ts': 'proxy' };

/** Literal defaults of props that are no config setting (or only checked like one), and the constant the construct uses. */
const NOT_SETTINGS: Record<string, unknown> = {
  'analytics-network-policy.ts controllerPort': SERVER_PORT,
  'synth.ts chartsPerApp': 10,
};

const files = sourceFiles(CONSTRUCTS).map(file => ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true));
// Props shared by several constructs (WritePathFrontProps) are checked by each: any table names their setting.
const anyTable: Record<string, string> = Object.assign({}, ...files.map(settingsTable));
const defaults = files.flatMap(sf => {
  const table = settingsTable(sf);
  return documentedDefaults(sf.fileName, sf).map(d => ({ ...d, setting: table[d.prop] ?? anyTable[d.prop] }));
});
const literals = defaults.filter(d => !d.text.startsWith('- '));

describe('the constructs\' @default texts', () => {
  test('are read: every construct file with props documents its defaults', () => {
    expect(literals.length).toBeGreaterThan(30);
    expect(defaults.filter(d => d.text === 'undefined' || d.text === '')).toEqual([]);
  });

  test.each(literals.map(d => [`${d.file} ${d.prop}`, d] as const))('%s is the value used when it is omitted', (_name, d) => {
    const key = `${d.file} ${d.prop}`;
    if (d.setting === undefined || key in NOT_SETTINGS) {
      expect({ [key]: literal(d.text) }).toEqual({ [key]: NOT_SETTINGS[key] });
      return;
    }
    const front = FRONT_OF[d.file] ?? 'ingress-nginx';
    const installation = { name: 'a', grafana: { host: 'a.example.com' }, auth: { front }, networkPolicy: { enabled: front !== 'proxy' } };
    const [inst] = resolveConfig({ installations: [installation] });
    expect({ [key]: literal(d.text) }).toEqual({ [key]: valueAt(inst, d.setting) });
  });
});
