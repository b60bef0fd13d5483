/**
 * The project's own hostile-input corpus (issue 14): what a careful attacker and a clumsy user
 * try, by family. Every case runs the app as main.ts does (every writer) in a fresh folder
 * holding the config, its dashboards and the previous output, and states its outcome: the exit
 * code, the lines the user must read (naming the config path), and for a failure that the
 * previous output is byte-identical and nothing else was deleted.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { CONFIG_OUTPUT_WRITERS } from '../../lib/app/writers';
import { MAX_CONFIG_BYTES, MAX_YAML_ALIAS_COUNT } from '../../lib/app/load';
import { OutputWriter } from '../../lib/app/render';
import { HIDDEN_PANEL_RESERVE_BYTES, MAX_CONFIG_MAP_BYTES } from '../../lib/config/dashboards';
import { MAX_RATE_LIMIT_PER_MINUTE } from '../../lib/config/installation-schema';
import { grafanaValuesFiles } from '../../lib/output/grafana-values';
import { helmChartFiles } from '../../lib/output/helm-chart';
import { OUTPUT_MARKER } from '../../lib/output/output-folder';
import { runInProcess } from '../support/run-app';

const WRITERS: OutputWriter[] = [s => helmChartFiles(s, { chartVersion: '0.1.0' }), grafanaValuesFiles];
const STACK_FRAME = /^\s+at .+[(:]/m;

/** A fresh folder for one case: config/, dashboards/ and dist/ (the previous output). */
class Workspace {
  readonly dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-')));
  readonly config = path.join(this.dir, 'config', 'installations.yaml');
  readonly outdir = path.join(this.dir, 'dist');

  constructor() {
    this.file('dashboards/a.json', JSON.stringify({ uid: 'a', title: 'A', panels: [] }));
    this.file('dist/prod.k8s.yaml', 'previous: output\n');
    this.file(`dist/${OUTPUT_MARKER}`, 'left by an earlier run\n');
    fs.mkdirSync(path.dirname(this.config), { recursive: true });
    this.writeConfig(installations());
  }

  /** Writes `content` at `rel` (under the workspace), making folders; returns the absolute path. */
  file(rel: string, content: string | Buffer): string {
    const p = path.join(this.dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    return p;
  }

  writeConfig(config: unknown): string {
    fs.writeFileSync(this.config, typeof config === 'string' ? config : stringify(config, { lineWidth: 0 }));
    return this.config;
  }
}

/** A valid config: one installation with one dashboard, `extra` merged into it; more after it. */
function installations(extra: Record<string, unknown> = {}, more: Record<string, unknown>[] = []): unknown {
  return {
    installations: [
      { name: 'prod', namespace: 'monitoring', grafana: { host: 'grafana.example.com' }, dashboards: ['../dashboards/a.json'], ...extra },
      ...more,
    ],
  };
}

interface Arranged {
  readonly configFile?: string;
  readonly outdir?: string;
  /** The output folder cannot be compared (it is `/`, $HOME, the working directory): these must still exist. */
  readonly mustStillExist?: readonly string[];
  /** Staging folders the case planted, and whether the run must leave each in place. */
  readonly staging?: readonly { readonly path: string; readonly kept: boolean }[];
}

interface HostileCase {
  readonly family: 'file system' | 'not a regular file' | 'YAML aliases' | 'consumer rules' | 'prototype names' | 'collisions' | 'reporting';
  readonly name: string;
  readonly arrange: (w: Workspace) => Arranged | void;
  readonly code: 0 | 1;
  /** Text (or patterns) stderr must hold: the problem, naming the config path. */
  readonly says: readonly (string | RegExp)[];
  /** Text stderr must not hold (a secret, a whole huge value). */
  readonly never?: readonly string[];
  /** Checks the output of a successful run. */
  readonly output?: (files: Record<string, string>, w: Workspace) => void;
}

const refused = (why: string | RegExp) => [/^refusing the output folder "[^\n]*": /m, why, 'nothing was written or deleted'];
const problem = (pathAndMessage: string | RegExp) => [/^invalid configuration in .* \(\d+ problems?\):$/m, pathAndMessage];
const fifo = (p: string) => { execFileSync('mkfifo', [p]); return p; };
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const allOutput = (files: Record<string, string>) => Object.values(files).join('\n');

/** A dead process' pid: one that ran and exited. */
function deadPid(): number {
  const child = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child);
}
const procStart = (pid: number) => {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.substring(s.lastIndexOf(')') + 2).split(' ')[19];
};
const bootTag = () => fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').replace(/[^0-9a-f]/g, '').substring(0, 12);

const CASES: HostileCase[] = [
  // 1. The file system: an output folder the app must not replace.
  { family: 'file system', name: 'empty output folder name (CDK8S_OUTDIR=)', arrange: () => ({ outdir: '' }), code: 1, says: refused('it is empty') },
  {
    family: 'file system',
    name: 'output folder is the working directory (.)',
    arrange: () => ({ outdir: '.', mustStillExist: ['package.json', '.git'] }),
    code: 1,
    says: refused('it is the working directory'),
  },
  {
    family: 'file system',
    name: 'output folder is the working directory, absolute',
    arrange: () => ({ outdir: process.cwd(), mustStillExist: ['package.json'] }),
    code: 1,
    says: refused('it is the working directory'),
  },
  {
    family: 'file system',
    name: 'output folder is an ancestor of the working directory',
    arrange: () => ({ outdir: '..', mustStillExist: ['package.json'] }),
    code: 1,
    says: refused('it holds the working directory'),
  },
  {
    family: 'file system',
    name: 'output folder is /',
    arrange: () => ({ outdir: '/', mustStillExist: ['package.json'] }),
    code: 1,
    says: refused('it is the root of the file system'),
  },
  {
    family: 'file system',
    name: 'output folder is $HOME',
    arrange: () => ({ outdir: os.homedir(), mustStillExist: [os.homedir()] }),
    code: 1,
    says: refused(/it (is|holds) the (home folder|working directory)/),
  },
  {
    family: 'file system',
    name: 'output folder is the temporary folder',
    arrange: () => ({ outdir: os.tmpdir(), mustStillExist: [os.tmpdir()] }),
    code: 1,
    says: refused(/it (is|holds) the temporary folder/),
  },
  {
    family: 'file system',
    name: "output folder is the config's folder",
    arrange: w => ({ outdir: path.dirname(w.config) }),
    code: 1,
    says: refused('it holds the config file'),
  },
  {
    family: 'file system',
    name: 'output folder is an ancestor of the config',
    arrange: w => ({ outdir: w.dir }),
    code: 1,
    says: refused('it holds the config file'),
  },
  {
    family: 'file system',
    name: 'output folder is the config file itself',
    arrange: w => ({ outdir: w.config }),
    code: 1,
    says: refused('it is the config file'),
  },
  {
    family: 'file system',
    name: 'output folder reaches the config folder through ..',
    arrange: w => ({ outdir: path.join(w.dir, 'config', 'sub', '..') }),
    code: 1,
    says: refused('it holds the config file'),
  },
  {
    family: 'file system',
    name: "output folder is the dashboards' folder",
    arrange: w => ({ outdir: path.join(w.dir, 'dashboards') }),
    code: 1,
    says: refused('it holds files this app did not write'),
  },
  {
    family: 'file system', name: 'output folder is an earlier output that now holds a dashboard',
    arrange: w => {
      w.file('dist/boards/b.json', JSON.stringify({ uid: 'b', title: 'B' }));
      w.writeConfig(installations({ dashboards: ['../dist/boards/b.json'] }));
    },
    code: 1, says: refused(/it holds the dashboard file .*dist\/boards\/b\.json/),
  },
  {
    family: 'file system', name: 'output folder is an ancestor of a dashboard outside the config folder',
    arrange: w => {
      w.file('shared/boards/b.json', JSON.stringify({ uid: 'b', title: 'B' }));
      w.file(`shared/${OUTPUT_MARKER}`, '');
      w.writeConfig(installations({ dashboards: ['../shared/boards/b.json'] }));
      return { outdir: path.join(w.dir, 'shared') };
    },
    code: 1, says: refused(/it holds the dashboard file .*b\.json/),
  },
  {
    family: 'file system',
    name: 'output folder is a symbolic link to the working directory',
    arrange: w => {
      fs.symlinkSync(process.cwd(), path.join(w.dir, 'link'));
      return { outdir: path.join(w.dir, 'link'), mustStillExist: ['package.json'] };
    },
    code: 1,
    says: refused('it is the working directory'),
  },
  {
    family: 'file system',
    name: 'output folder is a symbolic link to a folder',
    arrange: w => {
      fs.mkdirSync(path.join(w.dir, 'real'));
      fs.symlinkSync(path.join(w.dir, 'real'), path.join(w.dir, 'out'));
      return { outdir: path.join(w.dir, 'out') };
    },
    code: 1,
    says: refused('it is a symbolic link'),
  },
  {
    family: 'file system', name: 'output folder is a non-empty folder this app did not write',
    arrange: w => { w.file('other/notes.txt', 'mine'); return { outdir: path.join(w.dir, 'other') }; },
    code: 1, says: refused(`no ${OUTPUT_MARKER} in it`),
  },
  {
    family: 'file system', name: 'output folder is a file',
    arrange: w => ({ outdir: w.file('out.txt', 'a file') }),
    code: 1, says: refused('it exists and is not a folder'),
  },
  {
    family: 'file system', name: 'output folder below a file',
    arrange: w => ({ outdir: path.join(w.file('plain.txt', 'a file'), 'dist') }),
    code: 1, says: refused(/plain\.txt is not a folder/),
  },
  {
    family: 'file system', name: 'output folder is an empty folder: it becomes the output',
    arrange: w => { fs.mkdirSync(path.join(w.dir, 'empty')); return { outdir: path.join(w.dir, 'empty') }; },
    code: 0, says: ['total: 1 installation,'],
  },
  {
    family: 'file system', name: 'the previous output (with the marker) is replaced whole',
    arrange: () => undefined,
    code: 0, says: ['total: 1 installation,'],
    output: files => {
      expect(files['prod.k8s.yaml']).toContain('kind: Deployment');
      expect(Object.keys(files)).toContain(OUTPUT_MARKER);
    },
  },
  {
    family: 'file system', name: 'a staging folder of a run that is gone is removed; a live run\'s is kept',
    arrange: w => {
      const dead = path.join(w.dir, `dist.staging-${deadPid()}-1-${bootTag()}-0000dead`);
      const recycled = path.join(w.dir, `dist.staging-${process.pid}-1-${bootTag()}-0000beef`);
      const otherBoot = path.join(w.dir, `dist.staging-${process.pid}-${procStart(process.pid)}-000000000000-0000b007`);
      const live = path.join(w.dir, `dist.staging-${process.pid}-${procStart(process.pid)}-${bootTag()}-00001a1e`);
      const foreign = path.join(w.dir, 'dist.staging-not-ours');
      for (const d of [dead, recycled, otherBoot, live, foreign]) fs.mkdirSync(d);
      return {
        staging: [
          { path: dead, kept: false },
          { path: recycled, kept: false },
          { path: otherBoot, kept: false },
          { path: live, kept: true },
          { path: foreign, kept: true },
        ],
      };
    },
    code: 0, says: ['total: 1 installation,'],
  },

  // 2. Inputs that are not regular files, or too large or deep to read.
  {
    family: 'not a regular file',
    name: 'config is a FIFO',
    arrange: w => ({ configFile: fifo(path.join(w.dir, 'config', 'fifo.yaml')) }),
    code: 1,
    says: ['is a FIFO (named pipe); allowed: a regular file'],
  },
  {
    family: 'not a regular file',
    name: 'config is a folder',
    arrange: w => ({ configFile: path.join(w.dir, 'config') }),
    code: 1,
    says: ['is a folder; allowed: a regular file'],
  },
  {
    family: 'not a regular file',
    name: 'config is a symbolic link to /dev/zero',
    arrange: w => {
      fs.symlinkSync('/dev/zero', path.join(w.dir, 'config', 'zero.yaml'));
      return { configFile: path.join(w.dir, 'config', 'zero.yaml') };
    },
    code: 1,
    says: ['is a device; allowed: a regular file'],
  },
  {
    family: 'not a regular file',
    name: 'config does not exist',
    arrange: w => ({ configFile: path.join(w.dir, 'config', 'missing.yaml') }),
    code: 1,
    says: [/the config file .*missing\.yaml cannot be read: ENOENT: no such file or directory/],
  },
  {
    family: 'not a regular file', name: 'config larger than the limit (sparse file, never read)',
    arrange: w => { fs.truncateSync(w.config, MAX_CONFIG_BYTES + 1); },
    code: 1, says: [`is ${MAX_CONFIG_BYTES + 1} bytes; allowed: at most ${MAX_CONFIG_BYTES}`],
  },
  {
    family: 'not a regular file', name: 'dashboard is a FIFO',
    arrange: w => { fifo(path.join(w.dir, 'dashboards', 'pipe.json')); w.writeConfig(installations({ dashboards: ['../dashboards/pipe.json'] })); },
    code: 1, says: problem(/installations\[0\]\.dashboards\[0\]: file ".*pipe\.json": is a FIFO \(named pipe\); allowed: a regular file/),
  },
  {
    family: 'not a regular file',
    name: 'dashboard is a symbolic link to /dev/zero',
    arrange: w => {
      fs.symlinkSync('/dev/zero', path.join(w.dir, 'dashboards', 'zero.json'));
      w.writeConfig(installations({ dashboards: ['../dashboards/zero.json'] }));
    },
    code: 1,
    says: problem(/installations\[0\]\.dashboards\[0\]: file ".*zero\.json": is a device/),
  },
  {
    family: 'not a regular file',
    name: 'dashboard is a folder',
    arrange: w => {
      fs.mkdirSync(path.join(w.dir, 'dashboards', 'dir.json'));
      w.writeConfig(installations({ dashboards: ['../dashboards/dir.json'] }));
    },
    code: 1,
    says: problem(/installations\[0\]\.dashboards\[0\]: file ".*dir\.json": is a folder/),
  },
  {
    family: 'not a regular file',
    name: 'dashboard of 2 MiB',
    arrange: w => {
      w.file('dashboards/big.json', JSON.stringify({ uid: 'big', title: 'Big', description: 'x'.repeat(2 * 1024 * 1024) }));
      w.writeConfig(installations({ dashboards: ['../dashboards/big.json'] }));
    },
    code: 1,
    says: problem(
      /installations\[0\]\.dashboards\[0\]: file ".*big\.json": is 2097\d{3} bytes; allowed: at most 1032192 \(a dashboard must fit one ConfigMap/,
    ),
  },
  {
    family: 'not a regular file', name: 'dashboard that fits as a file but not once indented into its ConfigMap',
    arrange: w => {
      w.file('dashboards/wide.json', JSON.stringify({ uid: 'wide', title: 'Wide', tags: Array.from({ length: 150000 }, () => 1) }));
      w.writeConfig(installations({ dashboards: ['../dashboards/wide.json'] }));
    },
    code: 1,
    says: problem(new RegExp(/installations\[0\]\.dashboards\[0\]: file ".*wide\.json": /.source
      + /needs \d+ bytes in its ConfigMap \(2-space indented, its 0 panels moved down\); allowed: at most 1032192/.source)),
  },
  {
    family: 'not a regular file',
    name: 'a dashboard of exactly the allowed size (its 100 panels counted) still fits its ConfigMap with the hidden panel',
    arrange: w => {
      w.file('dashboards/full.json', JSON.stringify(dashboardOfSize(MAX_CONFIG_MAP_BYTES - HIDDEN_PANEL_RESERVE_BYTES - 100)));
      w.writeConfig(installations({ dashboards: ['../dashboards/full.json'] }));
    },
    code: 0,
    says: ['total: 1 installation,'],
  },
  {
    family: 'not a regular file', name: 'a dashboard one byte over the allowed size',
    arrange: w => {
      w.file('dashboards/full.json', JSON.stringify(dashboardOfSize(MAX_CONFIG_MAP_BYTES - HIDDEN_PANEL_RESERVE_BYTES - 99)));
      w.writeConfig(installations({ dashboards: ['../dashboards/full.json'] }));
    },
    code: 1, says: problem(`needs ${MAX_CONFIG_MAP_BYTES - HIDDEN_PANEL_RESERVE_BYTES + 1} bytes in its ConfigMap (2-space indented, its 100 panels `
      + `moved down); allowed: at most ${MAX_CONFIG_MAP_BYTES - HIDDEN_PANEL_RESERVE_BYTES}`),
  },
  {
    family: 'not a regular file',
    name: 'dashboard nested 6000 levels deep',
    arrange: w => {
      w.file('dashboards/deep.json', `{"uid":"deep","title":"Deep","x":${nested(6000)}}`);
      w.writeConfig(installations({ dashboards: ['../dashboards/deep.json'] }));
    },
    code: 1,
    says: problem(/installations\[0\]\.dashboards\[0\]: file ".*deep\.json": nests 6001 levels deep; allowed: at most 100/),
  },
  {
    family: 'not a regular file',
    name: 'dashboard nested 50 levels deep is fine',
    arrange: w => {
      w.file('dashboards/deep.json', `{"uid":"deep","title":"Deep","x":${nested(49)}}`);
      w.writeConfig(installations({ dashboards: ['../dashboards/deep.json'] }));
    },
    code: 0,
    says: ['total: 1 installation,'],
  },
  {
    family: 'not a regular file',
    name: 'config nested 6000 levels deep (flow)',
    arrange: w => {
      w.writeConfig(`installations: ${nested(6000)}\n`);
    },
    code: 1,
    says: problem("nests '[' and '{' more than 100 levels deep"),
  },
  {
    family: 'not a regular file',
    name: 'config nested 100000 levels deep (flow)',
    arrange: w => {
      w.writeConfig(`installations: ${nested(100000)}\n`);
    },
    code: 1,
    says: problem("nests '[' and '{' more than 100 levels deep"),
  },
  {
    family: 'not a regular file', name: 'config nested 2000 levels deep (block)',
    arrange: w => { w.writeConfig(`installations:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}- `).join('\n')}x\n`); },
    code: 1, says: [/^invalid configuration in /m],
  },

  {
    family: 'not a regular file',
    name: 'config nested 100000 levels deep (compact block sequences, 2 bytes a level)',
    arrange: w => {
      w.writeConfig(`installations:\n${'- '.repeat(100000)}x\n`);
    },
    code: 1,
    says: problem(/YAML syntax error at line 2, column \d+: nests too deeply for the YAML parser/),
  },
  {
    family: 'not a regular file', name: 'config with 50000 compact mappings on one line: the first YAML errors, then a count',
    arrange: w => { w.writeConfig(`installations:\n  ${'a: '.repeat(50000)}x\n`); },
    code: 1, says: [/\(21 problems\):/, / {2}- \d+ more YAML syntax errors after these\n$/],
  },

  // 3. YAML aliases.
  {
    family: 'YAML aliases', name: 'an alias bomb (billion laughs)',
    arrange: w => {
      const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 9; i++)
        levels.push(
          `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(96 + i)}`)
            .join(', ')}]`,
        );
      w.writeConfig(`${levels.join('\n')}\ninstallations: *i\n`);
    },
    code: 1, says: problem('YAML aliases expand too far (an alias bomb?)'),
  },
  {
    family: 'YAML aliases', name: 'one anchor reused 101 times (over the yaml package\'s default)',
    arrange: w => { w.writeConfig(aliasedConfig(101)); },
    code: 0, says: ['total: 1 installation,'],
    output: files => expect(files['prod.k8s.yaml']).toContain('l100: a.example.com'),
  },
  {
    family: 'YAML aliases', name: `one anchor reused ${MAX_YAML_ALIAS_COUNT} times`,
    // A stray key keeps the list from being resolved: the aliases themselves were accepted.
    arrange: w => { w.writeConfig(aliasedList(MAX_YAML_ALIAS_COUNT)); },
    code: 1, says: [/\(1 problem\):\n {2}- defaults\.stray: unknown key: "stray"/],
    never: ['alias'],
  },
  {
    family: 'YAML aliases', name: `one anchor reused ${MAX_YAML_ALIAS_COUNT + 1} times`,
    arrange: w => { w.writeConfig(aliasedList(MAX_YAML_ALIAS_COUNT + 1)); },
    code: 1, says: problem(`allowed: anchors used at most ${MAX_YAML_ALIAS_COUNT} times in all`),
  },
  {
    family: 'YAML aliases',
    name: 'an alias of no anchor',
    arrange: w => {
      w.writeConfig('installations: *nothing\n');
    },
    code: 1,
    says: problem('YAML alias error: Unresolved alias (the anchor must be set before the alias): nothing'),
  },

  // 4. Values the schema's patterns accept but a consumer rejects.
  ...([
    ['ingress', 'maxBodySize', '99999999999999999999m', 'more than nginx takes (at most 8796093022207m'],
    ['ingress', 'maxBodySize', '9223372036854775808', 'more than nginx takes (at most 9223372036854775807'],
    ['server', 'maxCacheSize', 1e23, 'got 1e+23; allowed: a positive integer of at most 9007199254740991'],
    ['server', 'maxCacheSize', 2 ** 53, 'got 9007199254740992; allowed: a positive integer of at most 9007199254740991'],
    ['ingress', 'rateLimitPerMinute', 1e20, `got 100000000000000000000; allowed: an integer from 0 to ${MAX_RATE_LIMIT_PER_MINUTE}`],
    ['ingress', 'rateLimitPerMinute', MAX_RATE_LIMIT_PER_MINUTE + 1, `allowed: an integer from 0 to ${MAX_RATE_LIMIT_PER_MINUTE}`],
    ['alerts', 'grafanaUpSelector', 'job="gra\nfana"', 'the value of job holds a line break'],
    ['alerts', 'grafanaUpSelector', 'job="graf\\qana"', 'the value of job has the escape "\\q" Prometheus refuses'],
    ['alerts', 'grafanaUpSelector', 'job=~"graf(ana"', 'the regex of job is not RE2 (error parsing regexp: missing closing )'],
    ['alerts', 'grafanaUpSelector', 'job=~"(?=grafana)"', 'the regex of job is not RE2'],
    ['alerts', 'noBeaconFor', '0s', 'got "0s", which is zero; allowed: a non-zero Prometheus duration'],
    ['alerts', 'noBeaconFor', '0h0m', 'got "0h0m", which is zero'],
    ['alerts', 'noBeaconFor', '293y', 'longer than Prometheus takes'],
    ['serviceMonitor', 'interval', '99999999999999999999s', 'longer than Prometheus takes'],
    // Found by the schema property test (issue 22): the recording rules' `offset 0` fails promtool.
    ['serviceMonitor', 'interval', '0', 'got "0", which is zero; allowed: a non-zero Prometheus duration'],
  ] as const).map(([section, key, value, says]): HostileCase => ({
    family: 'consumer rules', name: `${section}.${key}: ${JSON.stringify(value)}`,
    arrange: w => { w.writeConfig(installations({ [section]: { [key]: value } })); },
    code: 1, says: problem(`installations[0].${section}.${key}: ${typeof says === 'string' && says.startsWith('got') ? '' : 'got '}`).concat([says]),
  })),
  ...(['app.kubernetes.io/managed-by', 'helm.sh/chart', 'app.kubernetes.io/name', 'grafana-analytics/installation'] as const)
    .map((key): HostileCase => ({
    family: 'consumer rules', name: `serviceMonitor label the chart owns: ${key}`,
    arrange: w => { w.writeConfig(installations({ serviceMonitor: { labels: { release: 'kps', [key]: 'mine' } } })); },
    code: 1, says: problem(`installations[0].serviceMonitor.labels: got key "${key}"; allowed: keys other than`),
  })),
  {
    family: 'consumer rules', name: 'alerts label the chart owns, set in defaults',
    arrange: w => { w.writeConfig({ defaults: { alerts: { labels: { 'app.kubernetes.io/instance': 'x' } } }, ...(installations() as object) }); },
    code: 1, says: problem('installations[0].alerts.labels: got key "app.kubernetes.io/instance"'),
  },
  {
    family: 'consumer rules', name: 'a bad selector set in defaults is named at the installation',
    arrange: w => { w.writeConfig({ defaults: { alerts: { grafanaUpSelector: 'job=~"a{2,1}"' } }, ...(installations() as object) }); },
    code: 1, says: problem('installations[0].alerts.grafanaUpSelector: got "job=~\\"a{2,1}\\"": the regex of job is not RE2'),
  },
  {
    family: 'consumer rules', name: 'the largest values every consumer takes are written as digits',
    arrange: w => {
      w.writeConfig(
        installations({
          server: { maxCacheSize: Number.MAX_SAFE_INTEGER },
          ingress: { rateLimitPerMinute: MAX_RATE_LIMIT_PER_MINUTE, maxBodySize: '8796093022207m' },
        }),
      );
    },
    code: 0, says: ['total: 1 installation,'],
    output: files => {
      const all = allOutput(files);
      expect(all).toContain('--max-cache-size=9007199254740991');
      expect(all).toContain(`limit-rpm: "${MAX_RATE_LIMIT_PER_MINUTE}"`);
      expect(all).not.toMatch(/\de\+\d/);
    },
  },

  // 4b. Issue 22: values of the auth fronts, routes and GitOps that a consumer refuses or misreads.
  ...([
    ['proxy.trustedProxies "1::2::3" (nginx: host not found in set_real_ip_from)',
      { auth: { front: 'proxy' }, networkPolicy: { ingressControllerNamespace: 'ingress' }, proxy: { trustedProxies: ['10.0.0.0/8', '1::2::3'] } },
      'installations[0].proxy.trustedProxies: got "1::2::3" at [1]: "1::2::3" is not an IPv6 address'],
    ['server.resources request above its limit (the API server refuses the Deployment)', { server: { resources: { requests: { memory: '1Gi' } } } },
      'installations[0].server.resources: got requests.memory "1Gi" above limits.memory "128Mi"'],
    ['proxy.resources request above its limit',
      { auth: { front: 'proxy' }, networkPolicy: { ingressControllerNamespace: 'ingress' }, proxy: { resources: { limits: { cpu: '1m' } } } },
      'installations[0].proxy.resources: got requests.cpu "10m" above limits.cpu "1m"'],
    ['sub-path and write path over the HTTPRoute\'s 1024 characters', {
      auth: { front: 'proxy' }, networkPolicy: { ingressControllerNamespace: 'gw' },
      route: { kind: 'httproute', gateway: { name: 'gw', namespace: 'gw' } },
      grafana: { host: 'grafana.example.com', subPath: `/${'g'.repeat(1000)}` }, ingress: { writePath: `/${'w'.repeat(30)}` },
    }, 'installations[0].ingress.writePath: got "/wwwwwwwwwwwwwwwwwwwwwwwwwwwwww", which makes the public path 1032 characters long with '
      + 'grafana.subPath; allowed: at most 1024'],
  ] as const).map(([name, extra, says]): HostileCase => ({
    family: 'consumer rules', name, arrange: w => { w.writeConfig(installations(extra)); }, code: 1, says: problem(says),
  })),
  ...([
    ['repoURL', 'https://[git.example.com]/acme/fleet.git', 'gitops.repoURL: got "https://[git.example.com]/acme/fleet.git": its host '
      + '"[git.example.com]" is bracketed but no IPv6 address of hex groups (Go >= 1.24 refuses other bracketed hosts)'],
    ['repoURL', 'https://git.example.com/acme/%zz.git', 'gitops.repoURL: got "https://git.example.com/acme/%zz.git": its path has a % that is not '
      + 'an escape %XX'],
    ['repoURL', 'ssh://git@git.example.com:70000/fleet.git', 'its port ":70000" is above 65535'],
    ['interval', '2562048h', 'gitops.interval: got "2562048h": it is longer than 2562047h (Go\'s time.Duration holds about 292 years)'],
    ['interval', '0s', 'gitops.interval: got "0s": it is shorter than 1ms'],
    ['revision', 'release.lock', 'gitops.revision: got "release.lock": a component ends with .lock'],
    ['revision', 'HEAD', 'gitops.revision: got "HEAD": HEAD is no branch name'],
    ['revision', 'a//b', 'gitops.revision: got "a//b": it has an empty component (//)'],
  ] as const).map(([key, value, says]): HostileCase => ({
    family: 'consumer rules', name: `gitops.${key}: ${JSON.stringify(value)}`,
    arrange: w => { w.writeConfig({ gitops: { repoURL: 'https://git.example.com/acme/fleet.git', path: 'deploy', [key]: value },
      ...(installations({ cluster: 'eu-1' }) as object) }); },
    code: 1, says: problem(says),
  })),
  {
    family: 'consumer rules', name: 'the largest gitops.interval and an IPv6 repository host are written as given',
    arrange: w => { w.writeConfig({ gitops: { repoURL: 'ssh://git@[fd00::1]:22/acme/fleet.git', path: 'deploy', interval: '2562047h' },
      ...(installations({ cluster: 'eu-1' }) as object) }); },
    code: 0, says: ['total: 1 installation,'],
    output: files => {
      expect(files['gitops/flux/eu-1.yaml']).toContain('url: ssh://git@[fd00::1]:22/acme/fleet.git');
      expect(files['gitops/flux/eu-1.yaml']).toContain('interval: 2562047h');
    },
  },

  // 5. Valid names that are members of Object.prototype.
  ...([
    ['installation named constructor', { name: 'constructor' }, 'name: constructor-analytics'],
    ['ServiceMonitor label key constructor', { serviceMonitor: { labels: { constructor: 'x' } } }, 'constructor: x'],
    [
      'ServiceMonitor label keys toString, hasOwnProperty, valueOf',
      { serviceMonitor: { labels: { toString: 'a', hasOwnProperty: 'b', valueOf: 'c' } } },
      'hasOwnProperty: b',
    ],
    ['PrometheusRule label key constructor', { alerts: { labels: { constructor: 'x' } } }, 'constructor: x'],
    ['nodeSelector key constructor', { server: { nodeSelector: { constructor: 'x' } } }, 'constructor: x'],
    [
      'dashboard sidecar label key constructor',
      { dashboardSidecar: { labelKey: 'constructor', labelValue: 'isPrototypeOf' } },
      'constructor: isPrototypeOf',
    ],
    ['namespace named constructor', { namespace: 'constructor' }, 'namespace: constructor'],
  ] as const).map(([name, extra, text]): HostileCase => ({
    family: 'prototype names', name, arrange: w => { w.writeConfig(installations(extra)); },
    code: 0, says: ['total: 1 installation,'],
    output: files => expect(allOutput(files)).toContain(text),
  })),
  {
    family: 'prototype names', name: 'installations named constructor and toString-like names side by side',
    arrange: w => {
      w.writeConfig(
        installations({ name: 'constructor' }, [
          { name: 'hasownproperty', grafana: { host: 'b.example.com' } },
          { name: 'valueof', grafana: { host: 'c.example.com' } },
        ]),
      );
    },
    code: 0, says: ['total: 3 installations'],
  },
  {
    family: 'prototype names', name: 'a dashboard file constructor.json with uid, title and keys named after Object.prototype',
    arrange: w => {
      w.file(
        'dashboards/constructor.json',
        '{"uid": "constructor", "title": "toString", "constructor": {"name": "x"}, "__proto__": {"polluted": true}, "panels": []}',
      );
      w.file('dashboards/__proto__.json', JSON.stringify({ uid: 'hasOwnProperty', title: 'valueOf' }));
      w.writeConfig(installations({ dashboards: ['../dashboards/constructor.json', '../dashboards/__proto__.json'] }));
    },
    code: 0, says: ['total: 1 installation,'],
    output: files => {
      expect(files['prod.k8s.yaml']).toContain('prod-dashboard-constructor.json');
      expect(files['prod.k8s.yaml']).toMatch(/"__proto__": \{\s+"polluted": true/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  },
  {
    family: 'prototype names',
    name: 'label key __proto__',
    arrange: w => {
      w.writeConfig('installations:\n  - name: prod\n    grafana: {host: a.example.com}\n    serviceMonitor: {labels: {__proto__: x}}\n');
    },
    code: 1,
    says: problem('installations[0].serviceMonitor.labels.__proto__: got key "__proto__"'),
  },
  {
    family: 'prototype names',
    name: 'installation named __proto__',
    arrange: w => {
      w.writeConfig(installations({ name: '__proto__' }));
    },
    code: 1,
    says: problem('installations[0].name: got "__proto__"; allowed: a DNS-1035 label'),
  },
  {
    family: 'prototype names',
    name: 'top-level key __proto__',
    arrange: w => {
      w.writeConfig('__proto__: {installations: []}\ninstallations:\n  - name: prod\n    grafana: {host: a.example.com}\n');
    },
    code: 1,
    says: problem('"__proto__" is not allowed here'),
  },

  // 6. Collisions the checks used to miss.
  {
    family: 'collisions',
    name: 'a dashboard with the uid of the usage dashboard',
    arrange: w => {
      w.file('dashboards/u.json', JSON.stringify({ uid: 'prod-usage', title: 'Mine' }));
      w.writeConfig(installations({ dashboards: ['../dashboards/u.json'] }));
    },
    code: 1,
    says: problem('installations[0].dashboards[0]: file').concat([
      'has uid "prod-usage"; allowed: any uid but "prod-usage", the uid of this installation\'s usage dashboard',
    ]),
  },
  {
    family: 'collisions', name: 'two installations write one dashboard file name into one sidecar namespace',
    arrange: w => {
      w.file('dashboards/y-analytics-usage.json', JSON.stringify({ uid: 'y', title: 'Y' }));
      w.writeConfig({
        defaults: { dashboardSidecar: { namespace: 'grafana' } },
        installations: [
          { name: 'x-dashboard-y', grafana: { host: 'a.example.com' } },
          { name: 'x', grafana: { host: 'b.example.com' }, dashboards: ['../dashboards/y-analytics-usage.json'] },
        ],
      });
    },
    code: 1, says: problem('installations[1].dashboards: installation "x" writes the dashboard file x-dashboard-y-analytics-usage.json that '
      + 'installations[0] ("x-dashboard-y") writes too, in namespace grafana'),
  },
  {
    family: 'collisions', name: 'the same file names in different sidecar namespaces are fine',
    arrange: w => {
      w.file('dashboards/y-analytics-usage.json', JSON.stringify({ uid: 'y', title: 'Y' }));
      w.writeConfig({ installations: [
        { name: 'x-dashboard-y', namespace: 'one', grafana: { host: 'a.example.com' } },
        { name: 'x', namespace: 'two', grafana: { host: 'b.example.com' }, dashboards: ['../dashboards/y-analytics-usage.json'] },
      ] });
    },
    code: 0, says: ['total: 2 installations'],
  },

  {
    family: 'collisions', name: 'Traefik Middleware IDs: namespace a with installation b-c, namespace a-b with installation c (one ForwardAuth '
      + 'for both)',
    arrange: w => { w.writeConfig({ defaults: { auth: { front: 'traefik' } }, installations: [{ name: 'b-c', namespace: 'a',
      grafana: { host: 'a.example.com' } }, { name: 'c', namespace: 'a-b', grafana: { host: 'b.example.com' } }] }); },
    code: 1, says: problem('installations[1].namespace: got "a-b", whose Middleware a-b/c-analytics-forward-auth has the Traefik Middleware ID '
      + '"a-b-c-analytics-forward-auth@kubernetescrd" that installations[0] ("b-c") gives its Middleware a/b-c-analytics-forward-auth too'),
  },
  {
    family: 'collisions', name: 'Traefik Middleware IDs: installations x--y and x-y in one namespace (Traefik folds "--")',
    arrange: w => { w.writeConfig({ defaults: { auth: { front: 'traefik' } }, installations: [{ name: 'x--y', grafana: { host: 'a.example.com' } },
      { name: 'x-y', grafana: { host: 'b.example.com' } }] }); },
    code: 1, says: problem('the Traefik Middleware ID "monitoring-x-y-analytics-forward-auth@kubernetescrd" that installations[0] ("x--y")'),
  },
  {
    family: 'collisions', name: 'ingress-nginx upstreams: two proxy fronts whose Services join into one <namespace>-<service>-<port>',
    arrange: w => { w.writeConfig({ defaults: { auth: { front: 'proxy' }, networkPolicy: { ingressControllerNamespace: 'ingress' } },
      installations: [{ name: 'b-c', namespace: 'a', grafana: { host: 'a.example.com' } }, { name: 'c', namespace: 'a-b',
      grafana: { host: 'b.example.com' } }] }); },
    code: 1, says: problem('has the ingress-nginx upstream "a-b-c-analytics-8081" that installations[0] ("b-c") gives its Service a/b-c-analytics '
      + 'port 8081 too'),
  },
  {
    family: 'collisions', name: 'the same split in two clusters is fine',
    arrange: w => { w.writeConfig({ defaults: { auth: { front: 'traefik' } }, installations: [{ name: 'b-c', namespace: 'a', cluster: 'eu-1',
      grafana: { host: 'a.example.com' } }, { name: 'c', namespace: 'a-b', cluster: 'us-1', grafana: { host: 'b.example.com' } }] }); },
    code: 0, says: ['total: 2 installations'],
  },

  // 7. Reporting.
  {
    family: 'reporting', name: 'schema, dashboard file and rule problems of one config, all at once',
    arrange: w => {
      w.writeConfig(
        installations({ dashboards: ['../dashboards/missing.json'] }, [
          { name: 'Bad_Name', grafana: { host: 'b.example.com' } },
          { name: 'ip', grafana: { host: '10.0.0.1' } },
        ]),
      );
    },
    code: 1,
    says: [
      /\(3 problems\):/,
      '  - installations[1].name: got "Bad_Name"',
      / {2}- installations\[0\]\.dashboards\[0\]: file ".*missing\.json": cannot be read: ENOENT/,
      '  - installations[2].grafana.host: got "10.0.0.1"; allowed: a DNS host name, not an IP address',
    ],
  },
  {
    family: 'reporting', name: 'a 10 MB value is echoed bounded',
    arrange: w => { w.writeConfig(installations({ grafana: { host: `${'a'.repeat(10 * 1024 * 1024)}` } })); },
    code: 1, says: problem(`installations[0].grafana.host: got "${'a'.repeat(200)}…(${10 * 1024 * 1024 - 200} more)"`),
    never: ['a'.repeat(201)],
  },
  {
    family: 'reporting', name: 'a 1 MB unknown key is echoed bounded',
    arrange: w => { w.writeConfig(installations({ ['k'.repeat(1024 * 1024)]: 1 })); },
    code: 1, says: problem(`…(${1024 * 1024 - 200} more)`),
    never: ['k'.repeat(201)],
  },
  {
    family: 'reporting', name: 'a symlinked non-JSON file (a secret) is not quoted',
    arrange: w => {
      const secret = w.file('secret/token', 'ghp_SECRETSECRETSECRET and more\n');
      fs.symlinkSync(secret, path.join(w.dir, 'dashboards', 'token.json'));
      w.writeConfig(installations({ dashboards: ['../dashboards/token.json'] }));
    },
    code: 1, says: problem(/installations\[0\]\.dashboards\[0\]: file ".*token\.json": is not valid JSON/),
    never: ['ghp_', 'SECRET'],
  },
  {
    family: 'reporting', name: 'a JSON syntax error says where, not what',
    arrange: w => {
      w.file('dashboards/bad.json', '{\n  "uid": "bad",\n  "title": hunter2\n}');
      w.writeConfig(installations({ dashboards: ['../dashboards/bad.json'] }));
    },
    code: 1, says: problem(/installations\[0\]\.dashboards\[0\]: file ".*bad\.json": is not valid JSON/),
    never: ['hunter2'],
  },
  {
    family: 'reporting', name: 'a YAML syntax error in a huge line is bounded',
    arrange: w => { w.writeConfig(`installations: [${'x'.repeat(1024 * 1024)}\n`); },
    code: 1, says: problem(/YAML syntax error at line \d+, column \d+/),
    never: ['x'.repeat(201)],
  },
];

/**
 * A dashboard whose 2-space indented JSON is `bytes` long, with panels the hidden panel moves
 * down (nine-row panels at y 0 to 99: their y gains a digit).
 */
function dashboardOfSize(bytes: number): Record<string, unknown> {
  const model = {
    uid: 'full',
    title: 'Full',
    panels: Array.from({ length: 100 }, (_, i) => ({ id: i + 1, type: 'text', gridPos: { x: 0, y: i, w: 24, h: 1 } })),
    description: '',
  };
  model.description = 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify(model, null, 2)));
  return model;
}

/** One installation whose ServiceMonitor labels reuse one anchored value `uses` times. */
function aliasedConfig(uses: number): string {
  const labels = Array.from({ length: uses }, (_, i) => `l${i}: *v`).join(', ');
  return `installations:\n  - name: prod\n    grafana: {host: &v a.example.com}\n    serviceMonitor: {labels: {${labels}}}\n`;
}

/**
 * One anchored dashboard path used `uses` times in one list, and a stray key that stops the
 * config before resolution: the aliases themselves are what is tested.
 */
function aliasedList(uses: number): string {
  return `defaults: {stray: 1}\ninstallations:\n  - name: prod\n    grafana: {host: a.example.com}\n    dashboards: [&d `
    + `../dashboards/a.json${', *d'.repeat(uses)}]\n`;
}

/** Every file under `dir` with its bytes and mode, for byte-identical comparison. */
function snapshot(dir: string): Record<string, string> {
  let top: fs.Stats;
  try {
    top = fs.lstatSync(dir);
  } catch {
    return {}; // nothing there (ENOENT, or ENOTDIR below a file)
  }
  if (top.isSymbolicLink()) return { '': `-> ${fs.readlinkSync(dir)}` };
  if (!top.isDirectory()) return { '': fs.readFileSync(dir, 'base64') };
  const out: Record<string, string> = {};
  for (const f of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const p = path.join(dir, f);
    const st = fs.lstatSync(p);
    out[f] = st.isFile() ? `${st.mode.toString(8)} ${fs.readFileSync(p, 'base64')}` : `${st.mode.toString(8)}`;
  }
  return out;
}

/** Files of a workspace other than the output folder (must all survive a run). */
function inputs(w: Workspace, outdir: string): string[] {
  return (fs.readdirSync(w.dir, { recursive: true }) as string[]).map(f => path.join(w.dir, f))
    .filter(p => !p.startsWith(path.resolve(outdir) + path.sep) && !path.basename(p).includes('.staging-')).sort();
}

describe('the hostile corpus', () => {
  test('has at least 60 cases across the families of issue 14', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map(c => c.family)).size).toBe(7);
    expect(new Set(CASES.map(c => c.name)).size).toBe(CASES.length);
  });

  test.each(CASES.map(c => [`${c.family}: ${c.name}`, c] as const))('%s', async (_title, c) => {
    // GIVEN a config, its dashboards and the previous output
    const w = new Workspace();
    const arranged = c.arrange(w) ?? {};
    const configFile = arranged.configFile ?? w.config;
    const outdir = arranged.outdir ?? w.outdir;
    const comparable = !arranged.mustStillExist;
    const before = comparable ? snapshot(outdir) : {};
    const inputsBefore = inputs(w, outdir);
    // WHEN the app runs as main.ts runs it
    const { code, stderr } = await runInProcess({ configFile, outdir, writers: WRITERS, configWriters: CONFIG_OUTPUT_WRITERS });
    // THEN the outcome is the one stated, told without a stack trace and without echoing too much
    expect({ code, stderr }).toEqual({ code: c.code, stderr: expect.any(String) });
    for (const s of c.says) {
      if (typeof s === 'string') expect(stderr).toContain(s);
      else expect(stderr).toMatch(s);
    }
    for (const s of c.never ?? []) expect(stderr).not.toContain(s);
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(stderr).not.toContain('internal error');
    expect(stderr.length).toBeLessThan(c.code === 0 ? 1e6 : 20000);
    // nothing but the output folder changes, and a failure leaves even that byte-identical
    expect(inputs(w, outdir).filter(p => !inputsBefore.includes(p))).toEqual([]);
    expect(inputsBefore.filter(p => !fs.existsSync(p) && !fs.lstatSync(p, { throwIfNoEntry: false }))).toEqual([]);
    for (const p of arranged.mustStillExist ?? []) expect(fs.existsSync(p)).toBe(true);
    if (c.code === 1 && comparable) expect(snapshot(outdir)).toEqual(before);
    // no staging folder is left but the live ones the case planted
    const planted = new Map((arranged.staging ?? []).map(s => [s.path, s.kept]));
    for (const [p, kept] of planted) expect({ p, exists: fs.existsSync(p) }).toEqual({ p, exists: kept });
    if (outdir !== '' && comparable && fs.statSync(path.dirname(path.resolve(outdir)), { throwIfNoEntry: false })?.isDirectory()) {
      const leftover = fs.readdirSync(path.dirname(path.resolve(outdir))).map(e => path.join(path.dirname(path.resolve(outdir)), e))
        .filter(p => p.includes('.staging-') && !planted.get(p));
      expect(leftover).toEqual([]);
    }
    if (c.code === 0) {
      const files = Object.fromEntries(Object.keys(snapshot(outdir)).filter(f => fs.statSync(path.join(outdir, f)).isFile())
        .map(f => [f, fs.readFileSync(path.join(outdir, f), 'utf8')]));
      expect(files[OUTPUT_MARKER]).toBeDefined();
      c.output?.(files, w);
    }
    fs.rmSync(w.dir, { recursive: true, force: true });
  });
});
