/**
 * ingress-nginx's own annotation checks, driven by the controller's rule table
 * (../shared/ingress-nginx-annotations.json): the risk level, the snippet
 * ban and each annotation's validator, as the controller applies them at its defaults.
 * Only the validator kinds our objects use are implemented; any other kind is reported.
 */
import * as fs from 'fs';
import { sharedPath } from './shared';

interface Validator {
  readonly kind: string;
  readonly pattern?: string;
  readonly flags?: string;
  readonly removeSpace?: boolean;
  readonly options?: string[];
  readonly caseSensitive?: boolean;
  readonly trimSpace?: boolean;
}
interface Rule {
  readonly risk: 'Low' | 'Medium' | 'High' | 'Critical';
  readonly validator: Validator;
  readonly parseCheck?: { readonly kind: string };
}
interface Table {
  readonly prefix: string;
  readonly defaults: { readonly annotationsRiskLevel: string; readonly allowSnippetAnnotations: boolean };
  readonly maliciousRegex: { readonly pattern: string; readonly flags: string };
  readonly annotations: Record<string, Rule>;
}

const table: Table = JSON.parse(fs.readFileSync(sharedPath('ingress-nginx-annotations.json'), 'utf8'));
const RISKS = ['Low', 'Medium', 'High', 'Critical'];

/** Problems the controller (at its default settings) would have with these annotations. */
export function annotationProblems(annotations: Record<string, string>, maxRisk = table.defaults.annotationsRiskLevel): string[] {
  return Object.entries(annotations).flatMap(([key, value]) => {
    if (!key.startsWith(table.prefix)) return [];
    const name = key.slice(table.prefix.length);
    const rule = table.annotations[name];
    if (!rule) return [`${key}: unknown to ingress-nginx (ignored silently: a typo?)`];
    const problems: string[] = [];
    if (name.endsWith('-snippet') && !table.defaults.allowSnippetAnnotations) problems.push(`${key}: snippet annotations are rejected`);
    if (RISKS.indexOf(rule.risk) > RISKS.indexOf(maxRisk)) problems.push(`${key}: risk ${rule.risk} is above the allowed ${maxRisk}`);
    const invalid = validatorProblem(rule.validator, value) ?? parseCheckProblem(rule.parseCheck?.kind, value);
    if (invalid) problems.push(`${key}: ${JSON.stringify(value)} ${invalid}`);
    return problems;
  });
}

/** The risk level ingress-nginx assigns to an annotation. */
export function annotationRisk(key: string): string | undefined {
  return table.annotations[key.slice(table.prefix.length)]?.risk;
}

function validatorProblem(v: Validator, raw: string): string | undefined {
  if (raw === '') return undefined; // the controller skips empty values
  switch (v.kind) {
    case 'regex': {
      const value = v.removeSpace ? raw.replace(/ /g, '') : raw;
      if (!new RegExp(v.pattern!, v.flags).test(value)) return `does not match ${v.pattern}`;
      if (new RegExp(table.maliciousRegex.pattern, table.maliciousRegex.flags).test(value)) return 'contains a line break';
      return undefined;
    }
    case 'bool':
      return ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw) ? undefined : 'is not a Go bool';
    case 'int':
      return /^[+-]?\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? undefined : 'is not an integer';
    case 'options': {
      let value = v.trimSpace ? raw.trim() : raw;
      if (!v.caseSensitive) value = value.toLowerCase();
      return v.options!.includes(value) ? undefined : `is not one of ${v.options!.join(', ')}`;
    }
    case 'null':
      return undefined;
    default:
      return `uses validator kind ${v.kind}, which this check does not implement`;
  }
}

/** The checks some parsers apply after the validator; a failure denies the location. */
function parseCheckProblem(kind: string | undefined, value: string): string | undefined {
  if (kind !== 'url') return kind ? `has parse check ${kind}, which this check does not implement` : undefined;
  // Go's net/url with nginx variables left in: scheme and host must be present, no ".." in the host.
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]+)/i.exec(value);
  if (!match) return 'is not a URL with scheme and host';
  if (match[2].includes('..')) return 'has ".." in its host';
  const port = /:([^:\]]*)$/.exec(match[2]);
  if (port && !/^\d*$/.test(port[1])) return 'has a port that is not digits';
  return undefined;
}
