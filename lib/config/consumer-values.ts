/**
 * Values the schema's patterns accept but a consumer (nginx, Prometheus, Helm) would refuse or
 * misread: checked here against that consumer's own rules, so the error is ours, at synth time.
 * Each rule is tested against the real program (test/hostile/consumers.test.ts).
 */
import { RE2JS } from 're2js';
import { bounded } from './problems';

const INT64_MAX = 2n ** 63n - 1n;

/**
 * nginx sizes (`client_max_body_size`, from ingress-nginx's `proxy-body-size`): digits and an
 * optional k or m, at most the largest `off_t` in bytes (nginx's ngx_parse_offset).
 */
export function nginxSizeProblem(size: string): string | undefined {
  const match = /^([0-9]+)([kKmMgG]?)$/.exec(size);
  if (!match) return 'not an nginx size';
  const scale = { '': 1n, k: 1024n, m: 1024n ** 2n, g: 1024n ** 3n }[match[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  const max = INT64_MAX / scale;
  return BigInt(match[1]) > max ? `more than nginx takes (at most ${max}${match[2]}, 2^63-1 bytes)` : undefined;
}

const DURATION_UNITS_MS: Record<string, bigint> = {
  y: 365n * 24n * 3600n * 1000n, w: 7n * 24n * 3600n * 1000n, d: 24n * 3600n * 1000n, h: 3600n * 1000n, m: 60n * 1000n, s: 1000n, ms: 1n,
};

/** Milliseconds of a Prometheus duration whose form is checked (PROMETHEUS_DURATION). */
export function prometheusDurationMs(duration: string): bigint {
  let ms = 0n;
  for (const [, n, unit] of duration.matchAll(/([0-9]+)(ms|[ywdhms])/g)) ms += BigInt(n) * DURATION_UNITS_MS[unit];
  return ms;
}

/**
 * A Prometheus duration (the schema has checked its form) as Prometheus reads it: non-zero when
 * `nonZero`, and within Go's time.Duration (int64 nanoseconds, about 292 years).
 */
export function prometheusDurationProblem(duration: string, nonZero: boolean): string | undefined {
  const ms = prometheusDurationMs(duration);
  if (ms * 1000000n > INT64_MAX) return 'longer than Prometheus takes (at most 2^63-1 nanoseconds, about 292 years)';
  if (nonZero && ms === 0n) return 'zero';
  return undefined;
}

/** One matcher of a selector the schema has accepted: `name op "value"`. */
const MATCHER = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=|!=|=~|!~)\s*"((?:[^"\\]|\\.)*)"/g;

/**
 * PromQL label matchers as Prometheus' lexer and RE2 read them: a string holds no line break and
 * only Go's escapes (`\n`, `\"`, `\\`, `\x41`, `\u00e9`, ... but not `\'` or `\d`); the value of
 * `=~` and `!~` is an RE2 regex.
 */
export function grafanaUpSelectorProblem(selector: string): string | undefined {
  for (const [, name, op, body] of selector.matchAll(MATCHER)) {
    const value = decodePromString(body);
    if (typeof value !== 'string') return `the value of ${name} ${value.problem}`;
    if (op === '=~' || op === '!~') {
      try {
        RE2JS.compile(value);
      } catch (e) {
        return `the regex of ${name} is not RE2 (${bounded((e as Error).message)})`;
      }
    }
  }
  return undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
const NUMERIC_ESCAPES: Record<string, { digits: number; base: number; max: number }> = {
  x: { digits: 2, base: 16, max: 0xff }, u: { digits: 4, base: 16, max: 0x10ffff }, U: { digits: 8, base: 16, max: 0x10ffff },
};

/** The body of a double-quoted PromQL string, decoded as Prometheus' lexer does (promql/parser/lex.go lexEscape). */
function decodePromString(body: string): string | { problem: string } {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\n') return { problem: 'holds a line break; allowed: none (write \\n)' };
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    const octal = /^[0-7]/.test(e);
    const spec = octal ? { digits: 3, base: 8, max: 0xff } : NUMERIC_ESCAPES[e];
    const digits = spec ? body.substring(octal ? i : i + 1, (octal ? i : i + 1) + spec.digits) : '';
    const valid = spec && digits.length === spec.digits && new RegExp(`^[${spec.base === 8 ? '0-7' : '0-9a-fA-F'}]+$`).test(digits);
    const code = valid ? parseInt(digits, spec.base) : NaN;
    if (!valid || code > spec.max || (code >= 0xd800 && code < 0xe000)) {
      return { problem: `has the escape "\\${bounded(e + digits)}" Prometheus refuses; allowed: \\a \\b \\f \\n \\r \\t \\v \\\\ \\" and \\NNN `
        + `(octal), \\xHH, \\uHHHH, \\UHHHHHHHH` };
    }
    i += octal ? spec.digits - 1 : spec.digits;
    // \x and octal escapes are bytes in Go; a byte above 0x7f alone is not UTF-8, which RE2 still reads.
    out += String.fromCodePoint(code);
  }
  return out;
}

/**
 * Label keys the library or Helm sets on every object: a user label with one of these keys
 * would replace a selector or recommended label, or fail the Helm chart's own values schema.
 */
export const OWNED_LABEL_KEYS: readonly string[] = [
  'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/component',
  'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by', 'helm.sh/chart', 'grafana-analytics/installation',
];

/** The keys of `labels` that the library or Helm own (see `OWNED_LABEL_KEYS`). */
export function ownedLabelKeys(labels: Record<string, string>): string[] {
  return Object.keys(labels).filter(k => OWNED_LABEL_KEYS.includes(k) || k.startsWith('helm.sh/'));
}
