/**
 * The overview page over a prepared store: runs per status and per workflow over time as SVG,
 * open breakers named, waiting reviews counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/index.js';
import { type Prepared, prepare } from './fixtures.js';

let p: Prepared;
beforeAll(async () => {
  p = await prepare('overview');
  const store = sqliteStore(p.path);
  await store.migrate();
  const at = Date.now();
  await store.appendRecords([
    {
      kind: 'breaker',
      key: 'scorer@1.0.0',
      runId: null,
      at,
      body: { breaker: 'scorer@1.0.0', from: 'closed', to: 'open', at, reason: '5 failures' },
    },
  ]);
  await store.close();
});
afterAll(() => p?.close());

/** Sum of `data-count` of the segments of one key in one chart. */
function countIn(html: string, chart: string, key: string): number {
  const svg =
    html.match(new RegExp(`<svg class="timechart" data-testid="${chart}"[\\s\\S]*?</svg>`))?.[0] ??
    '';
  return [...svg.matchAll(new RegExp(`data-key="${key}" data-count="(\\d+)"`, 'g'))].reduce(
    (a, m) => a + Number(m[1]),
    0,
  );
}

describe('overview', () => {
  it('draws runs per status and per workflow over time, open breakers and waiting reviews', async () => {
    const res = await p.dashboard.request('/', {
      headers: { authorization: `Bearer ${p.dashboard.mintToken('viewer')}` },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/data-testid="runs-per-status" data-unit="hour"/);
    expect(countIn(html, 'runs-per-status', 'completed')).toBe(2);
    expect(countIn(html, 'runs-per-status', 'waiting')).toBe(1);
    expect(countIn(html, 'runs-per-workflow', 'loan')).toBe(2);
    expect(countIn(html, 'runs-per-workflow', 'loan-review')).toBe(1);
    expect(html).toMatch(
      /data-testid="open-breakers">1<\/b> breakers not closed <span class="muted">scorer@1.0.0/,
    );
    expect(html).toMatch(/data-testid="waiting-count">1</);
    expect(html).toMatch(/<title>completed: \d+ at /);
  });
});
