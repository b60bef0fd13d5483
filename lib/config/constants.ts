/** Fixed facts the layers share: the plugin id, the ports and their names, the identity labels. Not settings. */

/** Id of the Grafana panel plugin that sends the beacons. */
export const PLUGIN_ID = 'macropower-analytics-panel';

/** The analytics server's listening port (the image's `EXPOSE`). */
export const SERVER_PORT = 8080;
/** The name of the server's port on the container, the Service and the ServiceMonitor endpoint. */
export const SERVER_PORT_NAME = 'web';
/** The auth proxy's listening port (auth.front proxy): 8080 is the server's. */
export const PROXY_PORT = 8081;
/** The name of the proxy's port on the container and the Service; routes target it. */
export const PROXY_PORT_NAME = 'http';
/** Labels the exporter emits that identify a person; dropped at scrape time unless opted in. */
export const USER_IDENTITY_LABEL_REGEX = 'user_(login|name|email)';
