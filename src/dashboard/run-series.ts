/**
 * Runs over time for the overview: the newest runs counted per time bucket and per key (status
 * or workflow). The bucket is an hour when the runs span two days or less, else a day (UTC), so
 * the picture has enough bars to show a trend and few enough to read.
 *
 * Invariant: every run given is counted in exactly one bucket, unless the span needs more than
 * MAX_BUCKETS buckets; then the oldest are dropped and `dropped` says how many runs that left out.
 */
import type { RunRecord } from '../index.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Most buckets drawn (the newest). */
export const MAX_BUCKETS = 60;
/** Fewest buckets drawn, ending at the newest run's, so a burst reads against quiet time. */
export const MIN_BUCKETS = 12;

/** One time bucket: its start (ms since the epoch) and its count per key. */
export interface SeriesBucket {
  readonly start: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly total: number;
}

/** Counts per bucket and key. */
export interface RunSeries {
  readonly unit: 'hour' | 'day';
  readonly buckets: readonly SeriesBucket[];
  /** Every key seen, most runs first. */
  readonly keys: readonly string[];
  /** Runs older than the oldest bucket drawn. */
  readonly dropped: number;
}

/** Buckets `runs` by creation time and counts them per `keyOf(run)`. */
export function runSeries(
  runs: readonly Pick<RunRecord, 'createdAt' | 'status' | 'workflow'>[],
  keyOf: (r: Pick<RunRecord, 'createdAt' | 'status' | 'workflow'>) => string,
): RunSeries {
  if (runs.length === 0) return { unit: 'hour', buckets: [], keys: [], dropped: 0 };
  const times = runs.map((r) => r.createdAt);
  const min = Math.min(...times);
  const max = Math.max(...times);
  const unit = max - min <= 2 * DAY_MS ? 'hour' : 'day';
  const size = unit === 'hour' ? HOUR_MS : DAY_MS;
  const last = Math.floor(max / size);
  const first = Math.max(
    Math.min(Math.floor(min / size), last - MIN_BUCKETS + 1),
    last - MAX_BUCKETS + 1,
  );
  const counts = Array.from({ length: last - first + 1 }, () => new Map<string, number>());
  const perKey = new Map<string, number>();
  let dropped = 0;
  for (const r of runs) {
    const i = Math.floor(r.createdAt / size) - first;
    if (i < 0) {
      dropped++;
      continue;
    }
    const key = keyOf(r);
    const bucket = counts[i]!;
    bucket.set(key, (bucket.get(key) ?? 0) + 1);
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
  }
  return {
    unit,
    buckets: counts.map((m, i) => ({
      start: (first + i) * size,
      counts: Object.fromEntries(m),
      total: [...m.values()].reduce((a, b) => a + b, 0),
    })),
    keys: [...perKey].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k),
    dropped,
  };
}
