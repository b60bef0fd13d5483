/**
 * Property tests: configs generated from arbitraries synthesize objects their schemas accept (strictly:
 * unknown fields fail too, test/support/kube-schema.ts), and
 * mutated configs either still do or fail with a ConfigError whose every problem names a path.
 * Deterministic: a fixed seed and a modest number of runs.
 */
import * as fc from 'fast-check';
import { ConfigError, resolveAnalyticsConfig, synthesize } from '../lib';
import { validateManifests } from './support/kube-schema';

const SEED = 20260;
const RUNS = 150;

const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
const labelValue = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?$/);
const labelKey = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.stringMatching(/^[a-z]{1,5}\.io\/[a-z][a-z0-9-]{0,6}[a-z0-9]$/));
const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 3 });
const path = fc.array(fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/), { minLength: 1, maxLength: 2 }).map(s => `/${s.join('/')}`);

const options = fc.record(
  {
    namespace: dnsLabel,
    grafana: fc.record(
      {
        subPath: fc.oneof(fc.constant('/'), path),
        service: fc.record({ name: dnsLabel, namespace: dnsLabel, port: fc.integer({ min: 1, max: 65535 }) }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    ),
    server: fc.record(
      {
        image: fc.constantFrom(
          'docker.io/macropower/analytics-panel-server:0.0.1',
          'registry.example.com:5000/team/analytics',
          `ghcr.io/a/b@sha256:${'a'.repeat(64)}`,
        ),
        replicas: fc.integer({ min: 0, max: 3 }),
        nodeSelector: labels,
        storeUserIdentityInMetrics: fc.boolean(),
        logSessions: fc.boolean(),
        maxCacheSize: fc.integer({ min: 1, max: 1_000_000 }),
        resources: fc.record(
          {
            // Requests at most the limits whatever the other side's default (the API server's rule).
            requests: fc.record({ cpu: fc.constantFrom('5m', '0.01', '0.1'), memory: fc.constantFrom('512Ki', '16Mi') }, { requiredKeys: [] }),
            limits: fc.record({ cpu: fc.constantFrom('100m', '2'), memory: fc.constantFrom('64Mi', '1Gi') }, { requiredKeys: [] }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    serviceMonitor: fc.record({ interval: fc.constantFrom('15s', '1m', '1h30m'), labels }, { requiredKeys: [] }),
    ingress: fc.record(
      {
        className: dnsLabel,
        writePath: path,
        tlsSecretName: dnsLabel,
        maxBodySize: fc.constantFrom('4k', '16k', '1m'),
        rateLimitPerMinute: fc.integer({ min: 0, max: 10_000 }),
      },
      { requiredKeys: [] },
    ),
    networkPolicy: fc.record({ enabled: fc.boolean(), ingressControllerNamespace: dnsLabel, prometheusNamespace: dnsLabel }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

/** Options valid together: auth keys only for their mode, network policy namespaces only when enabled. */
const installationOptions = fc.tuple(options, fc.constantFrom('in-cluster', 'via-ingress'), fc.boolean()).map(([o, mode, setModeKey]) => {
  const auth = mode === 'in-cluster'
    ? { mode, ...(setModeKey ? { clusterDomain: 'cluster.example' } : {}) }
    : { mode, ...(setModeKey ? { viaIngressPath: '/auth-check' } : {}) };
  const networkPolicy = o.networkPolicy?.enabled === false ? { enabled: false } : o.networkPolicy;
  return { ...o, auth, ...(networkPolicy ? { networkPolicy } : {}) };
});

/** Installation names and hosts are unique, so valid configs never claim a host and path twice. */
const validConfig = fc.record({
  defaults: fc.option(options.map(o => ({ ...o, networkPolicy: undefined })), { nil: undefined }),
  installations: fc.uniqueArray(fc.tuple(dnsLabel, installationOptions), { minLength: 1, maxLength: 4, selector: ([name]) => name })
    .map(list => list.map(([name, o]) => ({ name, ...o, grafana: { ...o.grafana, host: `${name}.grafana.example.com` } }))),
}).map(c => JSON.parse(JSON.stringify(c)) as Record<string, unknown>);

function synthesizeAll(config: unknown) {
  return synthesize(resolveAnalyticsConfig(config).installations);
}

describe('fuzz', () => {
  test('every generated valid config synthesizes objects that pass their Kubernetes schemas', () => {
    fc.assert(fc.property(validConfig, config => {
      const synthesized = synthesizeAll(config);
      expect(validateManifests(synthesized.flatMap(s => s.objects))).toEqual([]);
    }), { seed: SEED, numRuns: RUNS });
  });

  // A mutation: some path of a valid config replaced by a value of the wrong shape, deleted, or a new key.
  const junk = fc.oneof(
    fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
    fc.constantFrom('', '/', '//', 'a/', 'UPPER', '-x-', 'https://x.y', '10.0.0.1', 'x'.repeat(300)),
    fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  );
  const mutated = fc.tuple(validConfig, fc.nat(), fc.constantFrom('replace', 'delete', 'add'), junk, fc.string({ maxLength: 8 }))
    .map(([original, pick, how, value, key]) => {
      const config = structuredClone(original);
      const containers: [Record<string, unknown>, string][] = [];
      const walk = (node: unknown) => {
        if (typeof node !== 'object' || node === null) return;
        for (const k of Object.keys(node)) {
          containers.push([node as Record<string, unknown>, k]);
          walk((node as Record<string, unknown>)[k]);
        }
      };
      walk(config);
      const [container, k] = containers[pick % containers.length];
      if (how === 'replace') container[k] = value;
      else if (how === 'delete') delete container[k];
      else if (typeof container[k] === 'object' && container[k] !== null) (container[k] as Record<string, unknown>)[key] = value;
      return config;
    });

  test('a mutated config synthesizes valid objects or fails with path-naming problems, never anything else', () => {
    fc.assert(fc.property(mutated, config => {
      let synthesized;
      try {
        synthesized = synthesizeAll(config);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw new Error(`not a ConfigError: ${(e as Error).stack}`);
        expect(e.problems.length).toBeGreaterThan(0);
        for (const p of e.problems) {
          // only a whole-file problem (the config is not a mapping) has no path
          if (p.path === '') expect(p.message).toMatch(/^got .*; allowed: a mapping/);
          expect(p.message).toMatch(/(got .*|is required); allowed: .+|unknown key: /);
        }
        return;
      }
      expect(validateManifests(synthesized.flatMap(s => s.objects))).toEqual([]);
    }), { seed: SEED, numRuns: RUNS * 2 });
  });
});
