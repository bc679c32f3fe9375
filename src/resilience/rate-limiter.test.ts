import { describe, expect, it } from 'vitest';
import { isQueueFullError } from '../errors.js';
import { FakeClock } from '../testing/fake-clock.js';
import { createRateLimiter } from './rate-limiter.js';

function setup(ratePerSecond: number, maxQueue = 100, burst?: number) {
  const clock = new FakeClock();
  const limiter = createRateLimiter({
    name: 'fraud@1',
    ratePerSecond,
    maxQueue,
    clock,
    ...(burst === undefined ? {} : { burst }),
  });
  const granted: string[] = [];
  const take = (label: string, signal?: AbortSignal) =>
    limiter.acquire(signal).then(() => {
      granted.push(label);
    });
  return { clock, limiter, granted, take };
}

describe('rate limiter (token bucket)', () => {
  it('lets a full bucket through at once, then one call per refill interval', async () => {
    const { clock, granted, take } = setup(10); // burst 10, one token per 100 ms
    const calls = Array.from({ length: 13 }, (_, i) => take(String(i)));
    await clock.advance(0);
    expect(granted).toHaveLength(10);
    await clock.advance(99);
    expect(granted).toHaveLength(10);
    await clock.advance(1);
    expect(granted).toHaveLength(11);
    await clock.advance(200);
    expect(granted).toHaveLength(13);
    await Promise.all(calls);
    expect(clock.pending()).toBe(0);
  });

  it('serves waiters in arrival order', async () => {
    const { clock, granted, take } = setup(2, 100, 1);
    const calls = ['a', 'b', 'c', 'd'].map((l) => take(l));
    await clock.advance(2_000);
    await Promise.all(calls);
    expect(granted).toEqual(['a', 'b', 'c', 'd']);
  });

  it('does not let a newcomer take a token ahead of a waiter when its timer fires late', async () => {
    // A clock whose time moves without waking sleepers, as a real timer that fires late.
    let now = 0;
    const timers: (() => void)[] = [];
    const clock = {
      now: () => now,
      sleep: () => new Promise<void>((resolve) => timers.push(resolve)),
    };
    const limiter = createRateLimiter({ name: 'r', ratePerSecond: 1, maxQueue: 5, clock });
    const granted: string[] = [];
    const take = (label: string) => limiter.acquire().then(() => granted.push(label));
    await take('first');
    const waiter = take('waiter');
    now = 1_500; // a token is available, but the waiter's timer has not fired yet
    const newcomer = take('newcomer');
    await Promise.resolve();
    expect(granted).toEqual(['first']);
    expect(limiter.queued).toBe(2);
    timers.shift()?.();
    await waiter;
    expect(granted).toEqual(['first', 'waiter']);
    now = 2_500;
    timers.shift()?.();
    await newcomer;
    expect(granted).toEqual(['first', 'waiter', 'newcomer']);
  });

  it('refills no more than the burst after being idle', async () => {
    const { clock, limiter } = setup(5, 10, 3);
    for (let i = 0; i < 3; i++) await limiter.acquire();
    await clock.advance(60_000);
    expect(limiter.available()).toBe(3);
  });

  it('rejects with QueueFullError at once when the queue is full', async () => {
    const { clock, limiter, take } = setup(1, 2, 1);
    await limiter.acquire();
    const waiting = [take('a'), take('b')];
    const err = await limiter.acquire().catch((e: unknown) => e);
    expect(isQueueFullError(err)).toBe(true);
    expect(limiter.queued).toBe(2);
    await clock.advance(2_000);
    await Promise.all(waiting);
  });

  it('an aborted waiter leaves the queue; with nobody left the refill timer is cancelled', async () => {
    const { clock, limiter, take, granted } = setup(1, 5, 1);
    await limiter.acquire();
    const ctl = new AbortController();
    const leaving = take('leaving', ctl.signal);
    expect(limiter.queued).toBe(1);
    expect(clock.pending()).toBe(1);
    ctl.abort(new Error('cancelled'));
    await expect(leaving).rejects.toThrow('cancelled');
    expect(limiter.queued).toBe(0);
    expect(clock.pending()).toBe(0);
    // Its token is still there for the next caller.
    await clock.advance(1_000);
    await take('next');
    expect(granted).toEqual(['next']);
  });

  it('rejects bad options naming the value', () => {
    const clock = new FakeClock();
    expect(() => createRateLimiter({ name: 'r', ratePerSecond: 0, maxQueue: 1, clock })).toThrow(
      /ratePerSecond must be a finite number > 0, got 0/,
    );
    expect(() =>
      createRateLimiter({ name: 'r', ratePerSecond: Infinity, maxQueue: 1, clock }),
    ).toThrow(/got Infinity/);
    expect(() => createRateLimiter({ name: 'r', ratePerSecond: 1, maxQueue: 1.5, clock })).toThrow(
      /maxQueue must be an integer >= 0, got 1.5/,
    );
    expect(() =>
      createRateLimiter({ name: 'r', ratePerSecond: 1, maxQueue: 1, burst: 0.5, clock }),
    ).toThrow(/burst must be a finite number >= 1, got 0.5/);
  });
});
