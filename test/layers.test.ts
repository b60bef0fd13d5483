import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cycles, layerViolations, ModuleImports, projectModules, readModule } from './support/import-graph';

const ROOT = path.join(__dirname, '..');

describe('the layers of lib/', () => {
  const modules = projectModules(ROOT);

  test('the graph covers every layer folder, lib/index.ts and main.ts', () => {
    const files = modules.map(m => m.file);
    expect(files).toEqual(expect.arrayContaining([
      'main.ts', path.join('lib', 'index.ts'), path.join('lib', 'config', 'schema.ts'), path.join('lib', 'grafana', 'usage-dashboard.ts'),
      path.join('lib', 'constructs', 'synth.ts'), path.join('lib', 'output', 'helm-chart.ts'), path.join('lib', 'app', 'app.ts'),
      path.join('lib', 'constructs', 'index.ts'), path.join('lib', 'grafana', 'index.ts'),
    ]));
    expect(modules.find(m => m.file === path.join('lib', 'grafana', 'analytics-panel.ts'))?.local).toContain(
      path.join('lib', 'config', 'defaults.ts'),
    );
  });

  test('has no import cycle', () => {
    expect(cycles(modules)).toEqual([]);
  });

  test('each layer imports only layers to its left, output and app through the index.ts of grafana and constructs; config, grafana and constructs '
    + 'do no I/O; index.ts only re-exports', () => {
    expect(layerViolations(modules)).toEqual([]);
  });
});

describe('the import-graph checks themselves', () => {
  const mod = (file: string, local: string[] = [], external: string[] = [], otherStatements = 0): ModuleImports => ({
    file: path.join(...file.split('/')), local: local.map(f => path.join(...f.split('/'))), external, otherStatements,
  });

  test('fails when a cycle is added', () => {
    const found = cycles([
      mod('lib/config/a.ts', ['lib/config/b.ts']),
      mod('lib/config/b.ts', ['lib/config/c.ts']),
      mod('lib/config/c.ts', ['lib/config/a.ts']),
    ]);
    expect(found).toEqual([
      [
        path.join('lib', 'config', 'a.ts'),
        path.join('lib', 'config', 'b.ts'),
        path.join('lib', 'config', 'c.ts'),
        path.join('lib', 'config', 'a.ts'),
      ],
    ]);
  });

  test('fails on a layer importing a layer to its right, past a layer\'s index.ts, I/O in a pure layer, main.ts from lib, and a busy '
    + 'index.ts', () => {
    const problems = layerViolations([
      mod('lib/config/schema.ts', ['lib/constructs/labels.ts']),
      mod('lib/constructs/labels.ts', [], ['fs']),
      mod('lib/grafana/x.ts', [], ['child_process', 'os']),
      mod('lib/output/y.ts', ['main.ts']),
      mod('lib/app/z.ts', ['lib/constructs/synth.ts', 'lib/constructs/index.ts', 'lib/config/schema.ts']),
      mod('lib/config/load.ts', [], ['fs']),
      mod('lib/index.ts', [], [], 1),
      mod('lib/stray.ts'),
    ]);
    expect(problems).toEqual([
      `${path.join('lib', 'config', 'schema.ts')}: layer config imports ${path.join('lib', 'constructs', 'labels.ts')} of layer constructs, to `
        + `its right`,
      `${path.join('lib', 'constructs', 'labels.ts')}: layer constructs imports fs`,
      `${path.join('lib', 'grafana', 'x.ts')}: layer grafana imports child_process`,
      `${path.join('lib', 'grafana', 'x.ts')}: layer grafana imports os`,
      `${path.join('lib', 'output', 'y.ts')}: imports main.ts`,
      `${path.join('lib', 'app', 'z.ts')}: layer app imports ${path.join('lib', 'constructs', 'synth.ts')}; allowed: only lib/constructs/index.ts `
        + `of layer constructs`,
      `${path.join('lib', 'config', 'load.ts')}: layer config imports fs`,
      `${path.join('lib', 'index.ts')}: does something besides re-exporting (1 other statements)`,
      `${path.join('lib', 'stray.ts')}: outside every layer folder`,
    ]);
  });

  test('reads type-only imports, export-from, require() and node: specifiers from real source', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-graph-'));
    try {
      fs.mkdirSync(path.join(dir, 'lib', 'config'), { recursive: true });
      for (const f of ['a', 'b', 'c', 'd']) fs.writeFileSync(path.join(dir, 'lib', 'config', `${f}.ts`), '');
      fs.writeFileSync(path.join(dir, 'lib', 'config', 'x.ts'), [
        "import type { T } from './a';",
        "export { U } from './b';",
        "const c = require('./c');",
        "import d = require('./d');",
        "import * as fs from 'node:fs';",
      ].join('\n'));
      const read = readModule(dir, path.join('lib', 'config', 'x.ts'));
      expect(read.local).toEqual(['a', 'b', 'c', 'd'].map(f => path.join('lib', 'config', `${f}.ts`)));
      expect(read.external).toEqual(['fs']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
