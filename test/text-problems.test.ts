import { loneSurrogateProblems } from '../lib/config/text-problems';
import { resolveConfig } from '../lib';

describe('loneSurrogateProblems', () => {
  test('names every string with a lone surrogate, at its path', () => {
    const value = { a: ['ok', 'x\ud800', { b: '\udfffy' }], c: 'high\udbff', d: 1 };
    expect(loneSurrogateProblems(value, '').map(p => p.path)).toEqual(['a[1]', 'a[2].b', 'c']);
  });

  test('accepts surrogate pairs (astral characters) and text without surrogates', () => {
    expect(loneSurrogateProblems({ emoji: '\u{1f600}', plane16: '\u{10ffff}', plain: 'yes', nel: '\u0085' }, 'x')).toEqual([]);
  });

  test('is a config error naming the path and the value', () => {
    const config = { installations: [{ name: 'a', grafana: { host: 'a.example.com' }, alerts: { grafanaUpSelector: 'job="\ud800"' } }] };
    expect(() => resolveConfig(config)).toThrow('installations[0].alerts.grafanaUpSelector: got "job=\\"\\ud800\\""; allowed: text without a lone '
      + 'surrogate');
  });
});
