/**
 * Go durations as time.ParseDuration reads them: the form of every Kubernetes `metav1.Duration`
 * (a Flux `interval`, a Grafana Operator `resyncPeriod`, ...). One rule for every such setting,
 * each with its own bounds. Tested against Go itself (test/hostile/gitops-parsers.test.ts).
 *
 * Pure data.
 */

/** Nanoseconds per unit, Go's units (time/format.go unitMap): `µs` as U+00B5 and U+03BC. */
const UNIT_NANOSECONDS: Readonly<Record<string, bigint>> = {
  ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n,
};

/** Go's grammar: an optional sign, then numbers with units, or a lone 0. */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;

/**
 * The longest duration accepted by default: 2562047h. Go's Duration ends at 2562047h47m16.854775807s
 * (2^63-1 ns); stopping at whole hours keeps far from where Go's floating-point handling of
 * fractions could round a sum over it.
 */
export const MAX_GO_DURATION_NANOSECONDS = 2562047n * UNIT_NANOSECONDS.h;

/** A bound of a Go duration, and how to say it (`1ms`). */
export interface GoDurationBound {
  readonly nanoseconds: bigint;
  readonly text: string;
}

export interface GoDurationLimits {
  /**
   * The shortest duration allowed. Go truncates each fraction to whole nanoseconds
   * ("0.0000000001ms" is 0): a minimum of a whole unit is safe from it.
   * @default - none (0 and negative durations pass)
   */
  readonly min?: GoDurationBound;
  /** @default 2562047h (`MAX_GO_DURATION_NANOSECONDS`) */
  readonly max?: GoDurationBound;
}

/**
 * What is wrong with `duration` as a Go duration within `limits`, as a clause (`it is longer
 * than 2562047h ...`), or undefined. The value is summed exactly (each number as a fraction).
 */
export function goDurationProblem(duration: string, limits: GoDurationLimits = {}): string | undefined {
  if (!GO_DURATION.test(duration)) return 'it is not a Go duration (numbers with ns, us, ms, s, m or h)';
  // total / scale nanoseconds, exactly.
  let total = 0n;
  let scale = 1n;
  for (const [, whole, fraction = '', unit] of duration.matchAll(/(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/g)) {
    const digits = 10n ** BigInt(fraction.length);
    const value = (BigInt(whole || '0') * digits + BigInt(fraction || '0')) * UNIT_NANOSECONDS[unit];
    [total, scale] = [total * digits + value * scale, scale * digits];
  }
  if (duration.startsWith('-')) total = -total;
  const max = limits.max ?? { nanoseconds: MAX_GO_DURATION_NANOSECONDS, text: '2562047h' };
  if (total > max.nanoseconds * scale || -total > max.nanoseconds * scale) {
    return `it is longer than ${max.text} (Go's time.Duration holds about 292 years)`;
  }
  if (limits.min && total < limits.min.nanoseconds * scale) return `it is shorter than ${limits.min.text}`;
  return undefined;
}
