import { Construct } from 'constructs';
import { ServiceMonitor, ServiceMonitorSpecEndpointsMetricRelabelingsAction } from '../../imports/servicemonitor-monitoring.coreos.com';
import { AnalyticsServer } from './analytics-server';
import { DEFAULTS } from '../config/defaults';
import { SERVER_PORT_NAME, USER_IDENTITY_LABEL_REGEX } from '../config/constants';
import { propsCheck } from './internal/props-check';
import { addUnrenderableKeys, recommendedLabels, renderable } from './labels';

export interface AnalyticsServiceMonitorProps {
  /** Installation name: the object name derives from it. */
  readonly installation: string;
  /** The server to scrape. */
  readonly server: AnalyticsServer;
  /**
   * Scrape interval (a Prometheus duration).
   * @default '30s'
   */
  readonly interval?: string;
  /**
   * Extra labels, for the Prometheus `serviceMonitorSelector` (kube-prometheus-stack: `release: <release>`).
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

const checkProps = propsCheck({
  construct: 'AnalyticsServiceMonitor',
  required: ['installation'],
  props: { installation: 'name', interval: 'serviceMonitor.interval', labels: 'serviceMonitor.labels' },
});

/**
 * The ServiceMonitor that makes Prometheus scrape the server. Unless the server keeps user
 * identity by explicit opt-in, it drops `user_(login|name|email)` at scrape time as a safety net
 * behind `--disable-user-metrics`. With the opt-in it drops nothing: labeldrop would merge the
 * per-user series into duplicates that Prometheus rejects, corrupting the counts.
 */
export class AnalyticsServiceMonitor extends Construct {
  public readonly resource: ServiceMonitor;

  constructor(scope: Construct, id: string, props: AnalyticsServiceMonitorProps) {
    super(scope, id);
    checkProps(props, this);
    const metricRelabelings = props.server.storeUserIdentityInMetrics ? undefined : [{
      action: ServiceMonitorSpecEndpointsMetricRelabelingsAction.LABELDROP,
      regex: USER_IDENTITY_LABEL_REGEX,
    }];
    const labels = { ...recommendedLabels(props.installation, 'monitoring'), ...props.labels };
    this.resource = new ServiceMonitor(this, 'Resource', {
      metadata: { name: props.server.name, labels: renderable(labels) },
      spec: {
        selector: { matchLabels: props.server.selectorLabels },
        endpoints: [{
          port: SERVER_PORT_NAME,
          path: '/metrics',
          interval: props.interval ?? DEFAULTS.serviceMonitor.interval,
          metricRelabelings,
        }],
      },
    });
    addUnrenderableKeys(this.resource, '/metadata/labels', labels);
  }
}
