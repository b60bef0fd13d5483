/**
 * The config's rules that the schema cannot express, about one resolved installation and across
 * installations; the constructs' prop checks apply the same rules (lib/constructs/internal/props-check.ts).
 */
import { InstallationConfig, ResolvedInstallation } from '../schema';
import { ConfigProblem, quote } from '../problems';
import { grafanaUpSelectorProblem, OWNED_LABEL_KEYS, ownedLabelKeys, nginxSizeProblem, prometheusDurationProblem } from '../consumer-values';
import { CONSUMER_RULES } from './consumer-rules';
import { goDurationProblem } from './go-duration';

/**
 * A rule about one resolved installation that the schema cannot express: `applies` says when the
 * value at `path` is wrong, `message` says why and what is allowed. `explicitOnly` rules fire only
 * when the installation itself sets the value (a shared `defaults` entry may suit other installations).
 */
export interface InstallationRule {
  readonly path: string;
  readonly explicitOnly?: boolean;
  readonly applies: (inst: ResolvedInstallation) => boolean;
  readonly message: (inst: ResolvedInstallation) => string;
}

const IPV4 = /^[0-9]+(\.[0-9]+){3}$/;
/** Longest DNS name (RFC 1035), which the in-cluster auth URL's Service FQDN must fit. */
const MAX_DNS_NAME = 253;
const serviceFqdn = (inst: ResolvedInstallation) =>
  `${inst.grafana.service.name}.${inst.grafana.service.namespace}.svc.${inst.auth.clusterDomain}`;

/** Which front goes with which route and settings (see README "Auth fronts"). */
const AUTH_FRONT_RULES: readonly InstallationRule[] = [
  {
    path: 'auth.mode',
    applies: inst => inst.auth.mode === 'via-ingress' && inst.auth.front !== 'ingress-nginx',
    message: inst => `got "via-ingress" while auth.front is "${inst.auth.front}"; allowed: "in-cluster" (via-ingress is built on ingress-nginx `
      + `features)`,
  },
  {
    path: 'route.kind',
    applies: inst => inst.route.kind === 'httproute' && inst.auth.front !== 'proxy',
    message: inst => `got "httproute" while auth.front is "${inst.auth.front}"; allowed: "ingress" (an HTTPRoute carries no ${inst.auth.front} `
      + `auth: use auth.front proxy with it)`,
  },
  ...(['name', 'namespace'] as const).map((key): InstallationRule => ({
    path: `route.gateway.${key}`,
    applies: inst => inst.route.kind === 'httproute' && inst.route.gateway?.[key] === undefined,
    message: () => `is required; allowed: the ${key} of the Gateway the HTTPRoute attaches to (route.kind is "httproute")`,
  })),
  {
    path: 'route.gateway',
    explicitOnly: true,
    applies: inst => inst.route.kind !== 'httproute',
    message: () => 'got a Gateway while route.kind is "ingress"; allowed: only with route.kind "httproute"',
  },
  ...(['tlsSecretName', 'className'] as const).map((key): InstallationRule => ({
    path: `ingress.${key}`,
    explicitOnly: key === 'className',
    applies: inst => inst.route.kind === 'httproute' && inst.ingress[key] !== undefined,
    message: inst => `got "${inst.ingress[key]}" while route.kind is "httproute"; allowed: nothing `
      + `(${key === 'tlsSecretName' ? 'TLS belongs to the Gateway\'s listener' : 'the route attaches to route.gateway'})`,
  })),
  {
    path: 'networkPolicy.ingressControllerNamespace',
    applies: inst => inst.networkPolicy.enabled && inst.networkPolicy.ingressControllerNamespace === undefined,
    message: inst => `is required; allowed: the namespace of the ingress controller or Gateway data plane that forwards beacons (auth.front `
      + `"${inst.auth.front}" has no default while networkPolicy.enabled is true)`,
  },
  ...(['proxy', 'grafana.service.targetPort', 'grafana.service.podLabels'] as const).map((path): InstallationRule => ({
    path,
    explicitOnly: true,
    applies: inst => inst.auth.front !== 'proxy',
    message: inst => `got ${JSON.stringify(valueAt(inst, path))} while auth.front is "${inst.auth.front}"; allowed: only with auth.front "proxy"`,
  })),
];

const OPERATOR_SELECTOR = 'grafana.operator.instanceSelector.matchLabels';

/** What goes with which `grafana.provisioning` (see README "Grafana Operator"). */
const PROVISIONING_RULES: readonly InstallationRule[] = [
  {
    path: OPERATOR_SELECTOR,
    applies: inst => inst.grafana.provisioning === 'operator' && inst.grafana.operator?.instanceSelector?.matchLabels === undefined,
    message: () => 'is required; allowed: the labels of the Grafana CRs the GrafanaDashboards go to, e.g. dashboards: grafana '
      + '(grafana.provisioning is "operator")',
  },
  ...([OPERATOR_SELECTOR, 'grafana.operator.folder', 'grafana.operator.resyncPeriod'] as const).map((path): InstallationRule => ({
    path,
    explicitOnly: true,
    applies: inst => inst.grafana.provisioning !== 'operator',
    message: inst => `got ${quote(valueAt(inst, path))} while grafana.provisioning is "${inst.grafana.provisioning}"; allowed: only with `
      + 'grafana.provisioning "operator"',
  })),
  ...(['labelKey', 'labelValue', 'namespace'] as const).map((key): InstallationRule => ({
    path: `dashboardSidecar.${key}`,
    explicitOnly: true,
    applies: inst => inst.grafana.provisioning === 'operator',
    message: inst => `got ${quote(inst.dashboardSidecar[key])} while grafana.provisioning is "operator"; allowed: nothing (the Grafana Operator `
      + 'reads GrafanaDashboards, not sidecar ConfigMaps: remove it or set grafana.provisioning: sidecar)',
  })),
  {
    // The same Go duration rule as gitops.interval (a metav1.Duration too); 0 is allowed: the operator's default then.
    path: 'grafana.operator.resyncPeriod',
    applies: inst => inst.grafana.operator?.resyncPeriod !== undefined && goDurationProblem(inst.grafana.operator.resyncPeriod) !== undefined,
    message: inst => `got ${quote(inst.grafana.operator?.resyncPeriod)}: ${goDurationProblem(inst.grafana.operator?.resyncPeriod ?? '')}; `
      + 'allowed: a Go duration of at most 2562047h, such as 10m or 1h30m',
  },
];

export const INSTALLATION_RULES: readonly InstallationRule[] = [
  {
    path: 'grafana.host',
    applies: inst => IPV4.test(inst.grafana.host),
    message: inst => `got "${inst.grafana.host}"; allowed: a DNS host name, not an IP address (an Ingress host cannot be one)`,
  },
  {
    path: 'grafana.serveFromSubPath',
    applies: inst => inst.grafana.serveFromSubPath && inst.grafana.subPath === '/',
    message: () => 'got true while grafana.subPath is "/"; allowed: true only with a sub-path such as /grafana',
  },
  {
    path: 'auth.viaIngressPath',
    explicitOnly: true,
    applies: inst => inst.auth.mode !== 'via-ingress',
    message: inst =>
      `got ${quote(inst.auth.viaIngressPath)} while auth.mode is "${inst.auth.mode}"; allowed: only with auth.mode "via-ingress" ` +
      `(remove it or set auth.mode: via-ingress)`,
  },
  {
    path: 'auth.clusterDomain',
    explicitOnly: true,
    applies: inst => inst.auth.mode !== 'in-cluster',
    message: inst =>
      `got ${quote(inst.auth.clusterDomain)} while auth.mode is "${inst.auth.mode}"; allowed: only with auth.mode "in-cluster" ` +
      `(remove it or set auth.mode: in-cluster)`,
  },
  {
    path: 'auth.clusterDomain',
    applies: inst => inst.auth.mode === 'in-cluster' && serviceFqdn(inst).length > MAX_DNS_NAME,
    message: inst =>
      `got ${quote(inst.auth.clusterDomain)}, which makes Grafana's Service name "${serviceFqdn(inst)}" ${serviceFqdn(inst).length} ` +
      `characters long; allowed: at most ${MAX_DNS_NAME} for <service>.<namespace>.svc.<cluster domain>`,
  },
  ...(['ingressControllerNamespace', 'prometheusNamespace'] as const).map(
    (key): InstallationRule => ({
      path: `networkPolicy.${key}`,
      explicitOnly: true,
      applies: inst => !inst.networkPolicy.enabled,
      message: inst => `got "${inst.networkPolicy[key]}" while networkPolicy.enabled is false; allowed: only with networkPolicy.enabled true`,
    }),
  ),
  ...AUTH_FRONT_RULES,
  ...PROVISIONING_RULES,
  ...(['server.nodeSelector', 'serviceMonitor.labels', 'grafana.service.podLabels'] as const).map(
    (path): InstallationRule => ({
      path,
      applies: inst => labelKeysWithLongPrefix(valueAt(inst, path) as Record<string, string>).length > 0,
      message: inst =>
        `got key ${quote(labelKeysWithLongPrefix(valueAt(inst, path) as Record<string, string>)[0])}; allowed: a label key prefix of ` +
        `at most ${MAX_DNS_NAME} characters`,
    }),
  ),
  ...(['serviceMonitor.labels', 'alerts.labels'] as const).map(
    (path): InstallationRule => ({
      path,
      // alerts.labels defaults to the very object serviceMonitor.labels: report that once.
      applies: inst =>
        (path === 'serviceMonitor.labels' || inst.alerts.labels !== inst.serviceMonitor.labels) &&
        ownedLabelKeys(valueAt(inst, path) as Record<string, string>).length > 0,
      message: inst =>
        `got key ${quote(ownedLabelKeys(valueAt(inst, path) as Record<string, string>)[0])}; allowed: keys other than ` +
        `${OWNED_LABEL_KEYS.join(', ')} and helm.sh/* (the library and Helm set them on every object)`,
    }),
  ),
  {
    path: 'ingress.maxBodySize',
    applies: inst => nginxSizeProblem(inst.ingress.maxBodySize) !== undefined,
    message: inst => `got ${quote(inst.ingress.maxBodySize)}, ${nginxSizeProblem(inst.ingress.maxBodySize)}; allowed: an nginx size such as 8k or 1m`,
  },
  {
    path: 'alerts.noBeaconFor',
    applies: inst => prometheusDurationProblem(inst.alerts.noBeaconFor, true) !== undefined,
    message: inst =>
      `got ${quote(inst.alerts.noBeaconFor)}, which is ${prometheusDurationProblem(inst.alerts.noBeaconFor, true)}; allowed: a ` +
      `non-zero Prometheus duration such as 6h or 1d`,
  },
  {
    path: 'serviceMonitor.interval',
    // Zero is no scrape interval, and the recording rules' `offset 0` is a PromQL parse error.
    applies: inst => prometheusDurationProblem(inst.serviceMonitor.interval, true) !== undefined,
    message: inst =>
      `got ${quote(inst.serviceMonitor.interval)}, which is ${prometheusDurationProblem(inst.serviceMonitor.interval, true)}; ` +
      `allowed: a non-zero Prometheus duration such as 30s or 1m`,
  },
  {
    path: 'prometheus.headers',
    applies: inst => inst.prometheus?.bearerTokenFile !== undefined
      && Object.keys(inst.prometheus.headers ?? {}).some(h => h.toLowerCase() === 'authorization'),
    message: () => 'got an Authorization header while prometheus.bearerTokenFile is set; allowed: one of the two '
      + '(the token file sends Authorization: Bearer)',
  },
  {
    path: 'alerts.grafanaUpSelector',
    applies: inst => grafanaUpSelectorProblem(inst.alerts.grafanaUpSelector) !== undefined,
    message: inst =>
      `got ${quote(inst.alerts.grafanaUpSelector)}: ${grafanaUpSelectorProblem(inst.alerts.grafanaUpSelector)}; allowed: ` +
      `comma-separated PromQL label matchers, e.g. job="grafana",namespace="monitoring"`,
  },
  ...CONSUMER_RULES,
];

function labelKeysWithLongPrefix(labels: Record<string, string>): string[] {
  return Object.keys(labels).filter(k => k.includes('/') && k.substring(0, k.indexOf('/')).length > MAX_DNS_NAME);
}

export function valueAt(obj: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((o, k) => (o === undefined || o === null ? undefined : (o as Record<string, unknown>)[k]), obj);
}

/** The rules that `inst` breaks, at their paths below `where`. */
export function installationProblems(inst: ResolvedInstallation, raw: InstallationConfig, where: string): ConfigProblem[] {
  return INSTALLATION_RULES
    .filter(rule => (!rule.explicitOnly || valueAt(raw, rule.path) !== undefined) && rule.applies(inst))
    .map(rule => ({ path: `${where}.${rule.path}`, message: rule.message(inst) }));
}

/** Checks that need every installation at once: names, and what they claim on a host. */
export function crossInstallationProblems(installations: ResolvedInstallation[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Map<string, number>();
  const claims = new Map<string, string>();
  installations.forEach((inst, i) => {
    const first = names.get(inst.name);
    if (first !== undefined) {
      problems.push({
        path: `installations[${i}].name`,
        message: `got "${inst.name}"; allowed: a name no other installation has (installations[${first}] has it)`,
      });
    } else {
      names.set(inst.name, i);
    }
    const paths: [string, string][] = [['ingress.writePath', inst.ingress.publicWritePath]];
    if (inst.auth.mode === 'via-ingress') {
      paths.push(['auth.viaIngressPath', inst.auth.viaIngressPublicPath]);
    }
    for (const [field, path] of paths) {
      const key = `${inst.grafana.host}${path}`;
      const owner = claims.get(key);
      if (owner !== undefined) {
        problems.push({
          path: `installations[${i}].${field}`,
          message: `got ${quote(path)} on host "${inst.grafana.host}"; allowed: a host and path nothing else claims (${owner} has it)`,
        });
      } else {
        claims.set(key, `installations[${i}].${field}`);
      }
    }
  });
  return problems;
}

