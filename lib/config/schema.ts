/**
 * The typed configuration: one TypeBox definition gives the TypeScript types, the JSON Schema
 * shipped for editors, and the runtime validation, so the three cannot drift. The options of an
 * installation are in installation-schema.ts; the resolved installation's schema in resolved-schema.ts.
 *
 * Pure data: nothing here imports a construct.
 */
import { Static, Type } from '@sinclair/typebox';
import { GITOPS_DEFAULTS } from './defaults';
import { DNS_LABEL, namespace, objectName } from './internal/schema-parts';
import { DefaultsSchema, InstallationSchema } from './installation-schema';

export { DefaultsSchema, InstallationSchema, MAX_INSTALLATION_NAME_LENGTH, MAX_RATE_LIMIT_PER_MINUTE, ObjectNameSchema } from './installation-schema';

/** Where the synth output is committed, for Argo CD and Flux (lib/config/gitops.ts has the rules across keys). */
export const GitopsSchema = Type.Object({
  repoURL: Type.String({
    // Brackets for an IPv6 host; gitops-rules.ts checks the URL as Go's net/url reads it.
    pattern: '^(https?|ssh)://[A-Za-z0-9._~%@:\\[\\]-]+(/[A-Za-z0-9._~%@+-]+)*/?$',
    maxLength: 2048,
    description: 'The Git repository the synth output is committed to.',
    allowed: 'an http://, https:// or ssh:// URL such as https://github.com/acme/fleet.git (not the scp-like git@host:path, which Flux rejects)',
  }),
  revision: Type.Optional(Type.String({
    // A branch name git and both controllers accept: no '..', no leading '-' or '/', no trailing '/' or '.'.
    pattern: '^(?!.*\\.\\.)[A-Za-z0-9_][A-Za-z0-9._/-]*(?<![./])$',
    maxLength: 255,
    default: GITOPS_DEFAULTS.revision,
    description: 'The branch both controllers follow.',
    allowed: 'a branch name of letters, digits, \'.\', \'_\', \'-\' and \'/\' such as main or release/2026',
  })),
  path: Type.String({
    pattern: '^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$',
    maxLength: 1024,
    description: 'Folder of the repository the synth output (dist/) is committed to, e.g. deploy/dist.',
    allowed: 'a relative path such as deploy/dist: segments of letters, digits, \'.\', \'_\' and \'-\', none starting with \'.\', no leading or '
      + 'trailing \'/\'',
  }),
  interval: Type.Optional(Type.String({
    pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$',
    default: GITOPS_DEFAULTS.interval,
    description: 'How often Flux fetches the repository and reconciles the releases.',
    allowed: 'a Go duration such as 5m or 1h30m',
  })),
  argocd: Type.Optional(Type.Object({
    namespace: Type.Optional(namespace('Namespace Argo CD runs in, where the Applications go.', GITOPS_DEFAULTS.argocd.namespace)),
    project: Type.Optional(objectName('Argo CD project of every Application.', GITOPS_DEFAULTS.argocd.project)),
    clusterNames: Type.Optional(Type.Record(Type.String({ pattern: `^${DNS_LABEL}$` }), Type.String({
      pattern: '^[!-~]+$',
      maxLength: 253,
      allowed: 'an Argo CD cluster name (the `name` in its cluster Secret) of printable ASCII without spaces, e.g. in-cluster or an EKS ARN',
    }), {
      additionalProperties: false,
      description: 'Argo CD cluster name (`destination.name`) of each `cluster` whose name in Argo CD differs.',
      allowed: 'a mapping of cluster names (DNS-1123 labels) to Argo CD cluster names',
    })),
  }, { additionalProperties: false })),
  flux: Type.Optional(Type.Object({
    namespace: Type.Optional(namespace('Namespace Flux runs in, where the GitRepository, the HelmReleases and the '
      + 'Kustomization go.', GITOPS_DEFAULTS.flux.namespace)),
    sourceName: Type.Optional(objectName('Name of the GitRepository; defaults to the repository\'s name in repoURL (fleet for .../fleet.git).')),
    secretRef: Type.Optional(objectName('Secret in the Flux namespace with the credentials of a private repository.')),
  }, { additionalProperties: false })),
}, { additionalProperties: false, description: 'Hand every installation to Argo CD or Flux: emits their objects under dist/gitops/.' });

export const AnalyticsConfigSchema = Type.Object({
  defaults: Type.Optional(DefaultsSchema),
  gitops: Type.Optional(GitopsSchema),
  installations: Type.Array(InstallationSchema, {
    minItems: 1,
    description: 'The Grafana installations to measure.',
    allowed: 'a list of at least one installation',
  }),
}, {
  additionalProperties: false,
  $id: 'https://cdk8s-grafana-analytics/config.schema.json',
  title: 'cdk8s-grafana-analytics configuration',
});

/** The configuration as a user writes it (YAML or code). */
export type AnalyticsConfig = Static<typeof AnalyticsConfigSchema>;
export type InstallationConfig = Static<typeof InstallationSchema>;
export type GitopsConfig = Static<typeof GitopsSchema>;
export type {
  AuthFront, AuthMode, DashboardFile, DashboardProvisioning, GrafanaChart, ResolvedInstallation, ResourceQuantities, RouteKind,
} from './resolved-schema';
