/**
 * Validates synthesized objects against the Kubernetes and prometheus-operator schemas, strictly:
 * kubernetes-models' `validate()` checks types and required fields but accepts unknown fields, so
 * every field is also looked up in a schema that lists them (kubeconform's -strict). Custom kinds
 * without a kubernetes-models class (Argo CD, Flux, Traefik, Gateway API) are checked against their CRD's
 * openAPIV3Schema with ajv (types, required fields, enums, patterns, bounds). CEL rules
 * (`x-kubernetes-validations`) are not checked here: `applicableCelRules` lists those on an
 * object's values, and cel-rules.ts checks them.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as clientNode from '@kubernetes/client-node';
import Ajv, { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { sharedPath } from './shared';

/** An object as synthesized: plain JSON. */
export type Manifest = { apiVersion: string; kind: string; metadata?: { name?: string } } & Record<string, unknown>;

interface AttributeType { readonly baseName: string; readonly type: string }
type ModelClass = { getAttributeTypeMap(): AttributeType[] };
interface ValidatingModel { validate(): void }
type ModelConstructor = new (data: unknown) => ValidatingModel;

/** CRD schemas of the custom kinds we emit: the upstream CRDs in ../shared/crds (`imports/` is generated from them). */
const CRD_DIR = sharedPath('crds');

interface OpenApiSchema {
  readonly type?: string;
  readonly properties?: Record<string, OpenApiSchema>;
  readonly additionalProperties?: boolean | OpenApiSchema;
  readonly items?: OpenApiSchema;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-validations'?: readonly { readonly rule: string; readonly message?: string }[];
}

const crdSchemas = new Map<string, OpenApiSchema>();
for (const file of fs.readdirSync(CRD_DIR).filter(f => f.endsWith('.yaml'))) {
  const crd = parse(fs.readFileSync(path.join(CRD_DIR, file), 'utf8'));
  for (const version of crd.spec.versions) {
    crdSchemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, version.schema.openAPIV3Schema);
  }
}

// OpenAPI's formats (int32, date-time) and x-kubernetes-* keywords are not JSON Schema: ajv skips them.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const crdValidators = new Map<string, ValidateFunction>();

/** Type, required, enum and pattern problems of an object under its CRD's schema. */
function crdSchemaProblems(obj: Manifest, schema: OpenApiSchema): string[] {
  const key = `${obj.apiVersion}/${obj.kind}`;
  let validate = crdValidators.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    crdValidators.set(key, validate);
  }
  return validate(obj) ? [] : (validate.errors ?? []).map(e => `schema: ${e.instancePath || '/'} ${e.message}`);
}

/** Returns every problem found in the objects (empty when all are valid). */
export function validateManifests(objects: readonly Manifest[]): string[] {
  return objects.flatMap(obj => {
    const where = `${obj.kind}/${obj.metadata?.name ?? '?'}`;
    return validateOne(obj).map(p => `${where}: ${p}`);
  });
}

function validateOne(obj: Manifest): string[] {
  const problems: string[] = [];
  const model = modelFor(obj);
  const crd = crdSchemas.get(`${obj.apiVersion}/${obj.kind}`);
  if (model) {
    try {
      new model(obj).validate();
    } catch (e) {
      problems.push(`schema: ${(e as Error).message}`);
    }
  } else if (crd) {
    problems.push(...crdSchemaProblems(obj, crd));
  } else {
    return [`no schema known for ${obj.apiVersion} ${obj.kind}`];
  }
  if (crd) {
    problems.push(...unknownCrdFields(obj, crd, ''));
  } else {
    const cls = (clientNode as unknown as Record<string, ModelClass>)[`V1${obj.kind}`];
    if (!cls) return [...problems, `no strict field list known for ${obj.kind}`];
    problems.push(...unknownFields(obj, `V1${obj.kind}`, ''));
  }
  return problems;
}

/** kubernetes-models (core kinds) or @kubernetes-models/prometheus-operator (custom kinds). */
function modelFor(obj: Manifest): ModelConstructor | undefined {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const modulePath = group === 'monitoring.coreos.com'
    ? `@kubernetes-models/prometheus-operator/${group}/${version}`
    : `kubernetes-models/${group ? `${group}/` : ''}${version}`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(modulePath) as Record<string, ModelConstructor>)[obj.kind];
  } catch {
    return undefined;
  }
}

/** Walks a value along @kubernetes/client-node's attribute maps; reports fields they do not list. */
function unknownFields(value: unknown, type: string, at: string): string[] {
  if (value === null || value === undefined) return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1], `${at}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1], `${at}.${k}`));
  const cls = (clientNode as unknown as Record<string, ModelClass | undefined>)[type];
  if (!cls?.getAttributeTypeMap || typeof value !== 'object') return [];
  const attributes = new Map(cls.getAttributeTypeMap().map(a => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([key, v]) => {
    const fieldType = attributes.get(key);
    return fieldType === undefined
      ? [`unknown field ${at ? `${at.slice(1)}.` : ''}${key}`]
      : unknownFields(v, fieldType, `${at}.${key}`);
  });
}

/** The same walk along a CRD's openAPIV3Schema (metadata is the ObjectMeta of client-node). */
function unknownCrdFields(value: unknown, schema: OpenApiSchema, at: string): string[] {
  if (value === null || value === undefined || schema['x-kubernetes-preserve-unknown-fields']) return [];
  if (at === '.metadata') return unknownFields(value, 'V1ObjectMeta', at);
  if (Array.isArray(value)) {
    return schema.items ? value.flatMap((v, i) => unknownCrdFields(v, schema.items!, `${at}[${i}]`)) : [];
  }
  if (typeof value !== 'object') return [];
  if (!schema.properties) {
    const additional = schema.additionalProperties;
    return typeof additional === 'object'
      ? Object.entries(value).flatMap(([k, v]) => unknownCrdFields(v, additional, `${at}.${k}`))
      : [];
  }
  return Object.entries(value).flatMap(([key, v]) => {
    if (at === '' && (key === 'apiVersion' || key === 'kind')) return [];
    const sub = key === 'metadata' && at === '' ? {} : schema.properties![key];
    return sub === undefined
      ? [`unknown field ${at ? `${at.slice(1)}.` : ''}${key}`]
      : unknownCrdFields(v, sub, `${at}.${key}`);
  });
}

/** A CEL rule of a CRD (`x-kubernetes-validations`) that applies to a value the object has. */
export interface ApplicableCelRule {
  /** Where in the object, e.g. `.spec.rules[0].matches[0].path`. */
  readonly at: string;
  /** The rule, whitespace collapsed. */
  readonly rule: string;
  readonly self: unknown;
}

/** Every CEL rule on the schema nodes the object's values sit at (rules of absent fields never run). */
export function applicableCelRules(obj: Manifest): ApplicableCelRule[] {
  const crd = crdSchemas.get(`${obj.apiVersion}/${obj.kind}`);
  if (!crd) return [];
  const out: ApplicableCelRule[] = [];
  const walk = (value: unknown, schema: OpenApiSchema | undefined, at: string) => {
    if (value === null || value === undefined || !schema) return;
    for (const v of schema['x-kubernetes-validations'] ?? []) out.push({ at, rule: v.rule.replace(/\s+/g, ' ').trim(), self: value });
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, schema.items, `${at}[${i}]`));
    } else if (typeof value === 'object') {
      for (const [key, sub] of Object.entries(value)) {
        if (at === '' && key === 'metadata') continue;
        const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
        walk(sub, schema.properties ? schema.properties[key] : additional, `${at}.${key}`);
      }
    }
  };
  walk(obj, crd, '');
  return out;
}
