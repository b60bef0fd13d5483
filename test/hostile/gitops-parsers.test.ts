/**
 * The `gitops` values as the consumers' own parsers read them (issue 22): Flux and Argo CD parse
 * `repoURL` with Go's net/url and decode `interval` with time.ParseDuration (metav1.Duration), and
 * git reads `revision` as a branch. Each table row is a value, our verdict through the whole config
 * (schema and rules) and the parser's: every value synth accepts the parser accepts; every value
 * synth refuses the parser refuses too, or a documented stricter rule (README "Limits") refuses it.
 * Go here is Debian's (1.19); Flux and Argo CD are built with Go >= 1.24, whose stricter rules
 * (bracketed hosts) the rows marked `go1.24` state.
 */
import { execFileSync } from 'child_process';
import { ConfigError, resolveAnalyticsConfig } from '../../lib';
import { goDurationProblem } from '../../lib/config/internal/go-duration';
import { describeWithPrograms, findProgram } from '../support/e2e/tools';
import { goParse, goProgram, GoParser } from '../support/go-parsers';

/** `accepted`: synth and the parser accept; `refused`: both refuse; otherwise the stricter rule that refuses what the parser takes. */
type Verdict = 'accepted' | 'refused' | { readonly stricter: string };

/** The problem synth reports at `gitops.<key>` for the value, if any. */
function synthProblem(key: 'repoURL' | 'interval' | 'revision', value: string): string | undefined {
  const gitops = { repoURL: 'https://github.com/acme/fleet.git', path: 'deploy', [key]: value };
  try {
    resolveAnalyticsConfig({ gitops, installations: [{ name: 'a', cluster: 'c', grafana: { host: 'a.example.com' } }] });
    return undefined;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const problems = e.problems.filter(p => p.path === `gitops.${key}`);
    expect(e.problems).toEqual(problems);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/^got .*; allowed: .+/);
    return problems[0].message;
  }
}

const ONE_AT = { stricter: 'one @ at most (net/url takes the last as the end of the user part)' };
const PORT = { stricter: 'a port from 1 to 65535 (net/url takes any digits, or none)' };
const GO124_BRACKETS = { stricter: 'go1.24: only an IPv6 address of hex groups in brackets (Go >= 1.24 refuses [name] and IPv4-mapped addresses; '
  + 'Go 1.19 takes them)' };

const REPO_URLS: readonly [string, Verdict][] = [
  ['https://github.com/acme/fleet.git', 'accepted'],
  ['http://git.example.com/fleet', 'accepted'],
  ['ssh://git@github.com/acme/fleet.git', 'accepted'],
  ['ssh://git@git.example.com:2222/acme/fleet.git', 'accepted'],
  ['https://user:token@git.example.com/fleet.git', 'accepted'],
  ['https://git.example.com/a%20b/fleet.git', 'accepted'],
  ['https://git.example.com', 'accepted'],
  ['https://git.example.com/', 'accepted'],
  ['https://[fd00::1]/fleet.git', 'accepted'],
  ['ssh://git@[fd00::1]:22/fleet.git', 'accepted'],
  ['https://[::1]:8443/a/b', 'accepted'],
  ['https://git.example.com/%zz/fleet.git', 'refused'],
  ['https://git.example.com/fleet%2', 'refused'],
  ['https://git%41.example.com/fleet', 'refused'],
  ['https://git.example.com:abc/fleet', 'refused'],
  ['https://git.example.com:22:33/fleet', PORT],
  ['https://us%er@git.example.com/fleet', 'refused'],
  ['https://[fd00::1/fleet', 'refused'],
  ['git@github.com:acme/fleet.git', 'refused'],
  ['https://git.example.com/fleet git', { stricter: 'no space (the schema\'s pattern; net/url takes one in a path)' }],
  ['https://a@b@git.example.com/fleet', ONE_AT],
  ['https://@git.example.com/fleet', { stricter: 'a user name before @ (an empty one means nothing)' }],
  ['https://@/fleet', { stricter: 'a host (net/url takes an empty one)' }],
  ['https://git.example.com:/fleet', PORT],
  ['https://git.example.com:0/fleet', PORT],
  ['https://git.example.com:99999/fleet', PORT],
  ['https://-git.example.com/fleet', { stricter: 'a host name that starts and ends with a letter or digit' }],
  ['https://[git.example.com]/fleet', GO124_BRACKETS],
  ['https://[::ffff:10.0.0.1]/fleet', GO124_BRACKETS],
  ['https://[fd00::1::2]/fleet', GO124_BRACKETS],
  ['https://[fd00::1]x/fleet', 'refused'],
  ['https://[fd00::1]]/fleet', { stricter: 'brackets only around the host (Go 1.19 reads "]" as a port of nothing)' }],
];

const INTERVALS: readonly [string, Verdict][] = [
  ['5m', 'accepted'],
  ['1h30m', 'accepted'],
  ['1.5h', 'accepted'],
  ['10s500ms', 'accepted'],
  ['1ms', 'accepted'],
  ['0.001s', 'accepted'],
  ['2562047h', 'accepted'],
  ['2562046h59m60s', 'accepted'],
  ['2562047h47m16.854775807s', { stricter: 'at most 2562047h (the last 47m16.854775807s of a Duration are left as a margin)' }],
  ['2562047h47m16.854775808s', 'refused'],
  ['2562048h', 'refused'],
  ['99999999999999999999h', 'refused'],
  ['9223372036854775807ms', 'refused'],
  ['0s', { stricter: 'at least 1ms (Flux would never fetch again)' }],
  ['0h0m0s', { stricter: 'at least 1ms' }],
  ['0.0000000001ms', { stricter: 'at least 1ms (Go reads it as 0)' }],
  ['0.5ms', { stricter: 'at least 1ms' }],
  ['5 minutes', 'refused'],
  ['5d', 'refused'],
  ['-5m', { stricter: 'at least 1ms: no sign (the schema\'s pattern)' }],
  ['5', 'refused'],
  ['', 'refused'],
  ['.5m', { stricter: 'a digit before the point (the schema\'s pattern, as the Flux CRDs\' own pattern)' }],
  ['5m ', 'refused'],
  ['1e3s', 'refused'],
  ['0x10s', 'refused'],
];

/** What synth and the consumer (`go` or `git`) must say for a verdict. */
function expectedOf(verdict: Verdict, consumer: 'go' | 'git'): Record<string, boolean> {
  if (verdict === 'accepted') return { synth: true, [consumer]: true };
  return { synth: false, [consumer]: verdict !== 'refused' };
}

/** Both answers for a table: ours through the whole config, the parser's on the same values. */
function agreement(key: 'repoURL' | 'interval', parser: GoParser, rows: readonly [string, Verdict][], go: string) {
  const answers = goParse(go, parser, rows.map(([value]) => value));
  return rows.map(([value, verdict], i) => ({
    value,
    synth: synthProblem(key, value) === undefined,
    go: answers[i].ok,
    verdict,
  }));
}

describeWithPrograms('gitops values as Go reads them', { go: goProgram() }, ({ go }) => {
  test.each([['repoURL', 'url', REPO_URLS], ['interval', 'duration', INTERVALS]] as const)(
    'gitops.%s: synth accepts only what Go\'s net/url or time.ParseDuration (%s) accepts, and refuses the rest or states the stricter rule',
    (key, parser, rows) => {
      const rowsSeen = agreement(key, parser, rows, go);
      expect(rowsSeen.map(({ value, synth, go: goOk }) => ({ value, synth, go: goOk }))).toEqual(rowsSeen.map(({ value, verdict }) => ({ value,
        ...expectedOf(verdict, 'go') })));
    },
  );

  test('goDurationProblem without limits (every metav1.Duration setting shares it): Go\'s whole grammar, and Go\'s verdict but for the stated '
    + 'margin', () => {
    const rows: readonly [string, Verdict][] = [
      ['1ns', 'accepted'], ['1us', 'accepted'], ['1\u00b5s', 'accepted'], ['1\u03bcs', 'accepted'], ['1.5ms', 'accepted'], ['.5h',
        'accepted'], ['1.h', 'accepted'],
      ['0', 'accepted'], ['-5m', 'accepted'], ['+5m', 'accepted'], ['-0', 'accepted'], ['1h2m3s4ms5us6ns', 'accepted'], ['-2562047h', 'accepted'],
      ['2562047h0.000001ns', { stricter: 'at most 2562047h' }], ['2562047h47m16.854775807s', { stricter: 'at most 2562047h' }],
      ['2562047h47m16.854775808s', 'refused'], ['', 'refused'], ['1', 'refused'], ['1d', 'refused'], ['.h', 'refused'], ['1 '
        + 'h', 'refused'], ['1H', 'refused'],
      ['--1s', 'refused'], ['1e3s', 'refused'], ['\u00b5s', 'refused'],
    ];
    const answers = goParse(go, 'duration', rows.map(([v]) => v));
    expect(rows.map(([value], i) => ({ value, synth: goDurationProblem(value) === undefined, go: answers[i].ok })))
      .toEqual(rows.map(([value, verdict]) => ({ value, ...expectedOf(verdict, 'go') })));
  });

  test('a duration synth accepts is the one Go reads, to the nanosecond', () => {
    const accepted = INTERVALS.filter(([, v]) => v === 'accepted').map(([value]) => value);
    expect(goParse(go, 'duration', accepted).map(a => a.parsed)).toEqual(
      ['300000000000', '5400000000000', '5400000000000', '10500000000', '1000000', '1000000', '9223369200000000000', '9223369200000000000'],
    );
  });
});

const BRANCHES: readonly [string, Verdict][] = [
  ['main', 'accepted'],
  ['release/2026', 'accepted'],
  ['feature/a-b_c.d', 'accepted'],
  ['a/-x', 'accepted'],
  ['feature/HEAD', 'accepted'],
  ['v1.2.3', 'accepted'],
  ['a//b', 'refused'],
  ['a/.b', 'refused'],
  ['.hidden', 'refused'],
  ['a.lock', 'refused'],
  ['a/b.lock', 'refused'],
  ['a/b.lock/c', 'refused'],
  ['HEAD', 'refused'],
  ['-x', 'refused'],
  ['a..b', 'refused'],
  ['a/', 'refused'],
  ['a.', 'refused'],
  ['a b', 'refused'],
  ['a@{1}', 'refused'],
  ['a~1', 'refused'],
  ['a:b', 'refused'],
  ['a\\b', 'refused'],
  ['0123456789abcdef0123456789abcdef01234567', { stricter: 'not 40 or 64 hex digits (Argo CD reads them as a commit, util/git IsCommitSHA)' }],
  [`${'ab'.repeat(32)}`, { stricter: 'not 40 or 64 hex digits' }],
  ['x@y', { stricter: 'letters, digits, \'.\', \'_\', \'-\' and \'/\' only (the schema\'s pattern)' }],
  ['@', { stricter: 'letters, digits, \'.\', \'_\', \'-\' and \'/\' only' }],
  ['a+b', { stricter: 'letters, digits, \'.\', \'_\', \'-\' and \'/\' only' }],
];

describeWithPrograms('gitops.revision as git reads a branch', { git: findProgram('git') }, ({ git }) => {
  const gitAccepts = (branch: string) => {
    try {
      execFileSync(git, ['check-ref-format', '--branch', branch], { stdio: 'pipe' });
      return true;
    } catch {
      return false;
    }
  };

  test.each(BRANCHES.map(([value, verdict]) => [value, verdict] as const))('%j: synth and `git check-ref-format --branch` agree, or a stricter '
    + 'rule says why', (value, verdict) => {
    expect({ synth: synthProblem('revision', value) === undefined, git: gitAccepts(value) }).toEqual(expectedOf(verdict, 'git'));
  });
});
