#!/usr/bin/env node
/**
 * Runs a TypeScript entry point (`node -r ./scripts/ts-run.js main.ts`) the way `cdk8s synth` needs it:
 * transpile-only (the type check lives in `npm test` and `npm run build`) and with each file's
 * JavaScript cached by content hash, so a synth costs about what precompiled JS costs.
 *
 * Why not ts-node --transpile-only: it transpiles every file on every run (about 0.6 s here, see
 * bench/README.md). Why not an outDir build: `main.ts` and the library locate files through
 * `__dirname`, and a separate build step can run stale JS when someone forgets it.
 *
 * Never stale: every `.ts` file is read and hashed on every run (about 1 ms for the whole app);
 * the cache entry, one per source file, is used only when its hash matches the source, the
 * TypeScript version and the tsconfig.json text. A miss loads TypeScript and rewrites that entry.
 * The cache lives in .cache/ts-run, or in $TS_RUN_CACHE.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');

const root = path.resolve(__dirname, '..');
const tsconfigFile = path.join(root, 'tsconfig.json');
const cacheDir = process.env.TS_RUN_CACHE ? path.resolve(process.env.TS_RUN_CACHE) : path.join(root, '.cache', 'ts-run');
// Bump when the way this file compiles changes, so old entries stop matching.
const RUNNER_VERSION = '1';

let ts;
let compilerOptions;
let keyPrefix;

function cacheKeyPrefix() {
  keyPrefix ??= [
    RUNNER_VERSION,
    JSON.parse(fs.readFileSync(require.resolve('typescript/package.json'), 'utf8')).version,
    fs.readFileSync(tsconfigFile, 'utf8'),
  ].join('\0');
  return keyPrefix;
}

function transpile(source, filename) {
  if (!ts) {
    ts = require('typescript');
    const { config, error } = ts.readConfigFile(tsconfigFile, ts.sys.readFile);
    if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
    // Options about a whole program (rootDir, outDir, ...) mean nothing to a single-file transpile.
    const { rootDir: _r, outDir: _o, declaration: _d, ...options } = ts.parseJsonConfigFileContent(config, ts.sys, root).options;
    compilerOptions = {
      ...options,
      sourceMap: false,
      inlineSourceMap: true,
      inlineSources: false,
    };
  }
  const out = ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: true });
  const syntaxErrors = (out.diagnostics ?? []).filter(d => d.category === ts.DiagnosticCategory.Error);
  if (syntaxErrors.length > 0) {
    throw new Error(syntaxErrors.map(d => {
      const pos = d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0) : undefined;
      const at = pos ? `${filename}:${pos.line + 1}:${pos.character + 1}: ` : `${filename}: `;
      return at + ts.flattenDiagnosticMessageText(d.messageText, '\n');
    }).join('\n'));
  }
  return out.outputText;
}

/** The JavaScript for one source file, from the cache when the cached hash still matches. */
function compiled(filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const hash = crypto.createHash('sha256').update(cacheKeyPrefix()).update('\0').update(source).digest('hex');
  const header = `/*${hash}*/`;
  const entry = path.join(cacheDir, `${path.relative(root, filename).replace(/\.\.(\/|\\|$)/g, '__$1')}.js`);
  try {
    const cached = fs.readFileSync(entry, 'utf8');
    if (cached.startsWith(header)) return cached.slice(header.length);
  } catch {
    // no entry yet: compile below
  }
  const js = transpile(source, filename);
  // Write then rename: a concurrent synth never reads a half-written entry.
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  const tmp = `${entry}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, header + js);
  fs.renameSync(tmp, entry);
  return js;
}

Module._extensions['.ts'] = function loadTs(module, filename) {
  module._compile(compiled(filename), filename);
};
// The entries carry inline source maps; `NODE_OPTIONS=--enable-source-maps` makes stack traces
// point at TypeScript lines. Off by default: parsing every source map costs about 50 ms a synth.

// Preloaded (`node -r ./scripts/ts-run.js main.ts`) this file only installs the hook, and worker
// threads inherit the preload; run as a script it also runs the entry point given to it.
if (require.main === module) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    console.error('usage: node -r ./scripts/ts-run.js <entry.ts> [args...], or node scripts/ts-run.js <entry.ts> [args...]');
    process.exit(2);
  }
  process.argv = [process.argv[0], path.resolve(entry), ...args];
  Module.runMain(path.resolve(entry));
}
