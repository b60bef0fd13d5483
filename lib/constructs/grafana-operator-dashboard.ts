import { Construct } from 'constructs';
import { GrafanaDashboard, GrafanaDashboardSpecPlugins } from '../../imports/grafanadashboard-grafana.integreatly.org';
import { PLUGIN_ID } from '../config/constants';
import { DEFAULTS } from '../config/defaults';
import { GZIP_JSON_THRESHOLD_BYTES, goJsonBytes, gzipBase64, lastAppliedAnnotationBytes, MAX_ANNOTATION_BYTES } from '../config/operator-dashboards';
import { propsCheck } from './internal/props-check';
import { ObjectNameSchema } from '../config/schema';
import { dashboardFileJson, hasAnalyticsPanel } from '../grafana/analytics-panel';
import { addUnrenderableKeys, recommendedLabels, renderable } from './labels';

export interface GrafanaOperatorDashboardProps {
  /** Installation name, for the labels. */
  readonly installation: string;
  /** Name of the GrafanaDashboard. */
  readonly name: string;
  /**
   * Namespace of the Grafana CRs the dashboard goes to: the operator matches a dashboard only with
   * the Grafanas of its own namespace (spec.allowCrossNamespaceImport, which this library leaves off).
   */
  readonly namespace: string;
  /** Labels of those Grafana CRs (`spec.instanceSelector.matchLabels`, immutable in the operator). */
  readonly instanceSelector: Record<string, string>;
  /** The dashboard model, stored as the sidecar ConfigMap stores it (2-space indented JSON). */
  readonly dashboard: object;
  /**
   * Title of the Grafana folder the dashboard goes to (`spec.folder`).
   * @default - none: the operator uses a folder named after the namespace
   */
  readonly folder?: string;
  /**
   * How often the operator re-applies the dashboard (`spec.resyncPeriod`, a Go duration).
   * @default - none: the operator's own default (10m)
   */
  readonly resyncPeriod?: string;
  /**
   * Version of the analytics panel plugin declared in `spec.plugins` (the operator installs it) when
   * the dashboard carries the hidden panel; a dashboard without one declares no plugin.
   * @default '2.1.0'
   */
  readonly pluginVersion?: string;
}

const checkProps = propsCheck({
  construct: 'GrafanaOperatorDashboard',
  required: ['installation', 'name', 'namespace', 'instanceSelector'],
  // `provisioning` is no prop: it is derived as "operator", so the config's operator rules apply.
  props: {
    installation: 'name',
    name: ObjectNameSchema,
    namespace: 'grafana.service.namespace',
    instanceSelector: 'grafana.operator.instanceSelector.matchLabels',
    folder: 'grafana.operator.folder',
    resyncPeriod: 'grafana.operator.resyncPeriod',
    pluginVersion: 'panel.pluginVersion',
    provisioning: 'grafana.provisioning',
  },
});

/**
 * One dashboard as a Grafana Operator `GrafanaDashboard` (grafana.integreatly.org/v1beta1). The JSON
 * is the sidecar ConfigMap's, byte for byte: in `spec.json`, or, when it would take more than
 * `GZIP_JSON_THRESHOLD_BYTES` in kubectl's last-applied annotation, gzipped in `spec.gzipJson`.
 */
export class GrafanaOperatorDashboard extends Construct {
  public readonly resource: GrafanaDashboard;
  /** Whether the JSON went in gzipped (`spec.gzipJson`) rather than as `spec.json`. */
  public readonly gzipped: boolean;

  constructor(scope: Construct, id: string, props: GrafanaOperatorDashboardProps) {
    super(scope, id);
    checkProps(props, this, { provisioning: 'operator' });
    const json = dashboardFileJson(props.dashboard);
    this.gzipped = goJsonBytes(json) > GZIP_JSON_THRESHOLD_BYTES;
    const plugins: GrafanaDashboardSpecPlugins[] | undefined = hasAnalyticsPanel(props.dashboard)
      ? [{ name: PLUGIN_ID, version: props.pluginVersion ?? DEFAULTS.panel.pluginVersion }]
      : undefined;
    const labels = recommendedLabels(props.installation, 'dashboard');
    this.resource = new GrafanaDashboard(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: {
        instanceSelector: { matchLabels: renderable(props.instanceSelector) },
        ...(this.gzipped ? { gzipJson: gzipBase64(json) } : { json }),
        folder: props.folder,
        resyncPeriod: props.resyncPeriod,
        plugins,
      },
    });
    addUnrenderableKeys(this.resource, '/spec/instanceSelector/matchLabels', props.instanceSelector);
    this.node.addValidation({
      validate: () => {
        const bytes = lastAppliedAnnotationBytes(this.resource.toJson());
        return bytes > MAX_ANNOTATION_BYTES
          ? [`GrafanaDashboard ${props.name} takes ${bytes} bytes in kubectl's last-applied-configuration annotation`
            + `${this.gzipped ? ' (gzipped)' : ''}; an object's annotations hold at most ${MAX_ANNOTATION_BYTES}`]
          : [];
      },
    });
  }
}
