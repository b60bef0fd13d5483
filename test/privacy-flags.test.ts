import { loadConfigFile } from '../lib/app/load';
import { resolveConfig } from '../lib';
import { KubeObject, synthesize } from '../lib/constructs/synth';
import { EXAMPLE_CONFIG } from './support/example';

const PRIVACY_FLAGS = ['--disable-user-metrics', '--disable-session-log', '--disable-variable-log'];

function serverArgs(objects: readonly KubeObject[]): string[] {
  const deployments = objects.filter(o => o.kind === 'Deployment');
  expect(deployments).toHaveLength(1);
  const containers = (deployments[0].spec as { template: { spec: { containers: { args?: string[] }[] } } }).template.spec.containers;
  expect(containers).toHaveLength(1);
  return containers[0].args ?? [];
}

function synthesizeOne(server: Record<string, unknown> = {}): KubeObject[] {
  return synthesize(resolveConfig({
    installations: [{ name: 'privacy', grafana: { host: 'grafana.example.com' }, server }],
  }))[0].objects;
}

/** `objects` with one flag taken out of the server's args and, optionally, the ServiceMonitor's metric relabelings removed. */
function without(objects: readonly KubeObject[], flag: string, dropRelabelings: boolean): KubeObject[] {
  const copy = JSON.parse(JSON.stringify(objects)) as any[];
  for (const o of copy) {
    if (o.kind === 'Deployment') {
      const container = o.spec.template.spec.containers[0];
      expect(container.args).toContain(flag);
      container.args = container.args.filter((a: string) => a !== flag);
    }
    if (o.kind === 'ServiceMonitor' && dropRelabelings) {
      for (const ep of o.spec.endpoints) {
        expect(ep.metricRelabelings).toBeDefined();
        delete ep.metricRelabelings;
      }
    }
  }
  return copy;
}

describe('privacy flags', () => {
  test.each(loadConfigFile(EXAMPLE_CONFIG).map(i => [i.name, i] as const))(
    'example installation %s runs the server with every privacy flag and the identity labeldrop', (_name, installation) => {
      // WHEN
      const objects = synthesize([installation])[0].objects;
      // THEN
      expect(serverArgs(objects)).toEqual(expect.arrayContaining(PRIVACY_FLAGS));
      const serviceMonitor = objects.find(o => o.kind === 'ServiceMonitor') as any;
      expect(serviceMonitor.spec.endpoints.map((e: any) => e.metricRelabelings)).toEqual([
        [{ action: 'labeldrop', regex: 'user_(login|name|email)' }],
      ]);
    });

  test('by default the server runs with every privacy flag', () => {
    expect(serverArgs(synthesizeOne())).toEqual(expect.arrayContaining(PRIVACY_FLAGS));
  });

  test('the identity opt-in removes only --disable-user-metrics and the labeldrop', () => {
    // GIVEN
    const base = synthesizeOne();
    // WHEN
    const optIn = synthesizeOne({ storeUserIdentityInMetrics: true });
    // THEN everything else is byte for byte the same
    expect(optIn).toEqual(without(base, '--disable-user-metrics', true));
  });

  test('the session-log opt-in removes only --disable-session-log', () => {
    expect(synthesizeOne({ logSessions: true })).toEqual(without(synthesizeOne(), '--disable-session-log', false));
  });

  test.each([
    [false, false], [true, false], [false, true], [true, true],
  ])('--disable-variable-log is never removed (identity opt-in %s, session-log opt-in %s)', (storeUserIdentityInMetrics, logSessions) => {
    const args = serverArgs(synthesizeOne({ storeUserIdentityInMetrics, logSessions }));
    expect(args).toContain('--disable-variable-log');
    expect(args.includes('--disable-user-metrics')).toBe(!storeUserIdentityInMetrics);
    expect(args.includes('--disable-session-log')).toBe(!logSessions);
  });
});
