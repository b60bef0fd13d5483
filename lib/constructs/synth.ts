import { App } from 'cdk8s';
import { AnalyticsInstallationChart } from './analytics-installation-chart';
import { ResolvedInstallation } from '../config/schema';

/** A Kubernetes object as plain JSON. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** One installation's synthesized objects, in the chart's dependency order. */
export interface SynthesizedInstallation {
  readonly installation: ResolvedInstallation;
  readonly objects: KubeObject[];
}

export interface SynthesizeOptions {
  /**
   * Installations per cdk8s App. cdk8s resolves the whole App for every chart, so one App with
   * thousands of charts is quadratic (every chart's synth also validates every construct of
   * its App); small Apps keep synth linear with identical output.
   * @default 10
   */
  readonly chartsPerApp?: number;
}

/**
 * The construct id of an installation's chart. The constructs library keeps children in a plain
 * object, where `constructor` (a valid installation name) is taken: such names get a suffix no
 * installation name can have ('.' is not allowed in one).
 */
function chartId(name: string): string {
  return name in Object.prototype ? `${name}.installation` : name;
}

/**
 * Builds every installation's chart and returns its objects. Construct validation errors throw.
 * Objects of different installations are compared by whoever holds the whole list (`runApp`:
 * `duplicateObjectProblems`), since large configs are synthesized in slices.
 */
export function synthesize(installations: readonly ResolvedInstallation[], options: SynthesizeOptions = {}): SynthesizedInstallation[] {
  const perApp = options.chartsPerApp ?? 10;
  const out: SynthesizedInstallation[] = [];
  for (let start = 0; start < installations.length; start += perApp) {
    const app = new App();
    const charts = installations.slice(start, start + perApp)
      .map(inst => new AnalyticsInstallationChart(app, chartId(inst.name), inst));
    const errors = app.node.findAll().flatMap(c => c.node.validate().map(e => `${c.node.path}: ${e}`));
    if (errors.length > 0) throw new Error(`construct validation failed:\n  ${errors.join('\n  ')}`);
    for (const chart of charts) out.push({ installation: chart.installation, objects: chart.toJson() as KubeObject[] });
  }
  return out;
}
