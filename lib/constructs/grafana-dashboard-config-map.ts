import { Type } from '@sinclair/typebox';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { MAX_CONFIG_MAP_BYTES } from '../config/dashboards';
import { DEFAULTS } from '../config/defaults';
import { propsCheck } from './internal/props-check';
import { ObjectNameSchema } from '../config/schema';
import { addUnrenderableKeys, recommendedLabels, renderable } from './labels';


export interface GrafanaDashboardConfigMapProps {
  /** Installation name, for the labels. */
  readonly installation: string;
  /** Name of the ConfigMap. */
  readonly name: string;
  /** Namespace the Grafana dashboard sidecar watches. */
  readonly namespace: string;
  /**
   * File name the sidecar writes the dashboard to. Sidecars write every ConfigMap's keys into one
   * folder, so it must be unique across everything the sidecar watches.
   */
  readonly fileName: string;
  /** The dashboard model, stored verbatim (legend formats such as `{{dashboard_name}}` included). */
  readonly dashboard: object;
  /**
   * Label key the sidecar selects by.
   * @default 'grafana_dashboard'
   */
  readonly labelKey?: string;
  /**
   * Value of that label.
   * @default '1'
   */
  readonly labelValue?: string;
}

const checkProps = propsCheck({
  construct: 'GrafanaDashboardConfigMap',
  required: ['installation', 'name', 'namespace', 'fileName'],
  props: {
    installation: 'name',
    name: ObjectNameSchema,
    namespace: 'dashboardSidecar.namespace',
    fileName: Type.String({ pattern: '^[-._a-zA-Z0-9]+\\.json$', allowed: 'letters, digits, \'-\', \'_\' and \'.\', ending in .json' }),
    labelKey: 'dashboardSidecar.labelKey',
    labelValue: 'dashboardSidecar.labelValue',
  },
});

/**
 * One dashboard in one ConfigMap, labelled for the Grafana dashboard sidecar (the Grafana Helm
 * chart's `sidecar.dashboards`; kube-prometheus-stack selects `grafana_dashboard: "1"`).
 */
export class GrafanaDashboardConfigMap extends Construct {
  public readonly resource: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: GrafanaDashboardConfigMapProps) {
    super(scope, id);
    checkProps(props, this);
    const json = `${JSON.stringify(props.dashboard, null, 2)}\n`;
    this.node.addValidation({
      validate: () => Buffer.byteLength(json) > MAX_CONFIG_MAP_BYTES
        ? [`dashboard ${props.fileName} is ${Buffer.byteLength(json)} bytes; a ConfigMap holds at most ${MAX_CONFIG_MAP_BYTES}`]
        : [],
    });
    const labels = {
      ...recommendedLabels(props.installation, 'dashboard'),
      [props.labelKey ?? DEFAULTS.dashboardSidecar.labelKey]: props.labelValue ?? DEFAULTS.dashboardSidecar.labelValue,
    };
    this.resource = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: renderable(labels) },
      data: { [props.fileName]: json },
    });
    addUnrenderableKeys(this.resource, '/metadata/labels', labels);
  }
}
