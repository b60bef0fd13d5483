import * as fs from 'fs';
import * as path from 'path';
// ajv comes with @kubernetes-models/validate: an independent draft-07 validator for the generated file.
import Ajv from 'ajv';
import { TSchema } from '@sinclair/typebox';
import { parse } from 'yaml';
import { DEFAULTS, resolveAnalyticsConfig } from '../lib';
import { InstallationSchema } from '../lib/config/installation-schema';
import { isPlainObjectSchema } from '../lib/config/internal/schema-parts';
import {
  CONFIG_SCHEMA_FILE,
  configJsonSchema,
  configJsonSchemaText,
  referenceRows,
  REFERENCE_BEGIN,
  REFERENCE_END,
  withReference,
} from '../lib/config/json-schema';

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** Every leaf of DEFAULTS with its dotted path; a map (schema without properties) is one value. */
function defaultLeaves(node: object = DEFAULTS, schema: TSchema = InstallationSchema, prefix = ''): [string, unknown][] {
  return Object.entries(node).flatMap(([key, value]) => {
    const p = prefix ? `${prefix}.${key}` : key;
    const sub = (schema.properties ?? {})[key] as TSchema;
    return isPlainObjectSchema(sub) ? defaultLeaves(value, sub, p) : [[p, value] as [string, unknown]];
  });
}

/** Every `default` keyword in a JSON Schema object tree, by dotted property path. */
function schemaDefaults(schema: Record<string, any>, prefix = ''): [string, unknown][] {
  const own: [string, unknown][] = schema.default !== undefined ? [[prefix, schema.default]] : [];
  const props = Object.entries((schema.properties ?? {}) as Record<string, any>);
  return [...own, ...props.flatMap(([k, sub]) => schemaDefaults(sub, prefix ? `${prefix}.${k}` : k))];
}

function at(obj: unknown, dotted: string): unknown {
  return dotted.split('.').reduce((o: any, k) => (o === undefined ? undefined : o[k]), obj);
}

describe('config.schema.json', () => {
  test('the committed file is what the config schema generates (run `npm run schema` when this fails)', () => {
    expect(read(CONFIG_SCHEMA_FILE)).toEqual(configJsonSchemaText());
  });

  test('is a draft-07 schema a strict independent validator accepts, without our private keywords', () => {
    // GIVEN
    const ajv = new Ajv({ strict: true, allErrors: true });
    // WHEN
    const validate = ajv.compile(JSON.parse(read(CONFIG_SCHEMA_FILE)));
    // THEN the example config is valid, and bad input is rejected at the right place
    expect(validate(parse(read('config/installations.yaml')))).toBe(true);
    expect(validate({ installations: [{ name: 'a', grafana: { host: 'https://x.example.com' } }] })).toBe(false);
    expect(validate.errors?.map(e => e.instancePath)).toContain('/installations/0/grafana/host');
    expect(read(CONFIG_SCHEMA_FILE)).not.toContain('"allowed"');
  });

  test('the example config points editors at the schema, and the package ships it', () => {
    const firstLine = read('config/installations.yaml').split('\n')[0];
    expect(firstLine).toBe('# yaml-language-server: $schema=../config.schema.json');
    expect(fs.existsSync(path.join(root, 'config', '../config.schema.json'))).toBe(true);
    expect(JSON.parse(read('package.json')).files).toContain(CONFIG_SCHEMA_FILE);
  });

  test('every value in DEFAULTS is the default of the same path, in `defaults` and in each installation', () => {
    const schema = configJsonSchema() as any;
    const sections = {
      defaults: Object.fromEntries(schemaDefaults(schema.properties.defaults)),
      installation: Object.fromEntries(schemaDefaults(schema.properties.installations.items)),
    };
    const leaves = defaultLeaves();
    expect(leaves.length).toBeGreaterThan(20);
    for (const section of Object.values(sections)) {
      // the same set of paths both ways: no default the code applies is missing from the schema, none is invented
      expect(Object.keys(section).sort()).toEqual(leaves.map(([p]) => p).sort());
      for (const [p, value] of leaves) expect({ [p]: section[p] }).toEqual({ [p]: value });
    }
  });
});

describe('README config reference', () => {
  test('is the table the schema generates (run `npm run schema` when this fails)', () => {
    const readme = read('README.md');
    expect(readme).toContain(REFERENCE_BEGIN);
    expect(readme).toContain(REFERENCE_END);
    expect(readme).toEqual(withReference(readme));
  });

  test('lists every key an installation accepts', () => {
    const keys = referenceRows().map(r => r.key);
    expect(keys).toEqual(expect.arrayContaining(['name', 'grafana.host', 'grafana.service.port', 'auth.mode', 'server.nodeSelector']));
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('every default it shows is the value resolveConfig applies to an installation that sets nothing', () => {
    // GIVEN the smallest valid config, with the smallest gitops block
    const config = resolveAnalyticsConfig({
      gitops: { repoURL: 'https://git.example.com/fleet.git', path: 'dist' },
      installations: [{ name: 'minimal', cluster: 'c1', grafana: { host: 'grafana.example.com' } }],
    });
    const resolved = { ...config.installations[0], gitops: config.gitops };
    // THEN every documented default is what the code applied
    const documented = referenceRows().filter(r => r.default !== undefined);
    expect(documented.length).toBeGreaterThan(20);
    for (const row of documented) {
      expect({ [row.key]: at(resolved, row.key) }).toEqual({ [row.key]: JSON.parse(row.default!) });
    }
  });

  test('fails when the README has no markers', () => {
    expect(() => withReference('# no reference here\n')).toThrow(/lacks the config reference markers/);
  });
});
