import { describe, expect, it } from 'vitest';
import { isInvalidArgumentError } from '../errors.js';
import { FakeClock } from './fake-clock.js';

describe('FakeClock', () => {
  it('starts at the given time and only moves when advanced', async () => {
    const clock = new FakeClock(1_000);
    expect(clock.now()).toBe(1_000);
    await clock.advance(250);
    expect(clock.now()).toBe(1_250);
  });

  it('wakes due sleepers in time order, with now() equal to each due time', async () => {
    const clock = new FakeClock();
    const woke: [string, number][] = [];
    const track = (label: string, ms: number) =>
      clock.sleep(ms).then(() => woke.push([label, clock.now()]));
    void track('c', 30);
    void track('a', 10);
    void track('b', 20);
    void track('late', 100);
    expect(clock.pending()).toBe(4);
    await clock.advance(50);
    expect(woke).toEqual([
      ['a', 10],
      ['b', 20],
      ['c', 30],
    ]);
    expect(clock.pending()).toBe(1);
    expect(clock.now()).toBe(50);
  });

  it('wakes sleepers registered by continuations within the same advance', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const chain = async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10);
        times.push(clock.now());
      }
    };
    const done = chain();
    await clock.advance(30);
    await done;
    expect(times).toEqual([10, 20, 30]);
  });

  it('keeps ties in registration order', async () => {
    const clock = new FakeClock();
    const order: number[] = [];
    for (let i = 0; i < 5; i++) void clock.sleep(5).then(() => order.push(i));
    await clock.advance(5);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('removes an aborted sleeper and rejects it with the reason', async () => {
    const clock = new FakeClock();
    const ctl = new AbortController();
    const sleeping = clock.sleep(100, ctl.signal);
    expect(clock.pending()).toBe(1);
    ctl.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pending()).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const clock = new FakeClock();
    await expect(clock.sleep(1, AbortSignal.abort(new Error('early')))).rejects.toThrow('early');
    expect(clock.pending()).toBe(0);
  });

  it('fires timers in order with sleepers and lets them be cancelled', async () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    clock.timer(20, () => fired.push('timer@20'));
    const cancel = clock.timer(10, () => fired.push('cancelled'));
    void clock.sleep(15).then(() => fired.push('sleep@15'));
    cancel();
    expect(clock.pending()).toBe(2);
    await clock.advance(30);
    expect(fired).toEqual(['sleep@15', 'timer@20']);
    expect(clock.pending()).toBe(0);
  });

  it('next() jumps to the next due sleeper', async () => {
    const clock = new FakeClock();
    let woke = false;
    void clock.sleep(42).then(() => {
      woke = true;
    });
    expect(await clock.next()).toBe(true);
    expect(woke).toBe(true);
    expect(clock.now()).toBe(42);
    expect(await clock.next()).toBe(false);
  });

  it('rejects a negative advance and a non-finite start', async () => {
    const clock = new FakeClock();
    await expect(clock.advance(-1)).rejects.toSatisfy(isInvalidArgumentError);
    expect(() => new FakeClock(Number.NaN)).toThrow(/start must be finite/);
  });
});
