/** The Helm labels of a chart's objects and the version grammar helm enforces. */

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const INSTANCE = 'app.kubernetes.io/instance';
export const VERSION = 'app.kubernetes.io/version';
export const HELM_CHART = 'helm.sh/chart';
export const UPSTREAM = 'https://github.com/MacroPower/macropower-analytics-panel';

// From semver.org: the version grammar helm enforces for Chart.yaml `version`.
export const SEMVER = new RegExp(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)/.source
  + /(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?/.source
  + /(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/.source);
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Oldest Kubernetes the objects are written for (cdk8s-plus-25). `-0` admits vendor builds like v1.29.3-eks-1. */
export const HELM_KUBE_VERSION = '>=1.25.0-0';
