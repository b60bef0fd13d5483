/**
 * What the Grafana Operator reads of a GrafanaDashboard, read by Go itself (test/support/go-parsers):
 * resyncPeriod by time.ParseDuration (metav1.Duration), spec.gzipJson by encoding/json's base64 and
 * compress/gzip, and the size of kubectl's last-applied annotation by encoding/json's Marshal.
 */
import * as fc from 'fast-check';
import { synthesize } from '../lib';
import { goDurationProblem, MAX_GO_DURATION_NANOSECONDS } from '../lib/config/internal/go-duration';
import { OPERATOR_RESYNC_PERIOD } from '../lib/config/internal/schema-parts';
import { goJsonBytes, GZIP_JSON_THRESHOLD_BYTES, lastAppliedAnnotationBytes } from '../lib/config/operator-dashboards';
import { describeWithPrograms } from './support/e2e/tools';
import { goParse, goProgram } from './support/go-parsers';
import { resolveIn, tempDir } from './support/grafana';

const UNITS_NS: [string, bigint][] = [
  ['ns', 1n], ['us', 1000n], ['µs', 1000n], ['ms', 1000000n], ['s', 10n ** 9n], ['m', 60n * 10n ** 9n], ['h', 3600n * 10n ** 9n],
];
const MAX_NS = 2n ** 63n - 1n;

/** Durations at Go's limit: for each unit the largest whole count, one more, and fractions around the rest. */
function edgeDurations(): string[] {
  return UNITS_NS.flatMap(([unit, ns]) => {
    const q = MAX_NS / ns;
    const rest = MAX_NS - q * ns;
    const fractions = ns === 1n ? [] : [rest, rest + 1n].map(r => (r * 10n ** 12n / ns).toString().padStart(12, '0'));
    const nines = [`${q}.${'9'.repeat(25)}${unit}`, `0.${'9'.repeat(30)}${unit}`];
    return [`${q}${unit}`, `${q + 1n}${unit}`, ...fractions.map(f => `${q}.${f}${unit}`), ...nines];
  }).concat(['2562047h47m16.854775807s', '2562047h47m16.854775808s', '2562047h47m16s854775807ns', '2562047h47m16s854775808ns',
    '1h1h', '0s', '0000000000000000000000000001ns', `${'9'.repeat(19)}ns`, `${'1'.repeat(20)}ns`, '1.5h30m', '153722867m280s1h']);
}

const duration = fc.array(fc.tuple(
  fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String), fc.stringMatching(/^[0-9]{1,22}$/)),
  fc.option(fc.stringMatching(/^[0-9]{1,24}$/), { nil: undefined }),
  fc.constantFrom(...UNITS_NS.map(([unit]) => unit)),
), { minLength: 1, maxLength: 4 })
  .map(parts => parts.map(([whole, fraction, unit]) => `${whole}${fraction === undefined ? '' : `.${fraction}`}${unit}`).join(''));

describeWithPrograms('the Grafana Operator\'s Go reads what the library writes', { go: goProgram() }, ({ go }) => {
  test('resyncPeriod: every value the config takes Go\'s time.ParseDuration reads, and it takes every one Go reads up to 2562047h', () => {
    // GIVEN random durations of the CRD's form, biased to Go's limit, and the limit's edges
    const durations = [...edgeDurations(), ...fc.sample(duration, { numRuns: 3000, seed: 23 })];
    expect(durations.every(d => new RegExp(OPERATOR_RESYNC_PERIOD).test(d))).toBe(true);
    // WHEN Go parses each
    const answers = goParse(go, 'duration', durations);
    // THEN what the config takes, Go reads; what it refuses, Go refuses or reads as more than 2562047h (1 ms of float slack)
    const taken = durations.map(d => goDurationProblem(d) === undefined);
    const slack = 1000000n;
    expect(durations.filter((_, i) => taken[i] && !answers[i].ok)).toEqual([]);
    const readBelowMax = (i: number) => answers[i].ok && BigInt(answers[i].parsed ?? '0') < MAX_GO_DURATION_NANOSECONDS - slack;
    expect(durations.filter((_, i) => !taken[i] && readBelowMax(i))).toEqual([]);
    expect(answers.filter(r => !r.ok).length).toBeGreaterThan(100);
    expect(taken.filter(t => t).length).toBeGreaterThan(100);
  });

  test('spec.json and spec.gzipJson decode to the sidecar ConfigMap\'s JSON, and the annotation size is Go\'s', () => {
    // GIVEN an operator installation with a small and a large dashboard full of what Go escapes
    const big = {
      uid: 'big', title: 'Big <&>',
      panels: Array.from({ length: 1500 }, (_, i) => ({
        id: i + 1, type: 'text', title: `<b>${i}</b> & \u2028 \u2029 é 😀`, gridPos: { h: 1, w: 24, x: 0, y: i },
      })),
    };
    const dir = tempDir({ 'big.json': JSON.stringify(big), 'small.json': JSON.stringify({ uid: 'small', title: 'S <&>', panels: [] }) });
    const installation = { name: 'op', dashboards: ['small.json', 'big.json'], grafana: { host: 'op.example.com' } };
    const operator = {
      ...installation, grafana: { ...installation.grafana, provisioning: 'operator', operator: { instanceSelector: { matchLabels: { a: 'b' } } } },
    };
    const [op] = synthesize(resolveIn(dir, { installations: [operator] }));
    const [sidecar] = synthesize(resolveIn(dir, { installations: [installation] }));
    const dashboards = op.objects.filter(o => o.kind === 'GrafanaDashboard');
    // WHEN Go reads them
    const read = goParse(go, 'grafana-dashboard', dashboards.map(o => JSON.stringify(o)))
      .map(a => JSON.parse(a.parsed ?? '{}') as { json: string; gzipped: boolean; marshalledBytes: number });
    // THEN the JSON is the sidecar's, the large one went gzipped, and our byte count is encoding/json's
    const configMaps = sidecar.objects.filter(o => o.kind === 'ConfigMap').map(o => Object.values(o.data as Record<string, string>)[0]);
    expect(read.map(r => r.json)).toEqual(configMaps);
    expect(read.map(r => r.gzipped)).toEqual([false, true, false]);
    expect(goJsonBytes(read[1].json)).toBeGreaterThan(GZIP_JSON_THRESHOLD_BYTES);
    expect(read.map(r => r.marshalledBytes)).toEqual(dashboards.map(goJsonBytes));
    const annotationKey = 'kubectl.kubernetes.io/last-applied-configuration';
    expect(dashboards.map(lastAppliedAnnotationBytes)).toEqual(read.map(r => annotationKey.length + r.marshalledBytes + 1));
  });
});
