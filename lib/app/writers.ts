/** The outputs the app and `synthToDirectory` write besides the plain manifests, in one list each. */
import { gitopsFiles } from '../output/gitops';
import { grafanaValuesFiles } from '../output/grafana-values';
import { helmChartFiles } from '../output/helm-chart';
import { ConfigWriter, OutputWriter } from './render';

export interface OutputOptions {
  /** SemVer 2 version of every Helm chart (Chart.yaml `version`), e.g. your release's version. */
  readonly chartVersion: string;
}

/** Every output besides the plain manifests: a Helm chart and the Grafana chart values per installation. */
export function outputWriters(options: OutputOptions): OutputWriter[] {
  return [
    synthesized => helmChartFiles(synthesized, { chartVersion: options.chartVersion }),
    grafanaValuesFiles,
  ];
}

/** The outputs of the whole config: the GitOps files (when the config has a `gitops` block). */
export const CONFIG_OUTPUT_WRITERS: readonly ConfigWriter[] = [gitopsFiles];
