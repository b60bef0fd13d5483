/**
 * URL paths have one form here: `/` is the root, anything else is `/a/b` without a trailing
 * slash. `joinPaths` is the only place that puts them together, so `//` cannot appear.
 */
export function joinPaths(...paths: string[]): string {
  const segments = paths.flatMap(p => p.split('/')).filter(s => s.length > 0);
  return `/${segments.join('/')}`;
}
