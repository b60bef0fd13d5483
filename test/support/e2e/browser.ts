/** What a browser sends to the write path, shared by the auth suites. */

/** A beacon as the panel posts it (trimmed to the fields the server reads). */
export const BEACON = Buffer.from(
  JSON.stringify({
    uuid: '8d3c8f34-6c1b-4a39-9a4e-0d0f5b0f8a11',
    type: 'start',
    host: { hostname: 'grafana.example.com', port: '443', protocol: 'https:', buildInfo: { version: '11.5.2', env: 'production' } },
    dashboard: { name: 'Node Exporter / Nodes', uid: '7d57716318ee0dddbac5a7f451fb7753' },
    user: {
      isSignedIn: true,
      id: 7,
      login: 'alice',
      email: 'alice@example.com',
      name: 'Alice',
      lightTheme: false,
      timezone: 'browser',
      locale: 'en-US',
    },
    variables: [{ name: 'instance', label: 'Instance', type: 'query', multi: false, values: ['node-1:9100'] }],
    timeRange: { from: 1700000000, to: 1700021600, raw: { from: 'now-6h', to: 'now' } },
    timeZone: 'utc',
    time: 1700021600,
  }),
);

/** RFC 6265 5.1.4: a browser sends a cookie only where its Path matches. */
export function pathMatches(requestPath: string, cookiePath: string): boolean {
  const p = requestPath.split(/[?#]/)[0];
  return cookiePath === '/' || p === cookiePath || p.startsWith(`${cookiePath}/`);
}
