/**
 * `npm run schema`: writes config.schema.json and the README's config reference from the config
 * schema. test/config-schema.test.ts fails when either is out of date.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText, withReference } from '../lib/config/json-schema';

const root = path.join(__dirname, '..');
fs.writeFileSync(path.join(root, CONFIG_SCHEMA_FILE), configJsonSchemaText());
const readme = path.join(root, 'README.md');
fs.writeFileSync(readme, withReference(fs.readFileSync(readme, 'utf8')));
console.error(`wrote ${CONFIG_SCHEMA_FILE} and the config reference in README.md`);
