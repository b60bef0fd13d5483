import { ConfigProblem } from './problems';

// A UTF-16 surrogate not in a high-low pair: no Unicode character, so UTF-8 (and YAML) cannot carry it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Every string under `value` holding a lone surrogate (a `"\ud800"` escape in YAML or JSON), at its
 * path from `path`. Written out it would become U+FFFD, or an escape go-yaml refuses.
 */
export function loneSurrogateProblems(value: unknown, path: string): ConfigProblem[] {
  if (typeof value === 'string') {
    return LONE_SURROGATE.test(value)
      ? [{ path, message: `got ${JSON.stringify(value)}; allowed: text without a lone surrogate (\\ud800-\\udfff outside a pair), which no output `
        + `can carry` }]
      : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) =>
    loneSurrogateProblems(v, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key));
}
