/**
 * The package as a platform team installs it: `npm pack`, the tarball installed into a fresh cdk8s
 * TypeScript project made from cdk8s-cli's own `typescript-app` template (what `cdk8s init` writes;
 * `cdk8s init` itself cannot run here, its hook imports k8s from the internet), once with the
 * cdk8s/constructs versions this project pins and once with an older minor a user may still have.
 * In each: the README's examples and three more uses compile with the template's tsconfig
 * (commonjs, strict, noEmitOnError, no skipLibCheck), run, and write valid objects.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { parseAllDocuments } from 'yaml';
import { Manifest, validateManifests } from './support/kube-schema';
import type { UsageReport } from '../lib';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'node_modules', 'cdk8s-cli');
const TEMPLATE = path.join(CLI, 'templates', 'typescript-app');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const installed = (name: string): string => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

/** The versions a project gets: `pinned` as this project's devDependencies, `older` the oldest minor the peer ranges admit. */
const PROJECTS = {
  pinned: { cdk8s: pkg.devDependencies.cdk8s, constructs: pkg.devDependencies.constructs },
  older: { cdk8s: '2.68.100', constructs: '~10.3.0' },
} as const;
type ProjectName = keyof typeof PROJECTS;

/** The README's TypeScript examples of "Using the constructs from another project", each with the text it documents it throws. */
function readmeExamples(): { source: string; throws?: string }[] {
  const section = README.substring(README.indexOf('## Using the constructs from another project'), README.indexOf('## Development'));
  return [...section.matchAll(/```ts\n([\s\S]*?)```(\s*throws\s*```text\n([\s\S]*?)```)?/g)].map(m => ({ source: m[1], throws: m[3] }));
}

/** Uses beyond the README's: a chart overriding defaults, parts in the user's own Chart and namespace, a config file to files. */
const USES: Record<string, string> = {
  'overrides.ts': `
import { App } from 'cdk8s';
import { AnalyticsInstallationChart, resolveConfig } from 'cdk8s-grafana-analytics';

const app = new App();
const installations = resolveConfig({
  defaults: { namespace: 'observability', serviceMonitor: { labels: { release: 'prom' } } },
  installations: [{
    name: 'eu',
    grafana: { host: 'grafana.eu.example.com', subPath: '/grafana', service: { name: 'kps-grafana', port: 3000 } },
    server: { image: 'registry.example.com/analytics-panel-server:0.0.1', replicas: 0, resources: { limits: { cpu: '100m', memory: '64Mi' } } },
    auth: { mode: 'via-ingress' },
  }],
});
for (const installation of installations) new AnalyticsInstallationChart(app, installation.name, installation);
app.synth();
`,
  'composed.ts': `
import { App, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AnalyticsDashboards, AnalyticsNetworkPolicy, AnalyticsPrometheusRule, AnalyticsServer, AnalyticsServiceMonitor, IngressNginxAuthFront,
} from 'cdk8s-grafana-analytics';

class Observability extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'observability', disableResourceNameHashes: true, ...props });
    const server = new AnalyticsServer(this, 'Server', { installation: 'team' });
    new AnalyticsServiceMonitor(this, 'ServiceMonitor', { installation: 'team', server });
    const front = new IngressNginxAuthFront(this, 'AuthFront', { installation: 'team', server, host: 'grafana.example.com', subPath: '/grafana' });
    new AnalyticsNetworkPolicy(this, 'NetworkPolicy', { installation: 'team', server });
    new AnalyticsDashboards(this, 'Dashboards', { installation: 'team', server, writePath: front.writePath });
    new AnalyticsPrometheusRule(this, 'PrometheusRule', { installation: 'team', server });
  }
}

const app = new App();
new Observability(app, 'observability');
app.synth();
`,
  'config.ts': `
import * as path from 'path';
import { loadConfigFile, synthToDirectory } from 'cdk8s-grafana-analytics';

const written = synthToDirectory(loadConfigFile(path.join(__dirname, 'config', 'installations.yaml')), process.argv[2], { chartVersion: '2.0.0' });
console.log(JSON.stringify(written.map(w => ({ name: w.installation.name, paths: w.paths }))));
`,
};

const CONFIG = `defaults:
  namespace: monitoring
  dashboards: [dashboards/home.json]
installations:
  - name: prod
    grafana: { host: grafana.example.com }
  - name: staging
    namespace: staging
    grafana: { host: grafana.staging.example.com }
`;

const GITOPS = `gitops:
  repoURL: https://github.com/acme/fleet.git
  revision: main
  path: deploy/dist
  argocd: { namespace: argocd }
`;

/** The template's files as `cdk8s init` writes them, with the placeholders it substitutes. */
function writeTemplateProject(dir: string, name: ProjectName): void {
  const substitutions: Record<string, string> = {
    '{{ $base }}': path.basename(dir),
    // As cdk8s-cli's init.js determines them: the versions the CLI itself resolves.
    '{{ cdk8s_core_version }}': installed('cdk8s'),
    '{{ cdk8s_plus_version }}': installed('cdk8s-plus-33'),
    '{{ constructs_version }}': JSON.parse(fs.readFileSync(path.join(CLI, 'package.json'), 'utf8')).dependencies.constructs.replace('^', ''),
    '{{ cdk8s_cli_spec }}': `^${installed('cdk8s-cli')}`,
  };
  const substitute = (text: string) => Object.entries(substitutions).reduce((t, [k, v]) => t.split(k).join(v), text);
  fs.mkdirSync(dir, { recursive: true });
  for (const file of ['tsconfig.json', 'cdk8s.yaml', 'main.ts', 'package.json']) {
    fs.writeFileSync(path.join(dir, file), substitute(fs.readFileSync(path.join(TEMPLATE, file), 'utf8')));
  }
  const project = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  expect(project.dependencies).toEqual({ cdk8s: expect.any(String), constructs: expect.any(String), 'cdk8s-plus-33': expect.any(String) });
  expect(JSON.stringify(project)).not.toContain('{{');
  project.dependencies = { ...project.dependencies, ...PROJECTS[name], 'cdk8s-plus-25': pkg.peerDependencies['cdk8s-plus-25'] };
  // The compiler and Node's types of the template; its jest, ts-jest, ts-node and cdk8s-cli only run
  // the template's own test and `cdk8s synth`: node runs the compiled examples here.
  project.devDependencies = { typescript: project.devDependencies.typescript, '@types/node': project.devDependencies['@types/node'] };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(project, null, 2)}\n`);
}

interface Project { readonly dir: string; readonly versions: Record<string, string> }

async function setUpProject(root: string, name: ProjectName, tarball: string): Promise<Project> {
  const dir = path.join(root, name);
  writeTemplateProject(dir, name);
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: dir });
  examples.forEach((e, i) => fs.writeFileSync(path.join(dir, `readme-${i + 1}.ts`), e.source));
  for (const [file, source] of Object.entries(USES)) fs.writeFileSync(path.join(dir, file), source);
  fs.mkdirSync(path.join(dir, 'config', 'dashboards'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'config', 'installations.yaml'), CONFIG);
  // The README's synthToDirectory example reads this one: with a gitops block, for the GitOps files.
  fs.writeFileSync(path.join(dir, 'installations.yaml'), `${CONFIG.replace('dashboards/home.json', 'config/dashboards/home.json')
    .replace('defaults:\n', 'defaults:\n  cluster: eu-1\n')}${GITOPS}`);
  fs.writeFileSync(path.join(dir, 'config', 'dashboards', 'home.json'), JSON.stringify({ uid: 'home', title: 'Home', panels: [] }));
  const versions = Object.fromEntries(['cdk8s', 'constructs', 'cdk8s-plus-25', 'cdk8s-plus-33'].map(m => [m, moduleVersion(dir, m)]));
  // Compiled as the template's build does (`tsc --build`), so a type error writes no JavaScript.
  await run(path.join(dir, 'node_modules', '.bin', 'tsc'), ['--build'], { cwd: dir });
  return { dir, versions };
}

function moduleVersion(dir: string, name: string): string {
  return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** Runs a compiled example in its own output folder; resolves with its exit code and output. */
async function runExample(
  project: Project,
  file: string,
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string; outdir: string }> {
  const outdir = fs.mkdtempSync(path.join(project.dir, 'out-'));
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(project.dir, file), ...args.map(a => path.join(outdir, a))], {
      cwd: project.dir,
      env: { ...process.env, CDK8S_OUTDIR: outdir },
    });
    return { code: 0, stdout, stderr, outdir };
  } catch (e) {
    const { code, stdout, stderr } = e as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr, outdir };
  }
}

function objectsIn(file: string): Manifest[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS());
}

const examples = readmeExamples();
const projects = new Map<ProjectName, Project>();

beforeAll(async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'package-e2e-'));
  // `npm pack` runs prepack (`npm run build`): the tarball holds exactly what the registry would.
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', root], { cwd: ROOT });
  const tarball = path.join(root, stdout.trim().split('\n').pop() as string);
  // Both installs at once: most of their time is waiting on npm's cache and the registry.
  const names = Object.keys(PROJECTS) as ProjectName[];
  const set = await Promise.all(names.map(name => setUpProject(root, name, tarball)));
  names.forEach((name, i) => projects.set(name, set[i]));
}, 240_000);

test('the README has the examples this test builds', () => {
  expect(examples).toHaveLength(3);
  expect(examples.filter(e => e.throws)).toHaveLength(1);
});

describe.each(Object.keys(PROJECTS) as ProjectName[])('in a fresh cdk8s project (%s versions)', name => {
  const project = () => projects.get(name) as Project;

  test('uses the project\'s cdk8s and constructs: the library has no copy of its own', () => {
    const { dir, versions } = project();
    expect([versions.cdk8s, versions.constructs]).toEqual(name === 'older'
      ? ['2.68.100', expect.stringMatching(/^10\.3\./)]
      : [pkg.devDependencies.cdk8s, pkg.devDependencies.constructs]);
    for (const peer of ['cdk8s', 'constructs', 'cdk8s-plus-25']) {
      expect(fs.existsSync(path.join(dir, 'node_modules', 'cdk8s-grafana-analytics', 'node_modules', peer))).toBe(false);
    }
  });

  test('the README\'s construct example synthesizes its two charts', async () => {
    const { code, stderr, outdir } = await runExample(project(), 'readme-1.js');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(fs.readdirSync(outdir).sort()).toEqual(['custom.k8s.yaml', 'prod.k8s.yaml']);
    const custom = objectsIn(path.join(outdir, 'custom.k8s.yaml'));
    expect(custom.map(o => o.kind)).toEqual(['ServiceAccount', 'Deployment', 'Service', 'ServiceMonitor']);
    expect(validateManifests([...custom, ...objectsIn(path.join(outdir, 'prod.k8s.yaml'))])).toEqual([]);
  });

  test('invalid props throw the message the README documents', async () => {
    const index = examples.findIndex(e => e.throws);
    const { code, stderr } = await runExample(project(), `readme-${index + 1}.js`);
    expect(code).not.toBe(0);
    expect(stderr).toContain(`PropsError: ${examples[index].throws}`);
  });

  test('the README\'s synthToDirectory example writes manifests, Helm charts, Grafana values and GitOps files', async () => {
    const index = examples.findIndex(e => e.source.includes('synthToDirectory'));
    const { code, stdout, stderr } = await runExample(project(), `readme-${index + 1}.js`);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^prod prod\.k8s\.yaml helm\/prod\/Chart\.yaml .*grafana\/prod\/values\.yaml$/m);
    const dist = path.join(project().dir, 'dist');
    expect(fs.readFileSync(path.join(dist, 'helm', 'prod', 'Chart.yaml'), 'utf8')).toContain('version: "1.0.0"');
    expect(fs.readFileSync(path.join(dist, 'gitops', 'argocd', 'prod.yaml'), 'utf8')).toContain('path: deploy/dist/helm/prod');
  });

  test('a chart overriding the defaults: namespace, Grafana Service, image, replicas, resources, auth mode', async () => {
    const { code, stderr, outdir } = await runExample(project(), 'overrides.js');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const objects = objectsIn(path.join(outdir, 'eu.k8s.yaml')) as any[];
    expect(validateManifests(objects)).toEqual([]);
    const deployment = objects.find(o => o.kind === 'Deployment');
    expect(deployment.metadata.namespace).toBe('observability');
    expect(deployment.spec.replicas).toBe(0);
    expect(deployment.spec.template.spec.containers[0].image).toBe('registry.example.com/analytics-panel-server:0.0.1');
    expect(deployment.spec.template.spec.containers[0].resources).toEqual({
      limits: { cpu: '100m', memory: '64Mi' },
      requests: { cpu: '10m', memory: '32Mi' },
    });
    const auth = objects.find(o => o.kind === 'Ingress' && o.metadata.name === 'eu-analytics-grafana-auth');
    expect(auth.spec.rules[0].http.paths[0]).toMatchObject({
      path: '/grafana/grafana-auth',
      backend: { service: { name: 'kps-grafana', port: { number: 3000 } } },
    });
    expect(objects.find(o => o.kind === 'ServiceMonitor').metadata.labels.release).toBe('prom');
  });

  test('parts composed in the user\'s own Chart take its namespace and derive the rest', async () => {
    const { code, stderr, outdir } = await runExample(project(), 'composed.js');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const objects = objectsIn(path.join(outdir, 'observability.k8s.yaml')) as any[];
    expect(validateManifests(objects)).toEqual([]);
    expect(objects.map(o => o.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Ingress',
      'NetworkPolicy',
      'PrometheusRule',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
    expect(new Set(objects.map(o => o.metadata.namespace))).toEqual(new Set(['observability']));
    const write = objects.find(o => o.kind === 'Ingress');
    expect(write.metadata.annotations['nginx.ingress.kubernetes.io/auth-url']).toBe(
      'http://grafana.observability.svc.cluster.local:80/grafana/api/user',
    );
    const usage = JSON.parse(Object.values(objects.find(o => o.kind === 'ConfigMap').data)[0] as string);
    expect(usage.panels[0].options.analyticsOptions.server).toBe('/grafana/analytics-plugin/write');
    expect(JSON.stringify(objects.find(o => o.kind === 'PrometheusRule').spec)).toContain('up{namespace=\\"observability\\", '
      + 'job=\\"team-analytics\\"}');
  });

  test('npx grafana-analytics-usage runs from the installed package: --help, a report, exit 2 for a Prometheus that is down', async () => {
    const { dir } = project();
    expect(fs.existsSync(path.join(dir, 'node_modules', '.bin', 'grafana-analytics-usage'))).toBe(true);
    const usage = (args: string[]) => run('npx', ['--no', '--', 'grafana-analytics-usage', ...args], { cwd: dir })
      .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
    const help = await usage(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: grafana-analytics-usage \[options\]/);
    // A Prometheus with no data for these installations: the report reads the project's config/installations.yaml.
    const answer = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } });
    const prometheus = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(answer));
    });
    await new Promise<void>(resolve => prometheus.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
      const report = await usage(['--prometheus', url, '--format', 'json']);
      expect(report).toMatchObject({ code: 0, stderr: '' });
      const installations = (JSON.parse(report.stdout) as UsageReport).installations;
      expect(installations.map(i => [i.name, i.scraped, i.prometheus]))
        .toEqual([['prod', false, url], ['staging', false, url]]);
    } finally {
      await new Promise(resolve => prometheus.close(resolve));
    }
    const down = await usage(['--prometheus', 'http://127.0.0.1:9', '--installation', 'prod']);
    expect(down.code).toBe(2);
    expect(down.stderr).toBe('prod: Prometheus did not answer: http://127.0.0.1:9: connection refused (connect ECONNREFUSED 127.0.0.1:9)\n');
  });

  test('loadConfigFile and synthToDirectory write every installation\'s files', async () => {
    const { code, stdout, stderr, outdir } = await runExample(project(), 'config.js', ['dist']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const dist = path.join(outdir, 'dist');
    expect(JSON.parse(stdout).map((w: { name: string }) => w.name)).toEqual(['prod', 'staging']);
    for (const inst of ['prod', 'staging']) {
      expect(fs.readdirSync(path.join(dist, 'helm', inst)).sort()).toEqual([
        'Chart.yaml',
        'README.md',
        'templates',
        'values.schema.json',
        'values.yaml',
      ]);
      expect(fs.existsSync(path.join(dist, 'grafana', inst, 'values.yaml'))).toBe(true);
    }
    const staging = objectsIn(path.join(dist, 'staging.k8s.yaml')) as any[];
    expect(validateManifests(staging)).toEqual([]);
    expect(staging.filter(o => o.kind === 'ConfigMap').map(o => `${o.metadata.namespace}/${o.metadata.name}`))
      .toEqual(['staging/staging-dashboard-home', 'staging/staging-analytics-usage-dashboard']);
  });
});
