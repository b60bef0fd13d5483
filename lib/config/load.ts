/** Reading a config: the YAML file, its syntax errors with line and column, then resolution. */
import * as fs from 'fs';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './problems';
import { resolveConfigData } from './resolve';
import { ResolvedInstallation } from './schema';

/** Reads, validates and resolves a YAML config file. Throws ConfigError. */
export function loadConfigFile(file: string): ResolvedInstallation[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([{ path: '', message: `cannot read the config file: ${(e as Error).message}` }], file);
  }
  return resolveConfigData(parseConfigYaml(text, file), file);
}

/** Parses YAML, reporting syntax errors with line and column. Throws ConfigError. */
export function parseConfigYaml(text: string, source?: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map(e => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { path: '', message: `YAML syntax error at line ${pos.line}, column ${pos.col}: ${e.message.split('\n')[0]}` };
    }), source);
  }
  return doc.toJS();
}
