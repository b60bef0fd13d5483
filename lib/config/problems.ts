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
    const where = source ? ` in ${source}` : '';
    const lines = problems.map(p => `  - ${p.path ? `${p.path}: ` : ''}${p.message}`);
    super(`invalid configuration${where} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'ConfigError';
  }
}
