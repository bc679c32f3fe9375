import { describe, expect, it } from 'vitest';
import { Batcher } from './group-commit.js';

/** A flush that holds each batch until the test releases it. */
function heldFlush() {
  const batches: { items: readonly number[]; release: () => void }[] = [];
  const flush = (items: readonly number[]) =>
    new Promise<readonly number[]>((resolve) => {
      batches.push({ items, release: () => resolve(items.map((i) => i * 10)) });
    });
  return { batches, flush };
}

const ticks = () => new Promise<void>((r) => setImmediate(r));

describe('Batcher', () => {
  it('groups concurrent submissions into one batch and answers each with its own result', async () => {
    const f = heldFlush();
    const b = new Batcher(f.flush, 'microtask');
    const results = Promise.all([1, 2, 3].map((i) => b.submit(i)));
    await ticks();
    expect(f.batches.map((x) => x.items)).toEqual([[1, 2, 3]]);
    f.batches[0]!.release();
    expect(await results).toEqual([10, 20, 30]);
  });

  it('keeps at most maxInFlight batches in flight; later items wait for a free slot', async () => {
    const f = heldFlush();
    const b = new Batcher(f.flush, 'microtask', 1024, 2);
    const first = b.submit(1);
    await ticks();
    const second = b.submit(2);
    await ticks();
    const third = b.submit(3);
    await ticks();
    expect(f.batches.map((x) => x.items)).toEqual([[1], [2]]);
    f.batches[1]!.release();
    expect(await second).toBe(20);
    await ticks();
    expect(f.batches.map((x) => x.items)).toEqual([[1], [2], [3]]);
    f.batches[0]!.release();
    f.batches[2]!.release();
    expect([await first, await third]).toEqual([10, 30]);
  });

  it('with one in flight, items submitted during a flush form the next batch', async () => {
    const f = heldFlush();
    const b = new Batcher(f.flush, 'microtask');
    const first = b.submit(1);
    await ticks();
    const rest = Promise.all([b.submit(2), b.submit(3)]);
    await ticks();
    expect(f.batches).toHaveLength(1);
    f.batches[0]!.release();
    await first;
    await ticks();
    expect(f.batches.map((x) => x.items)).toEqual([[1], [2, 3]]);
    f.batches[1]!.release();
    expect(await rest).toEqual([20, 30]);
  });
});
