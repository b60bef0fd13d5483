import { ResolvedInstallation } from '../config/schema';
import { grafanaChartPlugins } from '../grafana';
import { SynthesizedInstallation } from '../constructs';
import { OutputFile } from './files';
import { kubeYaml, yamlComment } from './manifests';

/**
 * The Grafana Helm chart values one installation needs: the plugin at its pinned version, and a
 * dashboard sidecar that finds the ConfigMaps this library writes.
 */
export function grafanaValues(installation: ResolvedInstallation): Record<string, unknown> {
  const sidecar = installation.dashboardSidecar;
  return {
    plugins: grafanaChartPlugins(installation.grafana.chart, installation.panel.pluginVersion),
    sidecar: {
      dashboards: {
        enabled: true,
        label: sidecar.labelKey,
        labelValue: sidecar.labelValue,
        // The chart's sidecar watches Grafana's own namespace unless told otherwise.
        ...(sidecar.namespace !== installation.grafana.service.namespace ? { searchNamespace: sidecar.namespace } : {}),
      },
    },
  };
}

/** `grafana/<name>/values.yaml` per installation: a fragment to merge into Grafana's chart values. */
export function grafanaValuesFiles(installations: readonly SynthesizedInstallation[]): OutputFile[] {
  return installations.map(({ installation }) => {
    const comment = yamlComment([
      ` Grafana Helm chart values for installation ${installation.name} (chart: ${installation.grafana.chart}).`,
      ' Pass with an extra -f after your own values; under kube-prometheus-stack nest it below grafana:.',
      ' Helm replaces lists: if you install other plugins, add them to this plugins: list.',
    ].join('\n'));
    return { path: `grafana/${installation.name}/values.yaml`, content: `${comment}\n${kubeYaml(grafanaValues(installation))}` };
  });
}
