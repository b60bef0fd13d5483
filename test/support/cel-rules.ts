/**
 * The CEL rules (`x-kubernetes-validations`) of the CRDs in ../shared/crds that apply to what the
 * library emits, hand-translated to JavaScript (no CEL evaluator is available here). A rule that
 * applies to an emitted value but is not in this table is reported as unchecked, so a new field
 * cannot slip past its API server check unnoticed. Keys are the rules' text, whitespace collapsed.
 */
import { applicableCelRules, Manifest } from './kube-schema';

type Json = Record<string, any>;
/** CEL `has(x.f)`: the field is present. */
const has = (o: Json | undefined, field: string) => o !== undefined && o !== null && o[field] !== undefined;
const emptyOrAbsent = (o: Json, field: string) => !has(o, field) || o[field] === '';

// HTTPRoute (gateway.networking.k8s.io/v1, v1.6.1 standard) `spec.parentRefs`.
const sameParent = (p1: Json, p2: Json) => p1.group === p2.group && p1.kind === p2.kind && p1.name === p2.name
  && ((emptyOrAbsent(p1, 'namespace') && emptyOrAbsent(p2, 'namespace'))
    || (has(p1, 'namespace') && has(p2, 'namespace') && p1.namespace === p2.namespace));
const sameSection = (p1: Json, p2: Json) => (emptyOrAbsent(p1, 'sectionName') && emptyOrAbsent(p2, 'sectionName'))
  || (has(p1, 'sectionName') && has(p2, 'sectionName') && p1.sectionName === p2.sectionName);

const redirectOrRewrite = (kind: 'requestRedirect' | 'urlRewrite') => (f: Json) => has(f, kind) && has(f[kind], 'path')
  && f[kind].path.type === 'ReplacePrefixMatch' && has(f[kind].path, 'replacePrefixMatch');
const onlyPathPrefix = (rule: Json) => !(rule.matches.length !== 1 || !has(rule.matches[0], 'path') || rule.matches[0].path.type !== 'PathPrefix');
const exactlyOne = <T>(items: T[], test: (t: T) => boolean) => items.filter(test).length === 1;
const prefixOnlyWithFilter = (kind: 'requestRedirect' | 'urlRewrite') => (self: Json) =>
  (has(self, 'filters') && exactlyOne(self.filters, redirectOrRewrite(kind))) ? onlyPathPrefix(self) : true;
const prefixOnlyWithBackendFilter = (kind: 'requestRedirect' | 'urlRewrite') => (self: Json) =>
  (has(self, 'backendRefs') && exactlyOne(self.backendRefs, (b: Json) => has(b, 'filters') && exactlyOne(b.filters, redirectOrRewrite(kind))))
    ? onlyPathPrefix(self) : true;
const pathRule = (test: (value: string) => boolean) => (self: Json) => (['Exact', 'PathPrefix'].includes(self.type) ? test(self.value) : true);

export const CEL_RULES: Record<string, (self: any) => boolean> = {
  // HelmRelease (helm.toolkit.fluxcd.io/v2) `spec`; GitRepository (source.toolkit.fluxcd.io/v1) `spec`.
  '(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))': (self: Json) =>
    has(self, 'chart') !== has(self, 'chartRef'),
  '!has(self.serviceAccountName) || (has(self.provider) && (self.provider == \'azure\' || self.provider == \'aws\'))':
    (self: Json) => !has(self, 'serviceAccountName') || ['azure', 'aws'].includes(self.provider),
  ['self.all(p1, self.all(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || p1.__namespace__ == ' +
  "'') && (!has(p2.__namespace__) || p2.__namespace__ == '')) || (has(p1.__namespace__) && has(p2.__namespace__) && p1.__namespace__ == " +
  "p2.__namespace__ )) ? ((!has(p1.sectionName) || p1.sectionName == '') == (!has(p2.sectionName) || p2.sectionName == '')) : true))"]: (
    self: Json[],
  ) => self.every(p1 => self.every(p2 => (sameParent(p1, p2) ? emptyOrAbsent(p1, 'sectionName') === emptyOrAbsent(p2, 'sectionName') : true))),
  ['self.all(p1, self.exists_one(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || '
    + 'p1.__namespace__ == \'\') && (!has(p2.__namespace__) || p2.__namespace__ == \'\')) || (has(p1.__namespace__) && has(p2.__namespace__) && '
      + 'p1.__namespace__ == p2.__namespace__ )) && (((!has(p1.sectionName) || p1.sectionName == \'\') && (!has(p2.sectionName) || p2.sectionName '
        + '== \'\')) || (has(p1.sectionName) && has(p2.sectionName) && p1.sectionName == p2.sectionName))))']:
    (self: Json[]) => self.every(p1 => exactlyOne(self, p2 => sameParent(p1, p2) && sameSection(p1, p2))),
  [`${Array.from({ length: 16 }, (_, i) => `(self.size() > ${i} ? self[${i}].matches.size() : 0)`).join(' + ')} <= 128`]:
    (self: Json[]) => self.slice(0, 16).reduce((n, rule) => n + rule.matches.length, 0) <= 128,
  '(has(self.backendRefs) && size(self.backendRefs) > 0) ? (!has(self.filters) || self.filters.all(f, !has(f.requestRedirect))): true': (
    self: Json,
  ) =>
    has(self, 'backendRefs') && self.backendRefs.length > 0
      ? !has(self, 'filters') || self.filters.every((f: Json) => !has(f, 'requestRedirect'))
      : true,
  ['(has(self.filters) && self.filters.exists_one(f, has(f.requestRedirect) && has(f.requestRedirect.path) && f.requestRedirect.path.type == '
    + '\'ReplacePrefixMatch\' && has(f.requestRedirect.path.replacePrefixMatch))) ? ((size(self.matches) != 1 || !has(self.matches[0].path) || '
      + 'self.matches[0].path.type != \'PathPrefix\') ? false : true) : true']:
    prefixOnlyWithFilter('requestRedirect'),
  ['(has(self.filters) && self.filters.exists_one(f, has(f.urlRewrite) && has(f.urlRewrite.path) && f.urlRewrite.path.type == \'ReplacePrefixMatch\' '
    + '&& has(f.urlRewrite.path.replacePrefixMatch))) ? ((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != '
      + '\'PathPrefix\') ? false : true) : true']:
    prefixOnlyWithFilter('urlRewrite'),
  ['(has(self.backendRefs) && self.backendRefs.exists_one(b, (has(b.filters) && b.filters.exists_one(f, has(f.requestRedirect) && '
    + 'has(f.requestRedirect.path) && f.requestRedirect.path.type == \'ReplacePrefixMatch\' && has(f.requestRedirect.path.replacePrefixMatch))) )) '
      + '? ((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != \'PathPrefix\') ? false : true) : true']:
    prefixOnlyWithBackendFilter('requestRedirect'),
  ['(has(self.backendRefs) && self.backendRefs.exists_one(b, (has(b.filters) && b.filters.exists_one(f, has(f.urlRewrite) && has(f.urlRewrite.path) '
    + '&& f.urlRewrite.path.type == \'ReplacePrefixMatch\' && has(f.urlRewrite.path.replacePrefixMatch))) )) ? ((size(self.matches) != 1 || '
      + '!has(self.matches[0].path) || self.matches[0].path.type != \'PathPrefix\') ? false : true) : true']:
    prefixOnlyWithBackendFilter('urlRewrite'),
  // group and kind default to "" and "Service" in the CRD.
  '(size(self.group) == 0 && self.kind == \'Service\') ? has(self.port) : true':
    (self: Json) => (((self.group ?? '') === '' && (self.kind ?? 'Service') === 'Service') ? has(self, 'port') : true),
  '(self.type in [\'Exact\',\'PathPrefix\']) ? self.value.startsWith(\'/\') : true': pathRule(v => v.startsWith('/')),
  '(self.type in [\'Exact\',\'PathPrefix\']) ? !self.value.contains(\'//\') : true': pathRule(v => !v.includes('//')),
  '(self.type in [\'Exact\',\'PathPrefix\']) ? !self.value.contains(\'/./\') : true': pathRule(v => !v.includes('/./')),
  '(self.type in [\'Exact\',\'PathPrefix\']) ? !self.value.contains(\'/../\') : true': pathRule(v => !v.includes('/../')),
  '(self.type in [\'Exact\',\'PathPrefix\']) ? !self.value.contains(\'%2f\') : true': pathRule(v => !v.includes('%2f')),
  '(self.type in [\'Exact\',\'PathPrefix\']) ? !self.value.contains(\'%2F\') : true': pathRule(v => !v.includes('%2F')),
  '(self.type in [\'Exact\',\'PathPrefix\']) ? !self.value.contains(\'#\') : true': pathRule(v => !v.includes('#')),
  '(self.type in [\'Exact\',\'PathPrefix\']) ? !self.value.endsWith(\'/..\') : true': pathRule(v => !v.endsWith('/..')),
  '(self.type in [\'Exact\',\'PathPrefix\']) ? !self.value.endsWith(\'/.\') : true': pathRule(v => !v.endsWith('/.')),
  'self.type in [\'Exact\',\'PathPrefix\'] || self.type == \'RegularExpression\'':
    (self: Json) => ['Exact', 'PathPrefix', 'RegularExpression'].includes(self.type),
  '(self.type in [\'Exact\',\'PathPrefix\']) ? self.value.matches(r"""^(?:[-A-Za-z0-9/._~!$&\'()*+,;=:@]|[%][0-9a-fA-F]{2})+$""") : true':
    pathRule(v => /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/.test(v)),
};

/** Every applicable CEL rule that fails, or that this table cannot check. */
export function celRuleProblems(objects: readonly Manifest[]): string[] {
  return objects.flatMap(obj => applicableCelRules(obj).flatMap(({ at, rule, self }) => {
    const where = `${obj.kind}/${obj.metadata?.name ?? '?'}${at}`;
    const check = CEL_RULES[rule];
    if (!check) return [`${where}: unchecked CEL rule: ${rule}`];
    let ok: boolean;
    try {
      ok = check(self);
    } catch {
      // CEL fails a rule whose evaluation errors (a missing field, say).
      ok = false;
    }
    return ok ? [] : [`${where}: CEL rule fails: ${rule}`];
  }));
}
