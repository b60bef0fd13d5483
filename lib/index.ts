// The public API, a deliberate list: every name here is a promise to users (api/cdk8s-grafana-analytics.api.md
// records each one with its signature; test/api-report.test.ts fails when the surface changes without it).
// Everything else is internal to the library; tests import it by path.

// config: the typed config, its defaults, and the resolved installation the constructs are built from
export type {
  AnalyticsConfig, AuthFront, AuthMode, DashboardFile, DashboardProvisioning, GitopsConfig, GrafanaChart, InstallationConfig, ResolvedInstallation,
  ResourceQuantities, RouteKind,
} from './config/schema';
export { AnalyticsConfigSchema } from './config/schema';
export { DEFAULTS, GITOPS_DEFAULTS } from './config/defaults';
export type { ResolvedConfig } from './config/resolve';
export type { ResolvedGitops } from './config/gitops';
export { ConfigError } from './config/problems';
export type { ConfigProblem } from './config/problems';

// grafana: the hidden panel and the plugin install values, for Grafana set-ups made by hand
export { addAnalyticsPanel, analyticsPanel } from './grafana/analytics-panel';
export type { AnalyticsPanelJson, AnalyticsPanelProps, DashboardJson } from './grafana/analytics-panel';
export { grafanaPluginEnv } from './grafana/plugin';
export type { GrafanaEnvVar, GrafanaPluginEnvProps } from './grafana/plugin';

// constructs: one per Kubernetes object family, their props, and synthesize()
export { AnalyticsInstallationChart } from './constructs/analytics-installation-chart';
export type { AnalyticsInstallationChartProps } from './constructs/analytics-installation-chart';
export { AnalyticsServer } from './constructs/analytics-server';
export type { AnalyticsServerProps } from './constructs/analytics-server';
export { AnalyticsServiceMonitor } from './constructs/analytics-service-monitor';
export type { AnalyticsServiceMonitorProps } from './constructs/analytics-service-monitor';
export type { GrafanaServiceRef, IAuthFront, WritePathFrontProps } from './constructs/auth/auth-front';
export { IngressNginxAuthFront } from './constructs/auth/ingress-nginx-auth-front';
export type { IngressNginxAuthFrontProps } from './constructs/auth/ingress-nginx-auth-front';
export { TraefikAuthFront } from './constructs/auth/traefik-auth-front';
export type { TraefikAuthFrontProps } from './constructs/auth/traefik-auth-front';
export { ProxyAuthFront } from './constructs/auth/proxy-auth-front';
export type { ProxyAuthFrontProps } from './constructs/auth/proxy-auth-front';
export { nginxAuthProxyConf } from './constructs/auth/nginx-auth-proxy-conf';
export type { NginxAuthProxyConfOptions } from './constructs/auth/nginx-auth-proxy-conf';
export { WriteRoute } from './constructs/auth/write-route';
export type { WriteRouteProps } from './constructs/auth/write-route';
export { AnalyticsNetworkPolicy } from './constructs/analytics-network-policy';
export type { AnalyticsNetworkPolicyProps } from './constructs/analytics-network-policy';
export { GrafanaDashboardConfigMap } from './constructs/grafana-dashboard-config-map';
export type { GrafanaDashboardConfigMapProps } from './constructs/grafana-dashboard-config-map';
export { GrafanaOperatorDashboard } from './constructs/grafana-operator-dashboard';
export type { GrafanaOperatorDashboardProps } from './constructs/grafana-operator-dashboard';
export { AnalyticsDashboards } from './constructs/analytics-dashboards';
export type { AnalyticsDashboardsProps, DashboardSource } from './constructs/analytics-dashboards';
export { AnalyticsPrometheusRule } from './constructs/analytics-prometheus-rule';
export type { AnalyticsPrometheusRuleProps } from './constructs/analytics-prometheus-rule';
export { PropsError } from './constructs/internal/props-check';
export { synthesize } from './constructs/synth';
export type { KubeObject, SynthesizedInstallation, SynthesizeOptions } from './constructs/synth';

// output: the one error the output folder check throws
export { OutputFolderRefused } from './output/output-folder';

// app: loading and resolving a config, and writing what `cdk8s synth` writes
export { loadAnalyticsConfig, loadConfigFile, parseConfigYaml, resolveAnalyticsConfig, resolveConfig } from './app/load';
export { synthToDirectory } from './app/synth-to-directory';
export type { SynthToDirectoryOptions } from './app/synth-to-directory';
export type { OutputOptions } from './app/writers';
export type { RenderedInstallation } from './app/render';
export type { OutputFile } from './output/files';

// app: the usage report behind `grafana-analytics-usage`
export { readConfigFile } from './app/load';
export { usageReport, usageReportExitCode } from './app/usage-report';
export type { DashboardUsage, HistoryCoverage, InstallationUsage, UnlistedDashboard, UsageReport, UsageReportOptions } from './app/usage-report';
export { formatUsageReport } from './app/usage-report-format';
export type { UsageReportFormat } from './app/usage-report-format';
