/**
 * The bad-input corpus: every test/bad-configs/*.yaml starts with `# expect: <problem>` lines, the
 * exact problems the user must see. Each runs through runApp (what main.ts runs); a few also run
 * through the real process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { resolveConfig, synthesize } from '../lib';
import { duplicateObjectProblems } from '../lib/app/internal/collisions';
import { filesUnder, outdirWithSentinel, runInProcess, runMain, SENTINEL_FILES } from './support/run-app';

const DIR = path.join(__dirname, 'bad-configs');
const cases = fs.readdirSync(DIR).filter(f => f.endsWith('.yaml')).sort().map(f => {
  const file = path.join(DIR, f);
  const expected = fs.readFileSync(file, 'utf8').split('\n')
    .filter(l => l.startsWith('# expect: ')).map(l => l.substring('# expect: '.length));
  return { name: f.replace(/\.yaml$/, ''), file, expected };
});

const STACK_FRAME = /^\s+at .+[(:]/m;

describe('the bad-config corpus', () => {
  test('has at least 40 cases, each with the problems it expects', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const c of cases) expect({ [c.name]: c.expected.length > 0 }).toEqual({ [c.name]: true });
  });

  test('covers every category of bad input the config contract names', () => {
    const categories: Record<string, RegExp> = {
      'YAML syntax error with line and column': /YAML syntax error at line \d+, column \d+: /,
      'wrong type': /: got (\d+|"[^"]*"|\[.*\]); allowed: (true or false|an integer|a mapping)/,
      'unknown key, top level': /^default: unknown key/,
      'unknown key in defaults': /^defaults\.\w+: unknown key/,
      'unknown key in an installation': /^installations\[0\]\.\w+: unknown key/,
      'unknown key three levels down': /^installations\[0\]\.\w+\.\w+\.\w+: unknown key/,
      'did-you-mean hint': /did you mean "\w+"\?/,
      'missing required field': /: is required; allowed: /,
      'invalid DNS name': /\.name: got "Prod_EU"/,
      'invalid host': /grafana\.host: got "Grafana\.Example\.com"/,
      'host with a scheme': /grafana\.host: got "https:\/\//,
      'host with a path': /grafana\.host: got "grafana\.example\.com\/grafana"/,
      'sub-path without leading slash': /subPath: got "grafana"/,
      'sub-path with trailing slash': /subPath: got "\/grafana\/"/,
      'port out of range': /port: got 65536; allowed: an integer from 1 to 65535/,
      'duplicate installation names': /\.name: got "prod"; allowed: a name no other installation has/,
      'same host and path twice': /allowed: a host and path nothing else claims/,
      'conflicting auth options': /auth\.viaIngressPath: got "\/grafana-auth" while auth\.mode is "in-cluster"/,
      'not an image reference': /server\.image: got .*; allowed: an image reference/,
      'label value Kubernetes rejects': /labels\.release: got "-kube-prometheus-"; allowed: a Kubernetes label value/,
      'label key Kubernetes rejects': /labels\["release!"\]: got key "release!"/,
      'DNS name too long when combined': /characters long; allowed: at most 253/,
      'empty installation list': /^installations: got \[\]; allowed: a list of at least one installation/,
    };
    const all = cases.flatMap(c => c.expected);
    const missing = Object.entries(categories).filter(([, re]) => !all.some(line => re.test(line))).map(([k]) => k);
    expect(missing).toEqual([]);
  });

  test.each(cases)('fails when $name', async ({ file, expected }) => {
    // GIVEN an output folder from an earlier run
    const outdir = outdirWithSentinel();
    // WHEN the app runs on the bad config
    const { code, stderr } = await runInProcess({ configFile: file, outdir });
    // THEN it exits 1 with exactly the expected problems, no stack trace, and writes nothing
    expect(code).toBe(1);
    const [header, ...problems] = stderr.trimEnd().split('\n');
    expect(header).toBe(`invalid configuration in ${file} (${expected.length} problem${expected.length === 1 ? '' : 's'}):`);
    expect(problems).toEqual(expected.map(e => `  - ${e}`));
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(filesUnder(outdir)).toEqual(SENTINEL_FILES);
  });

  test('every problem names its path, the value received and what is allowed (or a line and column)', () => {
    for (const line of cases.flatMap(c => c.expected)) {
      const ok = /^YAML syntax error at line \d+, column \d+: \S/.test(line)
        || /^([\w.[\]"!/-]+: )?(got .+|is required); allowed: .+/.test(line)
        || /^[\w.[\]]+: unknown key: "[^"]+" is not allowed here.*\(allowed keys: .+\)$/.test(line);
      expect({ line, ok }).toEqual({ line, ok: true });
    }
  });

  // One case per stage (YAML, schema, per-installation rule, cross-installation) through the real process.
  test.each(['yaml-unclosed-flow-map', 'unknown-key-ingress-auth-networkpolicy', 'conflict-via-ingress-path-in-cluster', 'same-host-and-write-path'])(
    'main.ts exits 1 and writes nothing when %s',
    async name => {
      const { file, expected } = cases.find(c => c.name === name)!;
      const outdir = outdirWithSentinel();
      const run = await runMain({ GRAFANA_ANALYTICS_CONFIG: file, CDK8S_OUTDIR: outdir });
      expect(run.code).toBe(1);
      for (const e of expected) expect(run.stderr).toContain(`  - ${e}\n`);
      expect(run.stderr).not.toMatch(STACK_FRAME);
      expect(run.stderr).not.toContain('\x1b['); // stderr is a pipe, not a TTY: no colors
      expect(run.stdout).toBe('');
      expect(filesUnder(outdir)).toEqual(SENTINEL_FILES);
    },
  );
});

describe('objects two installations would both create', () => {
  // Today every object name derives from the (unique) installation name, so only a future construct
  // could collide; this proves the check that runApp runs on every installation's objects.
  test('fails when two installations create the same object in the same namespace', () => {
    // GIVEN two synthesized installations whose via-ingress auth Ingresses land in Grafana's namespace under one name
    const [a, b] = synthesize(resolveConfig({
      defaults: { auth: { mode: 'via-ingress' }, grafana: { service: { namespace: 'grafana' } } },
      installations: [{ name: 'a', grafana: { host: 'a.example.com' } }, { name: 'b', grafana: { host: 'b.example.com' } }],
    }));
    const renamed = {
      ...b,
      objects: b.objects.map(o =>
        o.metadata.name === 'b-analytics-grafana-auth' ? { ...o, metadata: { ...o.metadata, name: 'a-analytics-grafana-auth' } } : o,
      ),
    };
    // WHEN / THEN
    expect(duplicateObjectProblems([a, b])).toEqual([]);
    expect(duplicateObjectProblems([a, renamed])).toEqual([{
      path: 'installations[1].name',
      message: 'got "b", whose Ingress "grafana/a-analytics-grafana-auth" is created by installations[0] ("a") too; allowed: installations whose '
        + 'objects differ in name or namespace',
    }]);
  });
});
