// What the constructs layer gives the layers after it (output/, app/): they import nothing else of it.
export { synthesize } from './synth';
export { analyticsServerName } from './analytics-server';
export type { KubeObject, SynthesizedInstallation, SynthesizeOptions } from './synth';
export { imageVersion, INSTALLATION_LABEL, PART_OF, selectorLabels } from './labels';
export { PROXY_CONTAINER } from './auth/proxy-auth-front';
