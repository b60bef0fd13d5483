/**
 * Reading a config: the YAML file, its syntax errors with line and column, the dashboard files it
 * lists, then resolution (lib/config/resolve.ts, which reads no file).
 */
import * as path from 'path';
import { LineCounter, parseDocument } from 'yaml';
import { readDashboardFiles } from './internal/dashboard-files';
import { readInputFile, yamlFlowNestingBound } from './internal/input-file';
import { ConfigError, bounded } from '../config/problems';
import { resolveConfigData, ResolvedConfig } from '../config/resolve';
import { AnalyticsConfig, ResolvedInstallation } from '../config/schema';

/**
 * Validates a config written in code, reads the dashboard files it lists (relative to the folder
 * of `source`, else the working directory) and applies every default. Throws ConfigError.
 */
export function resolveConfig(config: AnalyticsConfig, source?: string): ResolvedInstallation[] {
  return resolveAnalyticsConfig(config, source).installations;
}

/**
 * `resolveConfig`, with the `gitops` block, for data of any shape, such as parsed YAML: its shape
 * is checked with the rest. Throws ConfigError.
 */
export function resolveAnalyticsConfig(input: unknown, source?: string): ResolvedConfig {
  return resolveConfigData(input, readDashboardFiles(input, source ? path.dirname(path.resolve(source)) : process.cwd()), source);
}

/**
 * Largest config file read: 16 MiB, some 60,000 installations of the bench's kind (3,000 take
 * 0.8 MB). It also bounds block nesting, which needs one more indentation per level.
 */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Deepest nesting of flow collections (`[`, `{`) in a config; a real one nests fewer than 10. */
export const MAX_CONFIG_NESTING = 100;

/**
 * How far YAML aliases may expand: each use of an anchor costs the number of aliases inside it
 * (at least 1), and the uses together may cost this much. One anchor reused by 10,000
 * installations passes; an alias bomb (aliases of aliases, growing exponentially) stops here
 * after a bounded amount of work. The yaml package's default, 100, refused legitimate reuse.
 */
export const MAX_YAML_ALIAS_COUNT = 10000;

/** YAML syntax errors reported: past the first few, the rest follow from them (a 100,000-line mistake is one). */
export const MAX_YAML_ERRORS = 20;

/** Reads, validates and resolves a YAML config file. Throws ConfigError. */
export function loadConfigFile(file: string): ResolvedInstallation[] {
  return loadAnalyticsConfig(file).installations;
}

/** `loadConfigFile`, with the `gitops` block. Throws ConfigError. */
export function loadAnalyticsConfig(file: string): ResolvedConfig {
  return resolveAnalyticsConfig(readConfigFile(file), file);
}

/** Reads and parses a YAML config file, unvalidated (the config as written). Throws ConfigError. */
export function readConfigFile(file: string): unknown {
  const read = readInputFile(file, MAX_CONFIG_BYTES);
  if ('problem' in read) throw new ConfigError([{ path: '', message: `the config file ${bounded(file)} ${read.problem}` }], file);
  return parseConfigYaml(read.text, file);
}

/** Parses YAML, reporting syntax errors with line and column. Throws ConfigError. */
export function parseConfigYaml(text: string, source?: string): unknown {
  const fail = (message: string) => new ConfigError([{ path: '', message }], source);
  if (yamlFlowNestingBound(text) > MAX_CONFIG_NESTING) {
    throw fail(`nests '[' and '{' more than ${MAX_CONFIG_NESTING} levels deep; allowed: at most ${MAX_CONFIG_NESTING}`);
  }
  const lineCounter = new LineCounter();
  try {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
    if (doc.errors.length > 0) {
      const problems = doc.errors.slice(0, MAX_YAML_ERRORS).map(e => {
        const pos = lineCounter.linePos(e.pos[0]);
        // The parser recurses per nesting level, and reports its own stack overflow as an error.
        const message = /call stack/i.test(e.message) ? 'nests too deeply for the YAML parser' : bounded(e.message.split('\n')[0]);
        return { path: '', message: `YAML syntax error at line ${pos.line}, column ${pos.col}: ${message}` };
      });
      if (doc.errors.length > MAX_YAML_ERRORS) problems.push({ path: '', message: `${doc.errors.length - MAX_YAML_ERRORS} more YAML syntax errors `
        + `after these` });
      throw new ConfigError(problems, source);
    }
    // The yaml package counts the anchor itself as one use.
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT + 1 });
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    // The yaml package resolves aliases in toJS, and says what is wrong with one by a ReferenceError.
    if (e instanceof ReferenceError) {
      throw fail(/alias count/i.test(e.message)
        ? (`YAML aliases expand too far (an alias bomb?); allowed: anchors used at most ${MAX_YAML_ALIAS_COUNT} times in all, each use counting the `
          + `aliases inside the anchor`)
        : `YAML alias error: ${bounded(e.message)}`);
    }
    // The yaml package recurses per nesting level; a stack overflow is this file's nesting.
    if (e instanceof RangeError) throw fail('nests too deeply for the YAML parser; allowed: a config nested as deep as the schema');
    throw e;
  }
}
