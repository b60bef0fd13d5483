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

export function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `/installations/2/grafana/host` -> `installations[2].grafana.host`. */
export function toDottedPath(pointer: string): string {
  return pointer.split('/').slice(1).map(unescapePointer).reduce((acc, seg) => {
    if (/^\d+$/.test(seg)) return `${acc}[${seg}]`;
    if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) return acc ? `${acc}.${seg}` : seg;
    return `${acc}[${JSON.stringify(seg)}]`;
  }, '');
}
