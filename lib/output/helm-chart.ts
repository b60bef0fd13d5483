/**
 * One Helm chart per installation, written from the synthesized objects (not `cdk8s synth
 * --format helm`, which makes one chart per run, has no appVersion and does not escape `{{`).
 *
 * With default values, release name = installation name and `--namespace` = the installation's
 * namespace, `helm template` renders exactly the plain manifests plus the Helm labels
 * (`helm.sh/chart`, `app.kubernetes.io/managed-by: Helm`). Namespaces and selectors stay
 * literals: a selector must not change between releases.
 */
import { SynthesizedInstallation } from '../constructs';
import { OutputFile } from './files';
import { kubeYaml } from './manifests';
import { HELM_CHART, INSTANCE, LABEL_VALUE, MANAGED_BY, SEMVER } from './helm/labels';
import { chartMetadata, chartReadme, notes } from './helm/text';
import { monitorLiteralLabels, objectTemplates } from './helm/templates';
import { chartValues, valuesSchema, valuesYaml } from './helm/values';

export interface HelmChartOptions {
  /** SemVer 2 version of every chart (Chart.yaml `version`), e.g. the package version. */
  readonly chartVersion: string;
}

export { HELM_KUBE_VERSION } from './helm/labels';

/** `helm/<name>/...` for every installation. */
export function helmChartFiles(installations: readonly SynthesizedInstallation[], options: HelmChartOptions): OutputFile[] {
  return installations.flatMap(s => helmChart(s, options).map(f => ({ ...f, path: `helm/${s.installation.name}/${f.path}` })));
}

/** One installation's chart; paths relative to the chart folder. */
export function helmChart(synthesized: SynthesizedInstallation, options: HelmChartOptions): OutputFile[] {
  const { installation, objects } = synthesized;
  const chartLabel = helmChartLabel(installation.name, options.chartVersion);
  const values = chartValues(installation);
  const monitorLabelKeys = objects.filter(o => o.kind === 'ServiceMonitor').flatMap(o => Object.keys(monitorLiteralLabels(installation, o)));
  const schema = valuesSchema(installation, values, [...new Set([HELM_CHART, MANAGED_BY, INSTANCE, ...monitorLabelKeys])].sort());
  const templates = objectTemplates(installation, objects, chartLabel);
  return [
    // Every string double-quoted, as Chart.yaml has been written since the first chart writer.
    { path: 'Chart.yaml', content: kubeYaml(chartMetadata(installation, options.chartVersion), { forceQuotes: true }) },
    { path: 'values.yaml', content: valuesYaml(schema, values) },
    { path: 'values.schema.json', content: `${JSON.stringify(schema, undefined, 2)}\n` },
    { path: 'README.md', content: chartReadme(installation, schema, values) },
    ...templates,
    { path: 'templates/NOTES.txt', content: notes(installation, objects) },
  ];
}

/** `helm.sh/chart`: name and version, `+` replaced as Helm's own charts do (it is not allowed in a label). */
function helmChartLabel(name: string, version: string): string {
  if (!SEMVER.test(version)) throw new Error(`chart version "${version}" is not a SemVer 2 version such as 1.2.3`);
  const label = `${name}-${version.replace(/\+/g, '_')}`;
  if (!LABEL_VALUE.test(label)) {
    throw new Error(`helm.sh/chart label "${label}" is not a valid label value (at most 63 characters): shorten the chart version`);
  }
  return label;
}
