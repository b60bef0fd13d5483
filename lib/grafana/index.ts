// What the grafana layer gives the layers after it (constructs/, output/, app/): they import nothing else of it.
export { addAnalyticsPanel, analyticsPanel } from './analytics-panel';
export type { AnalyticsPanelJson, AnalyticsPanelProps, DashboardJson } from './analytics-panel';
export { grafanaChartPlugins, grafanaPluginEnv } from './plugin';
export { usageDashboard, usageDashboardUid } from './usage-dashboard';
export { firstScrapeQuery, lastViewedQuery, usageQueries } from './usage-queries';
export type { UsageQueries } from './usage-queries';
