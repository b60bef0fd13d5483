/**
 * What Flux and Argo CD make of the `gitops` values the schema's patterns accept: both are Go
 * programs (Go >= 1.24) that parse `repoURL` with net/url and `interval` with time.ParseDuration,
 * and hand `revision` to git as a branch. Each rule is tested against the real parser (Go's, through
 * test/support/go-parsers, and `git check-ref-format --branch`); where a rule is stricter than the
 * parser, the table in test/hostile/gitops-parsers.test.ts says why (README "Limits").
 *
 * Pure data.
 */
import { isIPv6 } from 'net';
import { goDurationProblem, GoDurationLimits } from './go-duration';
import { ConfigProblem, quote } from '../problems';

const PERCENT_ESCAPES = /%(?![0-9A-Fa-f]{2})/;

/**
 * `repoURL` (the schema has checked its scheme and characters) as net/url parses it, stricter
 * where a URL that parses would still fail the controllers: one `@` at most, a host that is a
 * name or a bracketed IPv6 address of hex groups (Go >= 1.24 refuses any other bracketed host,
 * IPv4-mapped ones too; Go 1.19, which the tests run, does not), a port from 1 to 65535, and `%`
 * only in a valid escape (none in the host).
 */
export function repoUrlProblem(url: string): string | undefined {
  const afterScheme = url.substring(url.indexOf('://') + 3);
  const slash = afterScheme.indexOf('/');
  const authority = slash < 0 ? afterScheme : afterScheme.substring(0, slash);
  const rest = slash < 0 ? '' : afterScheme.substring(slash);
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : authority.substring(0, at);
  const hostPort = authority.substring(at + 1);
  if (userinfo !== undefined && (userinfo.includes('@') || userinfo.startsWith(':') || userinfo === '')) return 'its user part is not a user name '
    + 'with an optional :password';
  if (userinfo !== undefined && PERCENT_ESCAPES.test(userinfo)) return 'its user part has a % that is not an escape %XX';
  if (/[[\]]/.test(rest)) return 'its path has [ or ]';
  if (PERCENT_ESCAPES.test(rest)) return 'its path has a % that is not an escape %XX';
  const bracketed = /^\[([^\]]*)\](.*)$/.exec(hostPort);
  const host = bracketed ? bracketed[1] : hostPort.split(':')[0];
  const port = bracketed ? bracketed[2] : hostPort.substring(host.length);
  if (bracketed) {
    // Go >= 1.24 takes only an IPv6 address in brackets, no IPv4-mapped one; a zone means nothing to a Git server.
    if (!/^[0-9A-Fa-f:]+$/.test(host) || !isIPv6(host)) return `its host ${quote(`[${host}]`)} is bracketed but no IPv6 address of hex groups (Go `
      + `>= 1.24 refuses other bracketed hosts)`;
  } else if (!/^[A-Za-z0-9]([A-Za-z0-9._~-]*[A-Za-z0-9])?$/.test(host)) {
    return host === '' ? 'it has no host' : `its host ${quote(host)} is not a host name`;
  }
  if (port !== '' && !/^:[1-9][0-9]{0,4}$/.test(port)) return `its port ${quote(port)} is not a port`;
  if (port !== '' && Number(port.substring(1)) > 65535) return `its port ${quote(port)} is above 65535`;
  return undefined;
}

/** Flux's interval: at least 1ms (0 would never fetch again; Go reads a tinier one as 0), at most `MAX_GO_DURATION_NANOSECONDS`. */
const INTERVAL_LIMITS: GoDurationLimits = { min: { nanoseconds: 1000000n, text: '1ms (Flux would never fetch again)' } };

/**
 * `revision` (the schema has checked its characters) as `git check-ref-format --branch` reads a
 * branch name, and as Argo CD reads a targetRevision: 40 or 64 hex digits are a commit to it.
 */
export function branchProblem(branch: string): string | undefined {
  if (branch.includes('//')) return 'it has an empty component (//)';
  const components = branch.split('/');
  if (components.some(c => c.startsWith('.'))) return 'a component starts with \'.\'';
  if (components.some(c => c.endsWith('.lock'))) return 'a component ends with .lock';
  if (branch === 'HEAD') return 'HEAD is no branch name';
  if (/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(branch)) return 'Argo CD reads 40 or 64 hex digits as a commit, not a branch';
  return undefined;
}

/** A rule of one `gitops` key: what is wrong with a value, and what is allowed. */
interface GitopsRule {
  readonly key: 'repoURL' | 'interval' | 'revision';
  readonly problem: (v: string) => string | undefined;
  readonly allowed: string;
}

const GITOPS_RULES: readonly GitopsRule[] = [
  { key: 'repoURL', problem: repoUrlProblem, allowed: 'an http://, https:// or ssh:// URL Go\'s net/url parses, such as '
    + 'https://github.com/acme/fleet.git or ssh://git@[fd00::1]:22/acme/fleet.git' },
  { key: 'interval', problem: v => goDurationProblem(v, INTERVAL_LIMITS), allowed: 'a Go duration from 1ms to 2562047h, such as 5m or 1h30m' },
  { key: 'revision', problem: branchProblem, allowed: 'a branch name git accepts (git check-ref-format --branch), such as main or release/2026' },
];

/** The problems of a `gitops` block the schema accepted, before any default applies. */
export function gitopsValueProblems(gitops: { readonly repoURL: string; readonly interval?: string; readonly revision?: string }): ConfigProblem[] {
  return GITOPS_RULES.flatMap(({ key, problem, allowed }) => {
    const value = gitops[key];
    const why = value === undefined ? undefined : problem(value);
    return why === undefined ? [] : [{ path: `gitops.${key}`, message: `got ${quote(value)}: ${why}; allowed: ${allowed}` }];
  });
}
