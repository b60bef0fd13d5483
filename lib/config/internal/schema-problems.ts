/** TypeBox's validation errors as the library's problems: one per offending path, saying what is allowed. */
import { TSchema } from '@sinclair/typebox';
import { ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { isPlainObjectSchema } from './schema-parts';
import { ConfigProblem, quote, toDottedPath, unescapePointer } from '../problems';

/** Turns TypeBox's errors into one readable problem per offending path. */
export function schemaProblems(schema: TSchema, value: unknown): ConfigProblem[] {
  const problems = new Map<string, ConfigProblem>();
  const add = (error: ValueError) => {
    const path = toDottedPath(error.path);
    // The first error at a path is the most specific one; later ones restate it.
    if (!problems.has(path)) problems.set(path, { path, message: describe(error) });
  };
  for (const error of Value.Errors(schema, value)) {
    // TypeBox stops at a map's first bad key: report every one.
    if (error.type === ValueErrorType.ObjectAdditionalProperties && !isPlainObjectSchema(error.schema)) {
      badMapKeys(error, value).forEach(add);
    } else {
      add(error);
    }
  }
  return [...problems.values()];
}

/** One error per key of the map holding `error`'s key that matches none of the map's key patterns. */
function badMapKeys(error: ValueError, root: unknown): ValueError[] {
  const parent = error.path.substring(0, error.path.lastIndexOf('/'));
  const map = parent.split('/').slice(1).map(unescapePointer)
    .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], root) as Record<string, unknown>;
  const patterns = Object.keys((error.schema.patternProperties ?? {}) as Record<string, unknown>).map(p => new RegExp(p));
  return Object.keys(map)
    .filter(key => !patterns.some(p => p.test(key)))
    .map(key => ({ ...error, path: `${parent}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, value: map[key] }));
}

function describe(error: ValueError): string {
  const got = `got ${quote(error.value)}`;
  const schema = error.schema as TSchema & { allowed?: string };
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `is required; allowed: ${allowedBy(schema, error)}`;
    case ValueErrorType.ObjectAdditionalProperties:
      // An object with declared keys gets a did-you-mean; a map (labels) says what its keys must look like.
      return isPlainObjectSchema(schema)
        ? `unknown key: ${unknownKeyHint(error)}`
        : `got key ${quote(lastSegment(error.path))}; allowed: ${allowedBy(schema, error)}`;
    case ValueErrorType.Union: {
      const options = (schema.anyOf as TSchema[] | undefined)?.map(s => JSON.stringify(s.const));
      return `${got}; allowed: one of ${options?.join(', ')}`;
    }
    default:
      return `${got}; allowed: ${allowedBy(schema, error)}`;
  }
}

/** What the schema allows, in words: our `allowed` keyword, else a phrase for its type. */
function allowedBy(schema: TSchema & { allowed?: string }, error: ValueError): string {
  if (schema.allowed) return schema.allowed;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.anyOf) return `one of ${(schema.anyOf as TSchema[]).map(s => JSON.stringify(s.const)).join(', ')}`;
  if (schema.type === 'boolean') return 'true or false';
  if (isPlainObjectSchema(schema)) return `a mapping with the keys ${Object.keys(schema.properties).join(', ')}`;
  return error.message.toLowerCase();
}


function lastSegment(pointer: string): string {
  const segments = pointer.split('/');
  return unescapePointer(segments[segments.length - 1] ?? '');
}

/** For an unknown key, names the nearest known key when it is a likely typo. */
function unknownKeyHint(error: ValueError): string {
  const key = lastSegment(error.path);
  const parent = parentSchema(error);
  const known = parent ? Object.keys(parent.properties) : [];
  // A key far longer than any known one is no typo of one (and its edit distance is costly).
  const near = key.length > 2 * Math.max(0, ...known.map(k => k.length)) ? undefined : known
    .map(k => ({ k, d: editDistance(k.toLowerCase(), key.toLowerCase()) }))
    .filter(({ k, d }) => d <= Math.max(1, Math.floor(k.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  const hint = near ? `; did you mean "${near.k}"?` : '';
  return `${quote(key)} is not allowed here${hint}${known.length ? ` (allowed keys: ${known.join(', ')})` : ''}`;
}

/** TypeBox reports an additional property against the object's schema. */
function parentSchema(error: ValueError) {
  return isPlainObjectSchema(error.schema) ? error.schema : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
