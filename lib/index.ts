// config: the typed config, its defaults, validation and resolution, and reading it from files
export * from './config/schema';
export * from './config/defaults';
export * from './config/problems';
export * from './config/paths';
export * from './config/grafana-chart';
export * from './config/dashboard-files';
export * from './config/resolve';
export * from './config/gitops';
export * from './config/load';
export * from './config/props';
export * from './config/input-file';
export * from './config/consumer-values';
export * from './config/json-schema';
// grafana: pure models of what Grafana reads
export * from './grafana/metrics';
export * from './grafana/plugin';
export * from './grafana/analytics-panel';
export * from './grafana/usage-dashboard';
export * from './grafana/usage-rules';
export * from './grafana/usage-report-queries';
// constructs: one per Kubernetes object family, and synthesize()
export * from './constructs/labels';
export * from './constructs/analytics-server';
export * from './constructs/analytics-service-monitor';
export * from './constructs/auth/auth-front';
export * from './constructs/auth/ingress-nginx-auth-front';
export * from './constructs/auth/nginx-auth-proxy-conf';
export * from './constructs/auth/proxy-auth-front';
export * from './constructs/auth/traefik-auth-front';
export * from './constructs/auth/write-route';
export * from './constructs/analytics-network-policy';
export * from './constructs/grafana-dashboard-config-map';
export * from './constructs/analytics-dashboards';
export * from './constructs/analytics-prometheus-rule';
export * from './constructs/analytics-installation-chart';
export * from './constructs/synth';
// output: the files written from synthesized installations
export { OUTPUT_MARKER, OutputFolderRefused, outputFolderProblem, protectedFolders } from './output/output-folder';
export { removeStaleStagingFolders } from './output/staging-owner';
export * from './output/files';
export * from './output/manifests';
export * from './output/helm-chart';
export * from './output/grafana-values';
export * from './output/gitops';
// app: the runner behind `cdk8s synth`
export * from './app/app';
export * from './app/synth-to-directory';
// app: the usage report behind `grafana-analytics-usage`
export * from './app/prometheus-client';
export * from './app/usage-report';
export * from './app/usage-report-format';
export * from './app/usage-cli';
