/**
 * Names consumers join from a namespace and a name (issue 22). Read in the consumers' source:
 * - Traefik (traefik/traefik, v3.7 branch): pkg/provider/kubernetes/crd/kubernetes.go keys each
 *   Middleware `provider.Normalize(makeID(namespace, name))` (makeID: `namespace + "-" + name`) in
 *   conf.HTTP.Middlewares, so a later Middleware with the same ID replaces the earlier one, and an
 *   Ingress's `router.middlewares` reference `<id>@kubernetescrd` finds whichever is left;
 *   pkg/provider/kubernetes/ingress/kubernetes.go keys an Ingress backend's service
 *   `provider.Normalize(namespace + "-" + service + "-" + port)` and keeps the first;
 *   pkg/provider/configuration.go Normalize turns every run of non-letters-or-numbers into one `-`.
 * - ingress-nginx (kubernetes/ingress-nginx v1.15.1): internal/ingress/controller/util.go
 *   upstreamName `<namespace>-<service>-<port>`; controller.go createUpstreams keeps the first.
 * Traefik cannot run here: Normalize's one expression runs in Go (test/support/go-parsers).
 */
import * as fc from 'fast-check';
import { ConfigError, KubeObject, resolveAnalyticsConfig, synthesize } from '../../lib';
import { derivedNames, traefikMiddlewareId, traefikNormalize } from '../../lib/config/internal/derived-names';
import { TRAEFIK_MIDDLEWARES_ANNOTATION } from '../../lib/constructs/auth/traefik-auth-front';
import { describeWithPrograms } from '../support/e2e/tools';
import { FRONTS_CONFIG } from '../support/fronts';
import { goParse, goProgram } from '../support/go-parsers';

type Json = Record<string, any>;

function problemsOf(config: Json): { path: string; message: string }[] {
  try {
    resolveAnalyticsConfig(config);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
}

const traefik = { auth: { front: 'traefik' } };
const proxy = { auth: { front: 'proxy' }, networkPolicy: { ingressControllerNamespace: 'ingress' } };
/** Two installations whose namespace and name split `a-b-c` differently around a `-`. */
const split = (front: Json, clusters: [string?, string?] = []) => ({
  installations: [
    { name: 'b-c', namespace: 'a', grafana: { host: 'one.example.com' }, ...front, ...(clusters[0] ? { cluster: clusters[0] } : {}) },
    { name: 'c', namespace: 'a-b', grafana: { host: 'two.example.com' }, ...front, ...(clusters[1] ? { cluster: clusters[1] } : {}) },
  ],
});

describe('Traefik Middleware IDs across installations', () => {
  test('namespace a with installation b-c and namespace a-b with installation c: one Middleware ID, refused naming both installations and the '
    + 'ID', () => {
    const problems = problemsOf(split(traefik));
    expect(problems).toContainEqual({
      path: 'installations[1].namespace',
      message: 'got "a-b", whose Middleware a-b/c-analytics-forward-auth has the Traefik Middleware ID '
        + '"a-b-c-analytics-forward-auth@kubernetescrd" that installations[0] ("b-c") gives its Middleware a/b-c-analytics-forward-auth too, in '
        + 'one cluster (a cluster is not set); allowed: a namespace and name that no other installation\'s join into the same Traefik '
        + 'Middleware ID (the consumer keeps one object for both)',
    });
    // the Ingress backends clash too, for both controllers, each said once
    const consumers = problems.map(p => /has the (.+?) "/.exec(p.message)?.[1]);
    expect(consumers).toEqual(['Traefik Middleware ID', 'ingress-nginx upstream', 'Traefik service key']);
  });

  test('in different clusters they are fine; with one cluster unknown they may share one', () => {
    expect(problemsOf(split(traefik, ['eu-1', 'us-1']))).toEqual([]);
    expect(problemsOf(split(traefik, ['eu-1', 'eu-1'])).map(p => p.path)).toEqual(['installations[1].namespace', 'installations[1].namespace',
      'installations[1].namespace']);
    expect(problemsOf(split(traefik, ['eu-1'])).length).toBe(3);
  });

  test('Traefik\'s Normalize folds "--": installations a--b and a-b in one namespace share IDs, and a--b\'s annotation names the ID Traefik gives '
    + 'its Middleware', () => {
    const config = { installations: [{ name: 'a--b', grafana: { host: 'one.example.com' }, ...traefik }, { name: 'a-b',
      grafana: { host: 'two.example.com' }, ...traefik }] };
    expect(problemsOf(config)[0]).toMatchObject({ path: 'installations[1].namespace',
      message: expect.stringContaining('"monitoring-a-b-analytics-forward-auth@kubernetescrd"') });
    const [alone] = synthesize(resolveAnalyticsConfig({ installations: [config.installations[0]] }).installations);
    const ingress = alone.objects.find(o => o.kind === 'Ingress') as Json;
    expect(ingress.metadata.annotations[TRAEFIK_MIDDLEWARES_ANNOTATION].split(',')[0]).toBe('monitoring-a-b-analytics-forward-auth@kubernetescrd');
    expect(alone.objects.find(o => o.kind === 'Middleware')!.metadata.name).toBe('a--b-analytics-forward-auth');
  });
});

describe('Ingress backends across installations', () => {
  test('the proxy front\'s Ingresses: one ingress-nginx upstream and one Traefik service key for two Services, refused', () => {
    expect(problemsOf(split(proxy)).map(p => /has the (.+?) "(.+?)"/.exec(p.message)?.slice(1))).toEqual([
      ['ingress-nginx upstream', 'a-b-c-analytics-8081'], ['Traefik service key', 'a-b-c-analytics-8081'],
    ]);
  });

  test('the ingress-nginx front with via-ingress: Grafana\'s Service is one backend for every installation that shares it, no clash', () => {
    const viaIngress = { auth: { mode: 'via-ingress' }, grafana: { service: { namespace: 'grafana' } } };
    const config = { installations: ['one', 'two'].map(name => ({ name, ...viaIngress, grafana: { host: `${name}.example.com`,
      service: { namespace: 'grafana' } } })) };
    expect(problemsOf(config)).toEqual([]);
  });

  test('an HTTPRoute has no such backend name: no clash', () => {
    const route = { ...proxy, route: { kind: 'httproute', gateway: { name: 'gw', namespace: 'gateways' } } };
    expect(problemsOf(split(route))).toEqual([]);
  });
});

describe('the names predicted are the ones synthesized', () => {
  test('every Middleware reference of every Ingress is the ID Traefik gives a Middleware the installation creates, in order', () => {
    const synthesized = synthesize(resolveAnalyticsConfig(FRONTS_CONFIG).installations);
    const withMiddlewares = synthesized.filter(s => s.objects.some(o => o.kind === 'Middleware'));
    expect(withMiddlewares.length).toBeGreaterThan(0);
    for (const s of withMiddlewares) {
      const ids = s.objects.filter(o => o.kind === 'Middleware').map(o => traefikMiddlewareId(s.installation.namespace, o.metadata.name));
      const ingress = s.objects.find(o => o.kind === 'Ingress') as KubeObject & Json;
      expect(ingress.metadata.annotations?.[TRAEFIK_MIDDLEWARES_ANNOTATION].split(',')).toEqual(ids);
    }
  });

  test('the backends the rule names are exactly those of the Ingresses synthesized, for every front, mode and route', () => {
    const config = { installations: [...FRONTS_CONFIG.installations, { name: 'via', grafana: { host: 'via.example.com',
      service: { namespace: 'grafana', name: 'graf', port: 3000 } }, auth: { mode: 'via-ingress' } }] };
    const resolved = resolveAnalyticsConfig(config).installations;
    for (const s of synthesize(resolved)) {
      const ingresses = s.objects.filter(o => o.kind === 'Ingress') as (KubeObject & Json)[];
      const synthesizedBackends = ingresses.flatMap(o => (o.spec.rules as Json[]).flatMap(r => (r.http.paths as Json[]).map(p =>
        `${o.metadata.namespace ?? s.installation.namespace}-${p.backend.service.name}-${p.backend.service.port.number}`)));
      const predicted = derivedNames(s.installation).filter(d => d.consumer === 'ingress-nginx upstream').map(d => d.name);
      expect({ installation: s.installation.name, backends: [...synthesizedBackends].sort() }).toEqual({ installation: s.installation.name,
        backends: [...predicted].sort() });
      const ids = derivedNames(s.installation).filter(d => d.consumer === 'Traefik Middleware ID').map(d => d.name);
      expect(ids).toEqual(s.objects.filter(o => o.kind === 'Middleware').map(o => traefikMiddlewareId(s.installation.namespace, o.metadata.name)));
    }
  });
});

describeWithPrograms('Traefik\'s Normalize', { go: goProgram() }, ({ go }) => {
  test('ours gives what its expression gives on Go\'s unicode tables, for text of many scripts and separators', () => {
    // Characters of Unicode 13 and before: Debian's Go 1.19 knows no later ones (Node's tables do).
    const samples = fc.sample(fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '.', '_', '@', ' ', 'é', 'ß', '٣', 'Ⅻ', '²', '中', '\u0301', '\u2028', '😀', '-') }),
      fc.string({ unit: fc.integer({ min: 0x20, max: 0x24f }).map(c => String.fromCharCode(c)), maxLength: 20 }),
    ), { seed: 22, numRuns: 2000 });
    const expected = goParse(go, 'traefik-normalize', samples).map(a => a.parsed ?? '');
    expect(samples.map(traefikNormalize)).toEqual(expected);
  });
});
