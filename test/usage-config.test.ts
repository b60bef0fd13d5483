/**
 * The `prometheus` keys (issue 24): where the usage report queries. They are validated like every
 * other key, merge from `defaults`, and change no synthesized output (checked byte for byte).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { AnalyticsConfig, ConfigError, resolveAnalyticsConfig, resolveConfig, synthToDirectory } from '../lib';
import { EXAMPLE_CONFIG } from './support/example';

const PROMETHEUS = {
  url: 'https://mimir.example.com/prometheus',
  headers: { 'X-Scope-OrgID': 'platform' },
  bearerTokenFile: 'secrets/token',
  caFile: '/etc/ssl/mimir-ca.pem',
};

function exampleConfig(): AnalyticsConfig {
  return parse(fs.readFileSync(EXAMPLE_CONFIG, 'utf8')) as AnalyticsConfig;
}

/** sha256 of every file under `dir`, by relative path. */
function digests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const file = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(file);
      else out[file] = createHash('sha256').update(fs.readFileSync(path.join(dir, file))).digest('hex');
    }
  };
  walk('');
  return out;
}

function synthDigests(config: AnalyticsConfig): Record<string, string> {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'usage-config-')), 'dist');
  try {
    synthToDirectory(resolveAnalyticsConfig(config, EXAMPLE_CONFIG), outdir, { chartVersion: '1.0.0' });
    return digests(outdir);
  } finally {
    fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
  }
}

describe('the prometheus keys', () => {
  test('change no synthesized output: every file has the same sha256 with and without them', () => {
    // GIVEN the example config, and the same with prometheus keys under defaults and in one installation
    const plain = exampleConfig();
    const withKeys = exampleConfig();
    withKeys.defaults = { ...withKeys.defaults, prometheus: PROMETHEUS };
    withKeys.installations[1].prometheus = { url: 'http://prometheus.monitoring.svc:9090', headers: { 'X-Scope-OrgID': 'us' } };
    // WHEN
    const before = synthDigests(plain);
    const after = synthDigests(withKeys);
    // THEN
    expect(Object.keys(before).length).toBeGreaterThan(20);
    expect(after).toEqual(before);
  });

  test('merge from defaults key by key; headers are replaced whole, like every map', () => {
    const [a, b] = resolveConfig({
      defaults: { prometheus: PROMETHEUS },
      installations: [
        { name: 'a', grafana: { host: 'a.example.com' } },
        { name: 'b', grafana: { host: 'b.example.com' }, prometheus: { url: 'http://prom:9090', headers: { 'X-Other': '1' } } },
      ],
    });
    expect(a.prometheus).toEqual(PROMETHEUS);
    expect(b.prometheus).toEqual({ ...PROMETHEUS, url: 'http://prom:9090', headers: { 'X-Other': '1' } });
  });

  test('an installation without them has none', () => {
    expect(resolveConfig({ installations: [{ name: 'a', grafana: { host: 'a.example.com' } }] })[0].prometheus).toBeUndefined();
  });

  test.each([
    ['url', { url: 'ftp://prom' }, 'installations[0].prometheus.url: got "ftp://prom"; allowed: an http:// or https:// URL'],
    ['url with a query', { url: 'http://prom:9090/?x=1' }, 'installations[0].prometheus.url: got "http://prom:9090/?x=1"'],
    ['url with credentials', { url: 'http://user:pw@prom:9090' }, 'installations[0].prometheus.url: got "http://user:pw@prom:9090"'],
    ['header name', { headers: { 'X Bad': 'v' } }, 'installations[0].prometheus.headers["X Bad"]: got key "X Bad"'],
    ['header value', { headers: { 'X-Scope-OrgID': 'a\r\nInjected: 1' } },
      'installations[0].prometheus.headers["X-Scope-OrgID"]: got "a\\r\\nInjected: 1"; allowed: a header value on one line'],
    ['empty token file', { bearerTokenFile: '' }, 'installations[0].prometheus.bearerTokenFile: got ""'],
    ['unknown key', { uri: 'http://prom' }, 'installations[0].prometheus.uri: unknown key: "uri" is not allowed here; did you mean "url"?'],
    ['two Authorizations', { bearerTokenFile: 't', headers: { authorization: 'Basic x' } },
      'installations[0].prometheus.headers: got an Authorization header while prometheus.bearerTokenFile is set'],
  ])('refuses a bad %s with its path', (_, prometheus, message) => {
    const config = { installations: [{ name: 'a', grafana: { host: 'a.example.com' }, prometheus }] };
    expect(() => resolveConfig(config as AnalyticsConfig)).toThrow(ConfigError);
    expect(() => resolveConfig(config as AnalyticsConfig)).toThrow(message);
  });
});
