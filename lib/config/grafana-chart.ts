/** Rules about the Grafana an installation runs: which chart and version can install the plugin. */
import { ConfigProblem } from './problems';
import { ResolvedInstallation } from './schema';

/** True from Grafana 12.1, which installs `GF_PLUGINS_PREINSTALL_SYNC` before it starts. */
export function supportsPreinstallSync(grafanaVersion: string): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(grafanaVersion);
  if (!match) throw new Error(`grafana version got "${grafanaVersion}"; allowed: a semantic version such as 12.1.0`);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 12 || (major === 12 && minor >= 1);
}

/** The grafana-community chart installs with GF_PLUGINS_PREINSTALL_SYNC, which Grafana before 12.1 ignores. */
export function grafanaChartProblems(installations: readonly ResolvedInstallation[]): ConfigProblem[] {
  return installations.flatMap((inst, i) => inst.grafana.chart === 'grafana-community' && !supportsPreinstallSync(inst.grafana.version)
    ? [{
      path: `installations[${i}].grafana.chart`,
      message: `got "grafana-community" with grafana.version "${inst.grafana.version}"; allowed: grafana-community only with Grafana 12.1 or later `
        + `(its plugins: list becomes GF_PLUGINS_PREINSTALL_SYNC, which older Grafana ignores), otherwise "grafana"`,
    }]
    : []);
}
