/**
 * Checks JSON against the Grafana foundation SDK's TypeScript types: the JSON becomes object
 * literals typed as the SDK's interfaces, and the compiler reports every missing, mistyped or
 * unknown property (excess property checks apply to literals, nested ones included).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
/** SDK modules whose `Options` type a panel of the same `type` must match. */
const PANEL_MODULES = ['bargauge', 'table', 'piechart', 'timeseries', 'stat', 'gauge', 'text'];

/** A JSON value and the SDK type it must match, e.g. `dashboard.Dashboard`. */
export interface TypedValue {
  readonly type: string;
  readonly value: unknown;
  /** Allow any property to be missing (Grafana fills panel option defaults), still reject unknown or mistyped ones. */
  readonly partial?: boolean;
}

/** The compiler's messages for the values, empty when every value matches its type. */
export function sdkTypeErrors(values: readonly TypedValue[]): string[] {
  const source = [
    `import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';`,
    `import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';`,
    ...PANEL_MODULES.map(m => `import * as ${m} from '@grafana/grafana-foundation-sdk/${m}';`),
    // The SDK's types as JSON: string enums become their values, the builders' marker methods go.
    'type Json<T> = T extends (...args: any[]) => unknown ? never : T extends string ? `${T}` : T extends number | boolean | null | undefined ? T',
    '  : T extends readonly (infer U)[] ? Json<U>[] : { [K in keyof T as T[K] extends (...args: any[]) => unknown ? never : K]: Json<T[K]> };',
    'type Partial<T> = T extends readonly (infer U)[] ? Partial<U>[] : T extends object ? { [K in keyof T]?: Partial<T[K]> } : T;',
    ...values.map((v, i) => `export const v${i}: ${v.partial ? `Partial<Json<${v.type}>>` : `Json<${v.type}>`} = `
      + `${JSON.stringify(v.value, null, 1)};`),
  ].join('\n');
  // Inside the repository, so that node_modules resolves.
  fs.mkdirSync(path.join(ROOT, '.cache'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, '.cache', 'typecheck-'));
  const file = path.join(dir, 'check.ts');
  try {
    fs.writeFileSync(file, source);
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, skipLibCheck: true, types: [],
      module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16,
    });
    return ts.getPreEmitDiagnostics(program).map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What to check of a dashboard: the model, and each panel's options and Prometheus queries.
 * `partialOptions` for dashboards written by hand, whose panels leave options to Grafana's defaults.
 */
export function dashboardTypedValues(model: Record<string, any>, partialOptions = false): TypedValue[] {
  const panels = (model.panels ?? []) as Record<string, any>[];
  const all = panels.flatMap(p => [p, ...(p.panels ?? [])]);
  return [
    { type: 'dashboard.Dashboard', value: model },
    ...all.filter(p => PANEL_MODULES.includes(p.type)).map(p => ({ type: `${p.type}.Options`, value: p.options ?? {}, partial: partialOptions })),
    ...all.flatMap(p => (p.targets ?? []).map((t: unknown) => ({ type: 'prometheus.Dataquery', value: t }))),
  ];
}
