/**
 * The import graph of lib/ and main.ts, read with TypeScript's own parser, and the layer rules it
 * must keep: config -> grafana -> constructs -> output -> app, each importing only layers to its
 * left (README "Development").
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** The layers in data order; a module may import its own layer and those before it. */
export const LAYERS = ['config', 'grafana', 'constructs', 'output', 'app'] as const;

/** Modules that may not touch the file system or spawn processes: their layers take data only (files are read in app/). */
const PURE_LAYERS = new Set(['config', 'grafana', 'constructs']);

/** Layers whose modules the later layers reach only through the layer's index.ts: what it exports for them. */
const LAYERS_BEHIND_INDEX = new Set(['grafana', 'constructs']);
const IO_MODULES = new Set(['fs', 'fs/promises', 'os', 'child_process']);

/** One module: its path relative to the root, and what it imports (relative paths resolved to files). */
export interface ModuleImports {
  readonly file: string;
  /** Project files it imports (relative to the root, with extension). */
  readonly local: string[];
  /** Package or Node built-in specifiers it imports. */
  readonly external: string[];
  /** Top-level statements that are neither an `export ... from` nor an import (for index.ts). */
  readonly otherStatements: number;
}

/** Every specifier a file names: import/export declarations (type-only too), `import x = require()`, `require()`, `import()`. */
function specifiers(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)
      && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])
      && ((ts.isIdentifier(node.expression) && node.expression.text === 'require') || node.expression.kind === ts.SyntaxKind.ImportKeyword)) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function resolveLocal(root: string, from: string, spec: string): string {
  const base = path.resolve(root, path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.js`, `${base}.json`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return path.relative(root, candidate);
  }
  throw new Error(`${from}: cannot resolve import ${JSON.stringify(spec)}`);
}

/** Reads one module's imports. */
export function readModule(root: string, file: string): ModuleImports {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const local: string[] = [];
  const external: string[] = [];
  for (const spec of specifiers(source)) {
    if (spec.startsWith('.')) local.push(resolveLocal(root, file, spec));
    else external.push(spec.replace(/^node:/, ''));
  }
  const otherStatements = source.statements.filter(s => !(ts.isExportDeclaration(s) && s.moduleSpecifier)).length;
  return { file, local, external, otherStatements };
}

/** Every module of lib/ and main.ts. */
export function projectModules(root: string): ModuleImports[] {
  const walk = (dir: string): string[] => fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap(entry => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return walk(rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
  return ['main.ts', ...walk('lib')].sort().map(file => readModule(root, file));
}

/** The layer of a module under lib/, or undefined outside the layers (lib/index.ts, main.ts, imports/). */
export function layerOf(file: string): string | undefined {
  const parts = file.split(path.sep);
  return parts[0] === 'lib' && parts.length > 2 ? parts[1] : undefined;
}

/** Every cycle, each as the list of files along it (first file repeated at the end). */
export function cycles(modules: readonly ModuleImports[]): string[][] {
  const edges = new Map(modules.map(m => [m.file, m.local]));
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const m of modules) if (!state.has(m.file)) visit(m.file);
  return found;
}

/** Every broken layer rule, one line each. */
export function layerViolations(modules: readonly ModuleImports[]): string[] {
  const problems: string[] = [];
  const rank = (layer: string) => (LAYERS as readonly string[]).indexOf(layer);
  for (const m of modules) {
    const layer = layerOf(m.file);
    const underLib = m.file.startsWith(`lib${path.sep}`);
    if (underLib && !layer && m.file !== path.join('lib', 'index.ts')) problems.push(`${m.file}: outside every layer folder`);
    if (layer && rank(layer) < 0) problems.push(`${m.file}: unknown layer folder "${layer}"`);
    if (m.file === path.join('lib', 'index.ts') && m.otherStatements > 0) {
      problems.push(`${m.file}: does something besides re-exporting (${m.otherStatements} other statements)`);
    }
    for (const target of m.local) {
      if (underLib && target === 'main.ts') problems.push(`${m.file}: imports main.ts`);
      const targetLayer = layerOf(target);
      if (layer && targetLayer && rank(targetLayer) > rank(layer)) {
        problems.push(`${m.file}: layer ${layer} imports ${target} of layer ${targetLayer}, to its right`);
      }
      if (layer && target === path.join('lib', 'index.ts')) problems.push(`${m.file}: imports lib/index.ts (import the module itself)`);
      if (layer && targetLayer && targetLayer !== layer && rank(targetLayer) < rank(layer) && rank(layer) > rank('constructs')
        && LAYERS_BEHIND_INDEX.has(targetLayer) && target !== path.join('lib', targetLayer, 'index.ts')) {
        problems.push(`${m.file}: layer ${layer} imports ${target}; allowed: only lib/${targetLayer}/index.ts of layer ${targetLayer}`);
      }
    }
    if (layer && PURE_LAYERS.has(layer)) {
      for (const ext of m.external) if (IO_MODULES.has(ext)) problems.push(`${m.file}: layer ${layer} imports ${ext}`);
    }
  }
  return problems;
}
