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
