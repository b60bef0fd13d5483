/** The limits behind the hostile corpus, unit by unit (issue 14): what each counts, and why its size. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addAnalyticsPanel, analyticsPanel } from '../../lib';
import { jsonNestingDepth, readInputFile, yamlFlowNestingBound } from '../../lib/app/internal/input-file';
import { HIDDEN_PANEL_RESERVE_BYTES } from '../../lib/config/dashboards';
import { bounded, MAX_ECHO_CHARS, quote } from '../../lib/config/problems';

describe('readInputFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-read-'));

  test('reads a regular file up to the limit, and refuses one byte more before reading it', () => {
    const file = path.join(dir, 'ten.txt');
    fs.writeFileSync(file, '0123456789');
    expect(readInputFile(file, 10)).toEqual({ text: '0123456789' });
    expect(readInputFile(file, 9)).toEqual({ problem: 'is 10 bytes; allowed: at most 9', tooLarge: true });
  });

  test('refuses what is not a regular file, by kind', () => {
    expect(readInputFile(dir, 10)).toEqual({ problem: 'is a folder; allowed: a regular file' });
    expect(readInputFile('/dev/null', 10)).toEqual({ problem: 'is a device; allowed: a regular file' });
    expect(readInputFile(path.join(dir, 'missing'), 10)).toEqual({
      problem: expect.stringMatching(/^cannot be read: ENOENT: no such file or directory/),
    });
  });
});

describe('nesting counts', () => {
  test('JSON: brackets in strings (escaped quotes too) do not count', () => {
    expect(jsonNestingDepth('{"a": [1, {"b": "[[[\\"{{{"}]}')).toBe(3);
    expect(jsonNestingDepth('[]')).toBe(1);
    expect(jsonNestingDepth('"[[["')).toBe(0);
  });

  test('YAML: an upper bound of flow nesting, never below the real one', () => {
    expect(yamlFlowNestingBound('a: {b: [1, {c: d}]}')).toBe(3);
    expect(yamlFlowNestingBound('a:\n  b:\n    - c')).toBe(0);
    expect(yamlFlowNestingBound('a: "[["\nb: [x]')).toBe(3); // quotes are not tracked: an upper bound
  });
});

describe('echoes', () => {
  test(`are cut at ${MAX_ECHO_CHARS} characters, saying how many more there were`, () => {
    expect(bounded('x'.repeat(MAX_ECHO_CHARS))).toBe('x'.repeat(MAX_ECHO_CHARS));
    expect(bounded('x'.repeat(MAX_ECHO_CHARS + 5))).toBe(`${'x'.repeat(MAX_ECHO_CHARS)}…(5 more)`);
    expect(quote('y'.repeat(1000))).toBe(`"${'y'.repeat(MAX_ECHO_CHARS)}…(800 more)"`);
    expect(quote(Infinity)).toBe('Infinity');
  });

  test('never split a surrogate pair', () => {
    const text = `${'x'.repeat(MAX_ECHO_CHARS - 1)}😀tail`;
    expect(bounded(text)).toBe(`${'x'.repeat(MAX_ECHO_CHARS - 1)}…(6 more)`);
  });
});

test(`the hidden panel takes far less of a dashboard's ConfigMap than the ${HIDDEN_PANEL_RESERVE_BYTES} bytes kept for it`, () => {
  // GIVEN a dashboard of 200 panels that the hidden panel moves down, each y gaining a digit
  const dashboard = {
    uid: 'd',
    title: 'D',
    panels: Array.from({ length: 200 }, (_, i) => ({ id: i + 1, gridPos: { x: 0, y: i % 10, w: 24, h: 1 } })),
  };
  const panel = analyticsPanel({
    server: '/a-very-long/write/path/of/the/analytics/server/below/a/long/sub/path',
    heartbeat: true,
    heartbeatIntervalSeconds: 3600,
    endBeacon: true,
  });
  // WHEN it is added
  const grown =
    Buffer.byteLength(JSON.stringify(addAnalyticsPanel(dashboard, panel), null, 2)) - Buffer.byteLength(JSON.stringify(dashboard, null, 2));
  // THEN the growth plus the longest file name (253-character ConfigMap name + .json) leaves most of the reserve
  expect(grown + 258).toBeLessThan(HIDDEN_PANEL_RESERVE_BYTES / 2);
});
