/** The labels every object carries, and the selector labels that must never change. */
import { ApiObject, JsonPatch } from 'cdk8s';

/** `app.kubernetes.io/part-of` of everything this library makes. */
export const PART_OF = 'grafana-analytics';
/** `app.kubernetes.io/name` of the analytics server. */
export const APP_NAME = 'analytics-panel-server';
/**
 * Selector label naming the installation. Not `app.kubernetes.io/instance`: Helm sets that one to
 * the release name, and a selector must not change when a chart is installed under another name.
 */
export const INSTALLATION_LABEL = 'grafana-analytics/installation';

export type Component = 'server' | 'monitoring' | 'ingress' | 'auth' | 'network-policy' | 'dashboard';

/** Labels that select the server's pods: stable across versions, releases and upgrades. */
export function selectorLabels(installation: string): Record<string, string> {
  return { 'app.kubernetes.io/name': APP_NAME, [INSTALLATION_LABEL]: installation };
}

/** The Kubernetes recommended labels (app.kubernetes.io/*) of one component. */
export function recommendedLabels(installation: string, component: Component): Record<string, string> {
  return {
    ...selectorLabels(installation),
    'app.kubernetes.io/instance': installation,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

/** The image tag, when it is usable as `app.kubernetes.io/version` (a label value). */
export function imageVersion(image: string): string | undefined {
  const withoutDigest = image.split('@')[0];
  const lastSegment = withoutDigest.substring(withoutDigest.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.substring(lastSegment.indexOf(':') + 1) : undefined;
  return tag && /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/.test(tag) ? tag : undefined;
}

/**
 * cdk8s renders an object's props through a sanitizer that reads `map.constructor.name` of every
 * map, so a map with the key `constructor` (a valid label key) fails to render. Such keys go in
 * after the sanitizer, as JSON patches (`addUnrenderableKeys`); `renderable` leaves them out of the props.
 */
const UNRENDERABLE_KEYS: readonly string[] = ['constructor'];

/** `map` without the keys cdk8s cannot render (see `addUnrenderableKeys`). */
export function renderable(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([k]) => !UNRENDERABLE_KEYS.includes(k)));
}

/** Adds the keys `renderable` left out of `map` to the rendered object, at the JSON pointer `at`. */
export function addUnrenderableKeys(object: ApiObject, at: string, map: Record<string, string>): void {
  for (const key of UNRENDERABLE_KEYS) if (Object.hasOwn(map, key)) object.addJsonPatch(JsonPatch.add(`${at}/${key}`, map[key]));
}
