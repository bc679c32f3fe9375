import { describe, expect, it } from 'vitest';
import { isInvalidArgumentError, isQueueFullError, QueueFullError } from '../errors.js';
import { createBulkhead } from './bulkhead.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/** Lets queued continuations run (no time passes for the code under test). */
const tick = () => new Promise<void>((r) => setImmediate(r));

describe('bulkhead', () => {
  it('never runs more than `concurrency` calls at once', async () => {
    const bulkhead = createBulkhead({ name: 'b', concurrency: 3, maxQueue: 100 });
    let running = 0;
    let maxRunning = 0;
    const gates = Array.from({ length: 20 }, () => deferred());
    const calls = gates.map((g) =>
      bulkhead.run(async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await g.promise;
        running--;
      }),
    );
    await tick();
    expect(bulkhead.active).toBe(3);
    expect(bulkhead.queued).toBe(17);
    for (const g of gates) {
      g.resolve();
      await tick();
    }
    await Promise.all(calls);
    expect(maxRunning).toBe(3);
    expect(bulkhead.active).toBe(0);
    expect(bulkhead.queued).toBe(0);
  });

  it('serves waiters in arrival order and newcomers do not overtake them', async () => {
    const bulkhead = createBulkhead({ name: 'b', concurrency: 1, maxQueue: 10 });
    const order: string[] = [];
    const first = await bulkhead.acquire();
    const waiters = ['a', 'b', 'c'].map((label) =>
      bulkhead.acquire().then((release) => {
        order.push(label);
        return release;
      }),
    );
    first();
    // A newcomer arriving as the slot frees must queue behind a, b, c.
    const late = bulkhead.acquire().then((release) => {
      order.push('late');
      return release;
    });
    for (const w of [...waiters, late]) (await w)();
    expect(order).toEqual(['a', 'b', 'c', 'late']);
  });

  it('rejects with QueueFullError at once when the queue is full', async () => {
    const bulkhead = createBulkhead({ name: 'score@1', concurrency: 1, maxQueue: 2 });
    const held = await bulkhead.acquire();
    const queued = [bulkhead.acquire(), bulkhead.acquire()];
    const err = await bulkhead.acquire().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueFullError);
    expect(isQueueFullError(err)).toBe(true);
    expect((err as QueueFullError).maxQueue).toBe(2);
    expect((err as Error).message).toContain("'score@1'");
    expect(bulkhead.queued).toBe(2);
    held();
    (await queued[0])?.();
    (await queued[1])?.();
    expect(bulkhead.active).toBe(0);
  });

  it('a waiter whose signal aborts leaves the queue and the next one gets the slot', async () => {
    const bulkhead = createBulkhead({ name: 'b', concurrency: 1, maxQueue: 5 });
    const held = await bulkhead.acquire();
    const ctl = new AbortController();
    const leaving = bulkhead.acquire(ctl.signal);
    const staying = bulkhead.acquire();
    expect(bulkhead.queued).toBe(2);
    ctl.abort(new Error('cancelled'));
    await expect(leaving).rejects.toThrow('cancelled');
    expect(bulkhead.queued).toBe(1);
    held();
    const release = await staying;
    expect(bulkhead.active).toBe(1);
    release();
    expect(bulkhead.active).toBe(0);
  });

  it('rejects an already aborted caller even when a slot is free', async () => {
    const bulkhead = createBulkhead({ name: 'b', concurrency: 1, maxQueue: 5 });
    await expect(bulkhead.acquire(AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(bulkhead.active).toBe(0);
  });

  it('frees a slot once even if released twice, and frees it when fn throws', async () => {
    const bulkhead = createBulkhead({ name: 'b', concurrency: 2, maxQueue: 5 });
    const r1 = await bulkhead.acquire();
    await bulkhead.acquire();
    r1();
    r1();
    expect(bulkhead.active).toBe(1);
    await expect(
      bulkhead.run(async () => {
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    expect(bulkhead.active).toBe(1);
  });

  it('rejects bad options naming the value', () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      let err: unknown;
      try {
        createBulkhead({ name: 'b', concurrency, maxQueue: 1 });
      } catch (e) {
        err = e;
      }
      expect(isInvalidArgumentError(err)).toBe(true);
      expect((err as Error).message).toContain(`got ${concurrency}`);
    }
    expect(() => createBulkhead({ name: 'b', concurrency: 1, maxQueue: -1 })).toThrow(
      /maxQueue must be an integer >= 0, got -1/,
    );
  });
});
