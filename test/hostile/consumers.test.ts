/**
 * Values the config schema's patterns accept but a consumer might refuse: our verdict must be
 * the real program's. nginx -t for sizes and rates, promtool for PromQL strings, RE2 regexes and
 * durations (family 4 of issue 14; the corpus in corpus.test.ts runs the same values end to end).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { grafanaUpSelectorProblem, nginxSizeProblem, prometheusDurationProblem } from '../../lib/config/consumer-values';
import { MAX_RATE_LIMIT_PER_MINUTE } from '../../lib/config/installation-schema';
import { describeWithPrograms, findProgram } from '../support/e2e/tools';

function accepts(program: string, args: string[], files: Record<string, string>): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-consumer-'));
  try {
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content.replace(/@DIR@/g, dir));
    execFileSync(program, args.map(a => a.replace(/@DIR@/g, dir)), { cwd: dir, stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describeWithPrograms('what nginx takes', { nginx: findProgram('nginx', ['/usr/sbin/nginx']) }, ({ nginx }) => {
  const nginxTest = (http: string) => accepts(nginx, ['-t', '-q', '-p', '@DIR@', '-c', '@DIR@/nginx.conf', '-e', 'stderr'], {
    'nginx.conf': `error_log stderr;\npid @DIR@/nginx.pid;\nevents {}\nhttp {\n${http}\nserver { listen 127.0.0.1:8; location / { } }\n}\n`,
  });

  test.each(['8k', '1m', '1', '9223372036854775807', '9223372036854775808', '8796093022207m', '8796093022208m',
    '9007199254740991k', '9007199254740992k', '99999999999999999999m', '00000000000000000000000001k'])(
    'ingress.maxBodySize %s: ours and nginx -t agree',
    size => {
      expect({ size, ours: nginxSizeProblem(size) === undefined }).toEqual({ size, ours: nginxTest(`client_max_body_size ${size};`) });
    },
  );

  test('the largest ingress.rateLimitPerMinute passes nginx -t as ingress-nginx writes it (rate, burst of 5 times), and its burst fits nginx\'s '
    + '64-bit milli-units', () => {
    const rpm = MAX_RATE_LIMIT_PER_MINUTE;
    expect(nginxTest(`limit_req_zone $binary_remote_addr zone=z:1m rate=${rpm}r/m;\nserver { listen 127.0.0.1:9; location / { limit_req zone=z `
      + `burst=${BigInt(rpm) * 5n} nodelay; } }`)).toBe(true);
    expect(BigInt(rpm) * 5n * 1000n <= 2n ** 63n - 1n).toBe(true);
    expect(BigInt(rpm + 1) * 5n * 1000n > 2n ** 63n - 1n).toBe(true);
  });
});

describeWithPrograms('what Prometheus takes', { promtool: findProgram('promtool') }, ({ promtool }) => {
  const rules = (expr: string, forDuration = '5m') => `groups:\n- name: g\n  rules:\n  - alert: A\n    expr: ${JSON.stringify(expr)}\n    for: `
    + `${forDuration}\n`;
  const check = (text: string) => accepts(promtool, ['check', 'rules', 'rules.yaml'], { 'rules.yaml': text });

  test.each([
    'job="grafana"',
    'job="grafana",namespace="monitoring"',
    'job=~"graf.*"',
    'job="a\\nb"',
    'job="a\nb"',
    'job="a\\qb"',
    'job="a\\\'b"',
    'job="\\x41\\101\\u00e9\\U0001F600"',
    'job="\\ud800"',
    'job="\\777"',
    'job="\\U00110000"',
    'job=~"a("',
    'job=~"[z-a]"',
    'job=~"(?=x)"',
    'job=~"x**"',
    'job=~"\\\\d+"',
    'job=~"\\\\C"',
    'job=~"(?i)graf"',
    'job=~"[[:alpha:]]+"',
    'job!~"a{2,1}"',
  ])('alerts.grafanaUpSelector %j: ours and promtool check rules agree', selector => {
    expect({ selector, ours: grafanaUpSelectorProblem(selector) === undefined }).toEqual({ selector, ours: check(rules(`up{${selector}} == 0`)) });
  });

  test.each([
    ['24h', true],
    ['0s', false],
    ['0h0m', false],
    ['0ms', false],
    ['1ms', true],
    ['99999999999999999999y', false],
    ['292y', true],
    ['293y', false],
    ['106751d', true],
    ['106752d', false],
  ] as const)('alerts.noBeaconFor %s: ours is %s, and promtool agrees where it has a verdict', (duration, ok) => {
    expect(prometheusDurationProblem(duration, true) === undefined).toBe(ok);
    // Prometheus takes a zero `for:` (it means "at once"), but a zero range in the expression is an error.
    expect(check(rules(`max_over_time(up[${duration}]) == 0`, '0s'))).toBe(ok);
  });
});
