/**
 * Property test of issue 22's rule: a config synth accepts yields only outputs their consumers
 * accept. Configs are generated from config.schema.json itself (every key, with values drawn from
 * its patterns and from the hostile alphabet: YAML 1.1 words, Go number forms, Unicode line breaks,
 * `{{ }}`, long values), over every auth front, auth mode, route kind and GitOps shape. Each is
 * either refused with problems that each name a path, the value and what is allowed, or synthesized
 * into outputs that every check takes: Kubernetes and CRD schemas with unknown fields refused, CEL
 * rules, `nginx -t` on each proxy's nginx.conf, Go's net/url and time.ParseDuration and
 * `git check-ref-format --branch` on the GitOps values, `promtool check rules`, go-yaml (kubectl)
 * reading the manifests back as built, and `helm template` of each chart.
 *
 * A fixed seed and PROPERTY_RUNS configs (default 60, about a minute); `npm run bench` runs it longer.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { ConfigError, KubeObject, resolveAnalyticsConfig, ResolvedGitops, ResolvedInstallation, synthesize } from '../../lib';
import { helmChartFiles } from '../../lib/output/helm-chart';
import { toYamlStream } from '../../lib/output/manifests';
import { celRuleProblems } from '../support/cel-rules';
import { describeWithPrograms, findProgram } from '../support/e2e/tools';
import { goParse, goProgram } from '../support/go-parsers';
import { runHelm, runKubectl } from '../support/helm';
import { validateManifests } from '../support/kube-schema';
import { nginxTest } from '../support/nginx-check';

type Json = Record<string, any>;
const SCHEMA = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'config.schema.json'), 'utf8')) as Json;
const SEED = 22022;
const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);

/** Text consumers misread or refuse when it is written raw: each alone, and inside otherwise valid values. */
const HOSTILE = [
  'yes', 'no', 'on', 'off', 'y', 'N', 'true', 'null', '~', '<<', '0o7', '0x1F', '1_000', '.5', '1e3', '+1', '1:20', '0777', '.inf',
  'a\u0085b', 'a\u2028b', 'a\u2029b', 'a\rb', 'a\nb', '{{ .Values.x }}', '}}{{', '# x', '- x', 'a: b', '"', '\'', '$host', ';', ' ',
  '%zz', '[::1]', '[x]', '//', '/./', '..', '.lock', 'HEAD', '@{', '\\', '\u0000', '\ufeff', '😀', 'é',
];
const hostileText = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.integer({ min: 64, max: 1100 }).map(n => 'a'.repeat(n)),
  fc.array(fc.constantFrom(...HOSTILE, 'a', '-', '.', '/', '0'), { minLength: 1, maxLength: 6 }).map(parts => parts.join('')),
);

/**
 * Strings of a schema node: ones its pattern allows (the hostile texts it allows among them), and,
 * in a hostile config, now and then a hostile text alone or spliced into an allowed one.
 */
function stringOf(node: Json, hostile: boolean): fc.Arbitrary<string> {
  let valid: fc.Arbitrary<string> | undefined;
  const fits: string[] = [];
  if (node.pattern) {
    try {
      const re = new RegExp(node.pattern, 'u');
      const ok = (t: string) => re.test(t) && t.length <= (node.maxLength ?? Infinity) && t.length >= (node.minLength ?? 0);
      valid = fc.stringMatching(re, { size: 'xsmall' }).filter(ok);
      fits.push(...[...HOSTILE, ...[64, 253, 1000].map(n => `a${'0'.repeat(n - 1)}`)].filter(ok));
    } catch {
      valid = undefined; // lookarounds: fast-check cannot generate from them
    }
  }
  const examples = [node.default].filter((v): v is string => typeof v === 'string');
  const allowed = fc.oneof(
    { weight: 8, arbitrary: valid ?? fc.constantFrom(...(examples.length ? examples : ['a'])) },
    ...(fits.length ? [{ weight: 2, arbitrary: fc.constantFrom(...fits) }] : []),
    ...(examples.length ? [{ weight: 2, arbitrary: fc.constantFrom(...examples) }] : []),
  );
  if (!hostile) return allowed;
  const spliced = fc.tuple(allowed, hostileText, fc.nat()).map(([v, h, at]) => v.substring(0,
    at % (v.length + 1)) + h + v.substring(at % (v.length + 1)));
  return fc.oneof({ weight: 12, arbitrary: allowed }, { weight: 1, arbitrary: hostileText }, { weight: 1, arbitrary: spliced });
}

/** A key left out. */
const ABSENT = Symbol('absent');

/** Any value of a config.schema.json node (within it, or, in a hostile config, sometimes just outside it). */
function arbitraryOf(node: Json, hostile: boolean): fc.Arbitrary<unknown> {
  if (node.anyOf) return fc.constantFrom(...(node.anyOf as Json[]).map(n => n.const));
  if (node.const !== undefined) return fc.constant(node.const);
  switch (node.type) {
    case 'boolean': return fc.boolean();
    case 'integer': {
      const min = node.minimum ?? -(2 ** 53);
      const max = node.maximum ?? 2 ** 53;
      const inRange = fc.oneof(fc.integer({ min, max: Math.min(max, min + 100000) }), fc.constantFrom(min, max));
      return hostile ? fc.oneof({ weight: 8, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1) }) : inRange;
    }
    case 'string': return stringOf(node, hostile);
    case 'array': return fc.array(arbitraryOf(node.items, hostile), { minLength: node.minItems ?? 0, maxLength: 3 });
    case 'object': {
      if (node.patternProperties) {
        const [keyPattern, value] = Object.entries(node.patternProperties as Record<string, Json>)[0];
        return fc.dictionary(stringOf({ pattern: keyPattern }, hostile), arbitraryOf(value, hostile), { maxKeys: 3 });
      }
      // Each optional key in one object of five: a config sets a few keys, and each may be the one that is wrong.
      const required = new Set<string>(node.required ?? []);
      const entries = Object.entries(node.properties as Record<string, Json>).map(([k, v]) => (required.has(k)
        ? arbitraryOf(v, hostile).map(value => [k, value] as const)
        : fc.oneof({ weight: 4, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: arbitraryOf(v, hostile) }).map(value => [k,
          value] as const)));
      return fc.tuple(...entries).map(pairs => Object.fromEntries(pairs.filter(([, value]) => value !== ABSENT)));
    }
    default: throw new Error(`config.schema.json node of no known type: ${JSON.stringify(node).substring(0, 200)}`);
  }
}

const installationSchema = SCHEMA.properties.installations.items as Json;
/** Which front, mode, route and GitOps shape: set on most configs so that every combination comes up often. */
const shape = fc.record({
  front: fc.constantFrom('ingress-nginx', 'traefik', 'proxy'),
  mode: fc.constantFrom('in-cluster', 'via-ingress'),
  route: fc.constantFrom('ingress', 'httproute'),
  gitops: fc.constantFrom('none', 'minimal', 'generated'),
});

/** Configs: hostile (some values outside the schema or its rules) or not (every value from the schema's own patterns). */
const configsOf = (hostile: boolean) => fc.tuple(
  shape,
  fc.array(fc.tuple(arbitraryOf(installationSchema, hostile), fc.nat(3)), { minLength: 1, maxLength: 3 }),
  fc.option(arbitraryOf(SCHEMA.properties.defaults, hostile), { freq: 3 }),
  arbitraryOf(SCHEMA.properties.gitops, hostile),
).map(([s, list, defaults, gitops]) => {
  const installations = list.map(([inst, cluster], i) => {
    const raw = inst as Json;
    const front = raw.auth?.front ?? s.front;
    // Settings of another front are refused by rules tested elsewhere: keep them to a hostile config.
    const { proxy, ...rest } = raw;
    const service = front === 'proxy' || hostile ? raw.grafana?.service : { ...raw.grafana?.service, targetPort: undefined, podLabels: undefined };
    return {
      ...rest,
      ...(front === 'proxy' || hostile ? { proxy } : {}),
      grafana: { ...raw.grafana, service },
      auth: { ...raw.auth, front,
        ...(front === 'ingress-nginx' ? { mode: raw.auth?.mode ?? s.mode } : { mode: hostile ? raw.auth?.mode : undefined }) },
      route: front === 'proxy' && s.route === 'httproute' ? { kind: 'httproute', gateway: { name: 'gw', namespace: 'gateways',
        ...raw.route?.gateway } } : hostile ? raw.route : undefined,
      networkPolicy: { ingressControllerNamespace: 'ingress', ...raw.networkPolicy },
      ...(s.gitops !== 'none' ? { cluster: raw.cluster ?? `c${cluster}` } : {}),
      // Dashboards are files: none here (the dashboard corpus tests them).
      dashboards: [],
      name: raw.name ?? `i${i}`,
    };
  });
  const g = s.gitops === 'none' ? undefined : s.gitops === 'minimal' ? { repoURL: 'https://git.example.com/fleet.git', path: 'deploy' } : gitops;
  const d = defaults ? { ...(defaults as Json), dashboards: [], ...(hostile ? {} : { proxy: undefined, route: undefined, auth: undefined,
    ingress: undefined }) } : undefined;
  return JSON.parse(JSON.stringify({ ...(d ? { defaults: d } : {}), ...(g ? { gitops: g } : {}), installations })) as Json;
});
// Built once each: an arbitrary per schema node is costly to build (its pattern is compiled).
const configs = fc.oneof(configsOf(false), configsOf(true));

/** What every accepted config leaves for the checks that run once over all of them. */
interface Accepted {
  readonly objects: KubeObject[];
  readonly installations: ResolvedInstallation[];
  readonly gitops?: ResolvedGitops;
  readonly charts: { readonly name: string; readonly files: { path: string; content: string }[] }[];
}

describeWithPrograms('configs generated from config.schema.json with hostile text', {
  nginx: findProgram('nginx', ['/usr/sbin/nginx']), promtool: findProgram('promtool'), git: findProgram('git'), go: goProgram(),
}, ({ nginx, promtool, git, go }) => {
  const accepted: Accepted[] = [];
  let refusedCount = 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-property-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test(`each of ${RUNS} is refused naming paths, or synthesizes objects every schema and nginx -t accept`, () => {
    fc.assert(fc.property(configs, config => {
      let resolved;
      try {
        resolved = resolveAnalyticsConfig(config);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw new Error(`not a ConfigError: ${(e as Error).stack}`);
        refusedCount++;
        if (process.env.PROPERTY_DEBUG) console.log(e.problems.map(p => `${p.path}: ${p.message.substring(0, 150)}`).join('\n'));
        for (const p of e.problems) {
          expect(p.path === '' ? 'whole file' : p.path).toMatch(/^(whole file|defaults|gitops|installations)/);
          expect(p.message).toMatch(/^((got .*|is required); allowed: .+|unknown key: .+)$/s);
        }
        return;
      }
      const synthesized = synthesize(resolved.installations);
      const objects = synthesized.flatMap(s => s.objects);
      expect([...validateManifests(objects), ...celRuleProblems(objects)]).toEqual([]);
      for (const o of objects.filter(x => x.kind === 'ConfigMap' && x.metadata.name.endsWith('-auth-proxy'))) {
        const verdict = nginxTest(nginx, (o as Json).data['nginx.conf']);
        expect({ configMap: o.metadata.name, ...verdict }).toEqual({ configMap: o.metadata.name, ok: true, messages: '' });
      }
      accepted.push({
        objects, installations: resolved.installations, gitops: resolved.gitops,
        charts: synthesized.map(s => ({ name: s.installation.name, files: helmChartFiles([s], { chartVersion: '0.1.0' }) })),
      });
    }), { seed: SEED, numRuns: RUNS });
    // Both outcomes must be common, or the property says little.
    expect(accepted.length).toBeGreaterThan(RUNS / 10);
    expect(refusedCount).toBeGreaterThan(RUNS / 10);
  });

  test('their GitOps values are ones Go\'s net/url and time.ParseDuration and git take', () => {
    const gitops = accepted.flatMap(a => (a.gitops ? [a.gitops] : []));
    expect(gitops.length).toBeGreaterThan(0);
    const urls = goParse(go, 'url', gitops.map(g => g.repoURL));
    const intervals = goParse(go, 'duration', gitops.map(g => g.interval));
    gitops.forEach((g, i) => {
      expect({ url: g.repoURL, ...urls[i] }).toMatchObject({ url: g.repoURL, ok: true });
      expect({ interval: g.interval, ...intervals[i] }).toMatchObject({ interval: g.interval, ok: true });
      expect(Number(intervals[i].parsed)).toBeGreaterThan(0);
      expect(spawnSync(git, ['check-ref-format', '--branch', g.revision]).status).toBe(0);
    });
  });

  test('their PrometheusRules pass promtool check rules', () => {
    const files = accepted.flatMap((a, i) => a.objects.filter(o => o.kind === 'PrometheusRule').map((o, j) => {
      const file = path.join(dir, `rules-${i}-${j}.yaml`);
      fs.writeFileSync(file, JSON.stringify({ groups: (o as Json).spec.groups }));
      return file;
    }));
    expect(files.length).toBeGreaterThan(0);
    execFileSync(promtool, ['check', 'rules', ...files], { stdio: 'pipe' });
  });

  test('go-yaml (kubectl) reads every manifest stream back as built', async () => {
    const files = accepted.map((a, i) => {
      const file = path.join(dir, `manifests-${i}.yaml`);
      fs.writeFileSync(file, toYamlStream(a.objects));
      return file;
    });
    const result = await runKubectl(['label', '--local', '-o', 'json', ...files.flatMap(f => ['-f', f]), 'schema-property-'], 120_000);
    expect(result.stderr).toBe('');
    const read = result.stdout.split(/\n(?=\{\n)/).map(text => JSON.parse(text));
    expect(read).toEqual(accepted.flatMap(a => JSON.parse(JSON.stringify(a.objects))));
  }, 180_000);

  test('helm template renders every chart', async () => {
    const charts = accepted.flatMap((a, i) => a.charts.map(c => ({ ...c, dir: path.join(dir, `chart-${i}-${c.name}`) })));
    for (const c of charts) {
      for (const f of c.files) {
        const file = path.join(c.dir, f.path);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, f.content);
      }
      const chartDir = path.dirname(path.join(c.dir, c.files.find(f => f.path.endsWith('Chart.yaml'))!.path));
      const result = await runHelm(['template', c.name, chartDir]);
      expect({ chart: c.name, code: result.code, stderr: result.stderr }).toEqual({ chart: c.name, code: 0, stderr: '' });
    }
  }, 600_000);
});
