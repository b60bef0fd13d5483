/**
 * How Grafana installs the analytics panel plugin at a pinned version: environment variables for
 * a hand-made Deployment, and the `plugins:` entries of the Grafana Helm chart's values.
 */
import { DEFAULTS } from '../config/defaults';
import { PLUGIN_ID } from '../config/constants';
import { supportsPreinstallSync } from '../config/grafana-chart';
import { GrafanaChart } from '../config/schema';

/** An environment variable of a Grafana container. */
export interface GrafanaEnvVar {
  readonly name: string;
  readonly value: string;
}

export interface GrafanaPluginEnvProps {
  /** Version of the Grafana server (semver, e.g. `12.1.0`): it decides which variable works. */
  readonly grafanaVersion: string;
  /**
   * Version of the analytics panel plugin.
   * @default '2.1.0'
   */
  readonly pluginVersion?: string;
}

/**
 * The environment that makes a Grafana container install the plugin: `GF_PLUGINS_PREINSTALL_SYNC`
 * (`id@version`) from Grafana 12.1, `GF_INSTALL_PLUGINS` (`id version`, deprecated in 12.1) before.
 */
export function grafanaPluginEnv(props: GrafanaPluginEnvProps): GrafanaEnvVar[] {
  const version = props.pluginVersion ?? DEFAULTS.panel.pluginVersion;
  return supportsPreinstallSync(props.grafanaVersion)
    ? [{ name: 'GF_PLUGINS_PREINSTALL_SYNC', value: `${PLUGIN_ID}@${version}` }]
    : [{ name: 'GF_INSTALL_PLUGINS', value: `${PLUGIN_ID} ${version}` }];
}

/**
 * The `plugins:` entries of the Grafana Helm chart's values. grafana-community (v11 and later)
 * passes them to `GF_PLUGINS_PREINSTALL_SYNC` (`id@version`); the older grafana chart to
 * `GF_INSTALL_PLUGINS` (`id version`).
 */
export function grafanaChartPlugins(chart: GrafanaChart, pluginVersion: string = DEFAULTS.panel.pluginVersion): string[] {
  switch (chart) {
    case 'grafana-community':
      return [`${PLUGIN_ID}@${pluginVersion}`];
    case 'grafana':
      return [`${PLUGIN_ID} ${pluginVersion}`];
  }
}
