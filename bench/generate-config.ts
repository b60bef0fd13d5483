/**
 * Configs of any size for the benchmark and the identity test: every combination of auth mode,
 * sub-path, TLS, namespace and NetworkPolicy appears, cycling with different periods so that
 * neighbouring installations differ in several ways at once.
 */
import { stringify } from 'yaml';

// Plain objects, not AnalyticsConfig: TypeBox's Static drops the deep-partial grafana keys.
// The app validates the config against the schema on every run, so a wrong key fails loudly.
type Json = { readonly [key: string]: unknown };

const SUB_PATHS = ['/', '/grafana', '/ops/grafana'];

/** The `i`-th installation (0-based); names sort in generation order. */
export function benchInstallation(i: number): Json {
  const name = `grafana-${String(i).padStart(5, '0')}`;
  const ownNamespace = i % 4 === 3;
  return {
    name,
    ...(ownNamespace ? { namespace: `team-${i % 50}` } : {}),
    grafana: {
      host: `${name}.example.com`,
      subPath: SUB_PATHS[i % SUB_PATHS.length],
      ...(i % 11 === 5 ? { serveFromSubPath: false } : {}),
      service: {
        name: i % 2 === 0 ? 'grafana' : 'kube-prometheus-stack-grafana',
        ...(ownNamespace ? { namespace: 'monitoring' } : {}),
        port: i % 5 === 0 ? 3000 : 80,
      },
    },
    auth: { mode: Math.floor(i / 3) % 2 === 0 ? 'in-cluster' : 'via-ingress' },
    ...(i % 5 === 4 ? {} : { ingress: { tlsSecretName: `${name}-tls` } }),
    ...(i % 7 === 6 ? { networkPolicy: { enabled: false } } : {}),
    ...(i % 13 === 12 ? { server: { logSessions: true } } : {}),
  };
}

/** A config with `count` installations and the example's defaults. */
export function benchConfig(count: number): Json {
  return {
    defaults: {
      namespace: 'monitoring',
      serviceMonitor: { labels: { release: 'kube-prometheus-stack' } },
    },
    installations: Array.from({ length: count }, (_, i) => benchInstallation(i)),
  };
}

/** The same config as the YAML a user would write. */
export function benchConfigYaml(count: number): string {
  return stringify(benchConfig(count), { lineWidth: 0 });
}
