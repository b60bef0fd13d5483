import * as fc from 'fast-check';
import { addAnalyticsPanel, analyticsPanel } from '../lib';
import { PLUGIN_ID } from '../lib/config/constants';

const panel = analyticsPanel({ server: '/analytics-plugin/write' });

/** Freezes a JSON value all the way down, so any mutation throws in strict mode. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const dashboardWithRow = () => ({
  uid: 'abc',
  title: 'A',
  panels: [
    { id: 1, type: 'timeseries', gridPos: { h: 8, w: 12, x: 0, y: 0 } },
    { id: 2, type: 'stat', gridPos: { h: 8, w: 12, x: 12, y: 0 } },
    {
      id: 7, type: 'row', collapsed: true, gridPos: { h: 1, w: 24, x: 0, y: 8 },
      panels: [{ id: 9, type: 'table', gridPos: { h: 6, w: 24, x: 0, y: 9 } }],
    },
  ],
});

describe('analyticsPanel', () => {
  test('is hidden: transparent, blank title, one unit high, full width, no details, start beacon on', () => {
    // WHEN
    const p = analyticsPanel({ server: '/grafana/analytics-plugin/write' });
    // THEN
    expect(p).toEqual({
      type: PLUGIN_ID,
      title: '  ',
      transparent: true,
      pluginVersion: '2.1.0',
      gridPos: { h: 1, w: 24, x: 0, y: 0 },
      options: {
        analyticsOptions: {
          server: '/grafana/analytics-plugin/write',
          dashboard: '$__dashboard',
          showDetails: false,
          postStart: true,
          postEnd: true,
          postHeartbeat: false,
          heartbeatInterval: 60,
          heartbeatAlways: false,
          flatten: false,
        },
      },
    });
  });

  test('the dashboard option can carry a literal uid', () => {
    expect(analyticsPanel({ server: '/w', dashboard: 'abc-uid' }).options.analyticsOptions.dashboard).toBe('abc-uid');
  });

  test('heartbeat and end beacon follow the options', () => {
    // WHEN
    const p = analyticsPanel({ server: '/w', heartbeat: true, heartbeatIntervalSeconds: 15, endBeacon: false, pluginVersion: '2.2.0' });
    // THEN
    expect(p.options.analyticsOptions).toMatchObject({ postHeartbeat: true, heartbeatInterval: 15, postEnd: false });
    expect(p.pluginVersion).toBe('2.2.0');
  });

  test.each(['analytics-plugin/write', 'https://grafana.example.com/write', '/a//write'])('fails when the server is %j', server => {
    expect(() => analyticsPanel({ server })).toThrow(/analytics panel server got .*allowed: an absolute path/);
  });
});

describe('addAnalyticsPanel', () => {
  test('puts the panel at the top, outside every row, and moves the others down by one', () => {
    // GIVEN
    const input = dashboardWithRow();
    // WHEN
    const out = addAnalyticsPanel(input, panel);
    // THEN
    expect(out.panels[0]).toMatchObject({ type: PLUGIN_ID, id: 10, gridPos: { h: 1, w: 24, x: 0, y: 0 } });
    expect(out.panels.slice(1).map(p => [p.id, p.gridPos.y])).toEqual([[1, 1], [2, 1], [7, 9]]);
    // A collapsed row's panels keep their place relative to the row.
    expect(out.panels[3].panels?.[0].gridPos.y).toBe(10);
  });

  test('leaves the input unmodified', () => {
    // GIVEN
    const input = deepFreeze(dashboardWithRow());
    // WHEN
    const out = addAnalyticsPanel(input, panel);
    // THEN
    expect(input).toEqual(dashboardWithRow());
    expect(out).not.toBe(input);
  });

  test('is idempotent: adding twice keeps one panel and the same layout', () => {
    // GIVEN
    const once = addAnalyticsPanel(dashboardWithRow(), panel);
    // WHEN
    const twice = addAnalyticsPanel(once, panel);
    // THEN
    expect(twice).toEqual(once);
    expect(twice.panels.filter(p => p.type === PLUGIN_ID)).toHaveLength(1);
  });

  test('replaces an analytics panel pasted by hand inside a row', () => {
    // GIVEN
    const input = dashboardWithRow();
    input.panels[2].panels?.push({ id: 11, type: PLUGIN_ID, gridPos: { h: 3, w: 8, x: 0, y: 15 } });
    // WHEN
    const out = addAnalyticsPanel(input, analyticsPanel({ server: '/new/write' }));
    // THEN
    const all = out.panels.flatMap(p => [p, ...((p as { panels?: unknown[] }).panels ?? [])]) as { type: string }[];
    expect(all.filter(p => p.type === PLUGIN_ID)).toEqual([out.panels[0]]);
    expect(out.panels[0]).toMatchObject({ options: { analyticsOptions: { server: '/new/write' } } });
  });

  test('moves nothing when the top row is free, and adds a panel list to an empty dashboard', () => {
    // GIVEN
    const spaced = { uid: 'u', title: 't', panels: [{ id: 3, type: 'stat', gridPos: { h: 4, w: 6, x: 0, y: 2 } }] };
    // WHEN
    const out = addAnalyticsPanel(spaced, panel);
    const empty = addAnalyticsPanel<{ uid: string; title: string; panels?: unknown[] }>({ uid: 'u', title: 't' }, panel);
    // THEN
    expect(out.panels[1].gridPos.y).toBe(2);
    expect(empty.panels).toEqual([{ ...panel, id: 1 }]);
  });

  test('keeps every property of the dashboard and its panels', () => {
    // GIVEN
    const input = { ...dashboardWithRow(), templating: { list: [{ name: 'x' }] }, schemaVersion: 39, extra: { a: [1, 2] } };
    // WHEN
    const { panels: _p, ...rest } = addAnalyticsPanel(input, panel);
    // THEN
    const { panels: _q, ...expected } = input;
    expect(rest).toEqual(expected);
  });

  test('for any layout: one panel on top, every other below it in the same order, idempotent, input intact', () => {
    const gridPos = fc.record({
      h: fc.integer({ min: 1, max: 10 }),
      w: fc.integer({ min: 1, max: 24 }),
      x: fc.integer({ min: 0, max: 23 }),
      y: fc.integer({ min: 0, max: 50 }),
    });
    const plain = fc.record({ id: fc.integer({ min: 1, max: 500 }), type: fc.constantFrom('timeseries', 'stat', PLUGIN_ID), gridPos });
    const row = fc.record({
      id: fc.integer({ min: 1, max: 500 }),
      type: fc.constant('row'),
      collapsed: fc.constant(true),
      gridPos,
      panels: fc.array(plain, { maxLength: 3 }),
    });
    fc.assert(fc.property(fc.array(fc.oneof(plain, row), { maxLength: 8 }), panels => {
      const input = deepFreeze({ uid: 'u', title: 't', panels });
      const copy = JSON.parse(JSON.stringify(input));
      const out = addAnalyticsPanel(input, panel);
      expect(input).toEqual(copy);
      expect(addAnalyticsPanel(out, panel)).toEqual(out);
      const [first, ...others] = out.panels as { id: number; type: string; gridPos: { y: number }; panels?: { id: number; type: string }[] }[];
      expect(first).toMatchObject({ type: PLUGIN_ID, gridPos: { x: 0, y: 0, h: 1, w: 24 } });
      expect(others.every(p => p.type !== PLUGIN_ID && p.gridPos.y >= 1 && (p.panels ?? []).every(n => n.type !== PLUGIN_ID))).toBe(true);
      const kept = copy.panels.filter((p: { type: string }) => p.type !== PLUGIN_ID);
      expect(others.map(p => p.id)).toEqual(kept.map((p: { id: number }) => p.id));
      const ids = others.flatMap(p => [p.id, ...(p.panels ?? []).map(n => n.id)]);
      expect(ids).not.toContain(first.id);
    }));
  });
});
