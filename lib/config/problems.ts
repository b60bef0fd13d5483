/** What is wrong with a config: every problem found, each with the path it is at. */

/** One thing wrong with the config: where, and what. */
export interface ConfigProblem {
  /** Path in the config, e.g. `installations[2].grafana.host`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

/** The config is invalid; `problems` lists every problem found, not only the first. */
export class ConfigError extends Error {
  constructor(public readonly problems: ConfigProblem[], source?: string) {
    super(`invalid configuration${source ? ` in ${source}` : ''} ${problemList(problems)}`);
    this.name = 'ConfigError';
  }
}

/** `(2 problems):` and one line per problem, `  - path: message`: the body of every validation error. */
export function problemList(problems: readonly ConfigProblem[]): string {
  const lines = problems.map(p => `  - ${p.path ? `${p.path}: ` : ''}${p.message}`);
  return `(${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/** Longest piece of user input a message echoes: a 50 MB value must not become a 50 MB message. */
export const MAX_ECHO_CHARS = 200;

/** `text`, cut to `MAX_ECHO_CHARS` with a note of how much was left out. */
export function bounded(text: string): string {
  if (text.length <= MAX_ECHO_CHARS) return text;
  // Never cut a surrogate pair in two: the message must stay valid UTF-16.
  const end = /[\ud800-\udbff]/.test(text[MAX_ECHO_CHARS - 1]) ? MAX_ECHO_CHARS - 1 : MAX_ECHO_CHARS;
  return `${text.substring(0, end)}…(${text.length - end} more)`;
}

/** A received value as the user wrote it, bounded; JSON.stringify would turn .inf into null. */
export function quote(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return JSON.stringify(bounded(value));
  // JSON.stringify gives undefined only for undefined, functions and symbols: String() says what they are.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- never an object here (see above)
  return bounded(JSON.stringify(value) ?? String(value));
}

export function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `/installations/2/grafana/host` -> `installations[2].grafana.host`. */
export function toDottedPath(pointer: string): string {
  return pointer.split('/').slice(1).map(unescapePointer).reduce((acc, seg) => {
    if (/^\d+$/.test(seg)) return `${acc}[${seg}]`;
    if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg) && seg.length <= MAX_ECHO_CHARS) return acc ? `${acc}.${seg}` : seg;
    return `${acc}[${quote(seg)}]`;
  }, '');
}
