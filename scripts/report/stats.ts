/**
 * Noise, stated: every repeated measurement is reported as min / median / max over its
 * repetitions (the spread of bench/report.ts), never as one number pretending to be exact.
 */
import { type Spread, spread } from '../../bench/report.js';

export { type Spread, spread };

/** Runs `task` `n` times, one after another, and collects its results. */
export async function repeat<T>(n: number, task: (rep: number) => Promise<T>): Promise<T[]> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`repetitions must be >= 1, got ${n}`);
  const out: T[] = [];
  for (let rep = 0; rep < n; rep++) out.push(await task(rep));
  return out;
}

/** Formats a number with at most `digits` decimals and thousands separators. */
export function fmt(x: number, digits = 0): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A percentage of a fraction, e.g. 0.234 → `23.4%`. */
export function pct(x: number, digits = 1): string {
  return `${(100 * x).toFixed(digits)}%`;
}

/** `median (min–max)`, formatted with `f`; just the value when min and max format alike. */
export function showSpread(s: Spread, f: (x: number) => string = (x) => fmt(x, 1)): string {
  const [lo, mid, hi] = [f(s.min), f(s.median), f(s.max)];
  return lo === hi ? mid : `${mid} (${lo}–${hi})`;
}

/** Runs `task` over items with at most `limit` in flight; resolves when all are done. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await task(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Groups rows by a key and returns, per key, the spread of `field` over the group. */
export function spreadBy<R extends Readonly<Record<string, unknown>>>(
  rows: readonly R[],
  key: (r: R) => string,
  field: keyof R & string,
): Map<string, Spread> {
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const k = key(r);
    groups.set(k, [...(groups.get(k) ?? []), Number(r[field])]);
  }
  return new Map([...groups].map(([k, xs]) => [k, spread(xs)]));
}

/**
 * Starts a stopwatch of wall time and of this process's CPU time (user + system, all threads,
 * so SQLite's work counts too). CPU time is less sensitive than wall time to other processes
 * sharing the machine.
 */
export function stopwatch(): () => { readonly wallMs: number; readonly cpuMs: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const d = process.cpuUsage(cpu);
    return { wallMs: performance.now() - wall, cpuMs: (d.user + d.system) / 1000 };
  };
}
