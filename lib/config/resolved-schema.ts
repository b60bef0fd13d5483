/**
 * The resolved installation's schema: the options of an installation (installation-schema.ts) with
 * every default applied, and the values derived from them once (lib/config/derive.ts). The type
 * `ResolvedInstallation` is its static type, so the two cannot drift; tests check resolved
 * installations against it.
 */
import { Static, TSchema, Type } from '@sinclair/typebox';
import { INSTALLATION_PROPERTIES, installationName } from './installation-schema';

const p = INSTALLATION_PROPERTIES;
const derived = (description: string) => Type.String({ description: `Derived: ${description}` });

/** A dashboard JSON file the config provisions, read and checked at resolution. */
export const DashboardFileSchema = Type.Object({
  file: Type.String({ description: 'The file, as an absolute path.' }),
  dashboard: Type.Intersect([
    Type.Record(Type.String(), Type.Unknown()),
    Type.Object({ uid: Type.String(), title: Type.String() }),
  ], { description: 'The dashboard model (never mutated).' }),
});

/** An installation with every default applied and every derived value computed: what the constructs are built from. */
export const ResolvedInstallationSchema = Type.Object({
  name: installationName,
  namespace: p.namespace,
  cluster: Type.Optional(p.cluster),
  grafana: Type.Object({
    ...p.grafana.properties,
    /** Set only with provisioning operator (resolution requires the selector then). */
    operator: Type.Optional(Type.Object({
      instanceSelector: Type.Optional(Type.Partial(p.grafana.properties.operator.properties.instanceSelector)),
      folder: Type.Optional(p.grafana.properties.operator.properties.folder),
      resyncPeriod: Type.Optional(p.grafana.properties.operator.properties.resyncPeriod),
    })),
    apiUserPath: derived('Grafana\'s /api/user path, under the sub-path only when Grafana serves from it.'),
  }),
  panel: p.panel,
  dashboards: Type.Array(DashboardFileSchema),
  dashboardSidecar: p.dashboardSidecar,
  alerts: p.alerts,
  server: p.server,
  serviceMonitor: p.serviceMonitor,
  ingress: Type.Object({
    ...p.ingress.properties,
    /** Absent: the cluster's default IngressClass. */
    className: Type.Optional(p.ingress.properties.className),
    tlsSecretName: Type.Optional(p.ingress.properties.tlsSecretName),
    publicWritePath: derived('the write path on Grafana\'s host (sub-path and writePath), which the hidden panels post to.'),
  }),
  route: Type.Object({
    kind: p.route.properties.kind,
    gateway: Type.Optional(Type.Partial(p.route.properties.gateway)),
  }),
  proxy: p.proxy,
  auth: Type.Object({
    ...p.auth.properties,
    viaIngressPublicPath: derived('the public auth path on Grafana\'s host (sub-path and viaIngressPath; used in via-ingress mode).'),
    url: derived('the URL asked, per beacon, whether the request carries a valid Grafana session.'),
  }),
  /** Where the usage report queries, as written (file paths unresolved); absent when neither the installation nor `defaults` sets it. */
  prometheus: Type.Optional(Type.Partial(p.prometheus)),
  networkPolicy: Type.Object({
    ...p.networkPolicy.properties,
    /** Absent only for auth.front proxy with the NetworkPolicy off. */
    ingressControllerNamespace: Type.Optional(p.networkPolicy.properties.ingressControllerNamespace),
  }),
});

/** `T` with every property and array readonly, all the way down. */
type DeepReadonly<T> = T extends readonly (infer E)[] ? readonly DeepReadonly<E>[]
  : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The static type of a schema, readonly throughout: resolved values are shared, never modified. */
type Resolved<S extends TSchema> = DeepReadonly<Static<S>>;

/** An installation with every default applied and every derived value computed: what the constructs are built from. */
export type ResolvedInstallation = Resolved<typeof ResolvedInstallationSchema>;
/** A dashboard JSON file the config provisions, read and checked at resolution. */
export type DashboardFile = Resolved<typeof DashboardFileSchema>;
/** Container resources as Kubernetes quantities. */
export type ResourceQuantities = Resolved<typeof p.server.properties.resources>;
export type AuthMode = Static<typeof p.auth.properties.mode>;
export type AuthFront = Static<typeof p.auth.properties.front>;
export type RouteKind = Static<typeof p.route.properties.kind>;
/** How dashboards reach Grafana: ConfigMaps for the dashboard sidecar, or Grafana Operator GrafanaDashboards. */
export type DashboardProvisioning = Static<typeof p.grafana.properties.provisioning>;
/** The Grafana Helm chart flavour: it decides the form of `plugins:` entries. */
export type GrafanaChart = Static<typeof p.grafana.properties.chart>;
