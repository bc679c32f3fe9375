import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../index.js';
import { DAY_MS, HOUR_MS, MAX_BUCKETS, MIN_BUCKETS, runSeries } from './run-series.js';

const run = (createdAt: number, status: RunStatus = 'completed', workflow = 'loan') => ({
  createdAt,
  status,
  workflow,
});
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

describe('runSeries', () => {
  it('buckets runs spanning two days or less by hour, counting each run once per key', () => {
    const s = runSeries(
      [run(T0), run(T0 + 10 * 60_000, 'failed'), run(T0 + 2 * HOUR_MS + 5), run(T0 + HOUR_MS - 1)],
      (r) => r.status,
    );
    expect(s.unit).toBe('hour');
    // At least MIN_BUCKETS buckets, ending at the newest run's: the older ones are empty.
    expect(s.buckets).toHaveLength(MIN_BUCKETS);
    expect(s.buckets.slice(0, -3).every((b) => b.total === 0)).toBe(true);
    const last3 = s.buckets.slice(-3);
    expect(last3.map((b) => b.start)).toEqual([T0, T0 + HOUR_MS, T0 + 2 * HOUR_MS]);
    expect(last3.map((b) => b.counts)).toEqual([{ completed: 2, failed: 1 }, {}, { completed: 1 }]);
    expect(s.keys).toEqual(['completed', 'failed']);
    expect(s.dropped).toBe(0);
  });

  it('buckets by UTC day past two days, and drops what is older than the newest buckets', () => {
    const days = runSeries(
      [run(T0, 'completed', 'a'), run(T0 + 3 * DAY_MS, 'failed', 'b')],
      (r) => r.workflow,
    );
    expect(days.unit).toBe('day');
    expect(days.buckets).toHaveLength(MIN_BUCKETS);
    expect(days.buckets.at(-4)!.start).toBe(Date.UTC(2026, 0, 5));
    expect(days.buckets.at(-4)!.counts).toEqual({ a: 1 });
    expect(days.buckets.at(-1)!.counts).toEqual({ b: 1 });
    const long = runSeries([run(T0), run(T0 + (MAX_BUCKETS + 5) * DAY_MS)], (r) => r.status);
    expect(long.buckets).toHaveLength(MAX_BUCKETS);
    expect(long.dropped).toBe(1);
    expect(long.buckets.reduce((a, b) => a + b.total, 0)).toBe(1);
  });

  it('draws nothing for no runs', () => {
    expect(runSeries([], (r) => r.status).buckets).toEqual([]);
  });
});
