import { describe, expect, it } from 'vitest';
import { isStepTimeoutError, StepTimeoutError } from '../errors.js';
import { FakeClock } from '../testing/fake-clock.js';
import { withTimeout } from './timeout.js';

const never = <T>() => new Promise<T>(() => undefined);

describe('withTimeout', () => {
  it('rejects with StepTimeoutError and aborts the signal even if fn never settles', async () => {
    const clock = new FakeClock();
    let seen: AbortSignal | undefined;
    const outcome = withTimeout(
      (signal) => {
        seen = signal;
        return never<string>();
      },
      { timeoutMs: 500, clock, label: 'score' },
    ).catch((e: unknown) => e);
    await clock.advance(499);
    expect(seen?.aborted).toBe(false);
    await clock.advance(1);
    const err = await outcome;
    expect(isStepTimeoutError(err)).toBe(true);
    expect(err).toMatchObject({ step: 'score', timeoutMs: 500, retryable: true });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(err);
  });

  it('resolves with fn and cancels its timer', async () => {
    const clock = new FakeClock();
    const value = await withTimeout(async () => 42, { timeoutMs: 500, clock, label: 's' });
    expect(value).toBe(42);
    expect(clock.pending()).toBe(0);
  });

  it('passes fn errors through and cancels the timer', async () => {
    const clock = new FakeClock();
    await expect(
      withTimeout(
        async () => {
          throw new Error('agent');
        },
        { timeoutMs: 500, clock, label: 's' },
      ),
    ).rejects.toThrow('agent');
    expect(clock.pending()).toBe(0);
  });

  it('turns a synchronous throw into a rejection', async () => {
    const clock = new FakeClock();
    const fn = (): Promise<never> => {
      throw new Error('sync');
    };
    await expect(withTimeout(fn, { timeoutMs: 5, clock, label: 's' })).rejects.toThrow('sync');
    expect(clock.pending()).toBe(0);
  });

  it('ignores a result that arrives after the timeout', async () => {
    const clock = new FakeClock();
    let finish!: (v: string) => void;
    const outcome = withTimeout(() => new Promise<string>((r) => (finish = r)), {
      timeoutMs: 10,
      clock,
      label: 's',
    }).catch((e: unknown) => e);
    await clock.advance(10);
    finish('late');
    expect(await outcome).toBeInstanceOf(StepTimeoutError);
  });

  it('aborts the attempt when the outer signal aborts, and removes its listener', async () => {
    const clock = new FakeClock();
    const outer = new AbortController();
    let seen: AbortSignal | undefined;
    const outcome = withTimeout(
      (signal) => {
        seen = signal;
        return never<void>();
      },
      { timeoutMs: 1_000, clock, label: 's', signal: outer.signal },
    );
    outer.abort(new Error('run cancelled'));
    await expect(outcome).rejects.toThrow('run cancelled');
    expect(seen?.aborted).toBe(true);
    expect(clock.pending()).toBe(0);
  });

  it('does not call fn when the outer signal is already aborted', async () => {
    const clock = new FakeClock();
    let called = false;
    await expect(
      withTimeout(
        async () => {
          called = true;
        },
        { timeoutMs: 10, clock, label: 's', signal: AbortSignal.abort(new Error('gone')) },
      ),
    ).rejects.toThrow('gone');
    expect(called).toBe(false);
  });

  it('works on a clock without the timer fast path, cancelling its sleep', async () => {
    const fake = new FakeClock();
    const clock = { now: () => fake.now(), sleep: fake.sleep.bind(fake) };
    await expect(
      withTimeout(async () => 'fast', { timeoutMs: 5, clock, label: 's' }),
    ).resolves.toBe('fast');
    await fake.advance(0);
    expect(fake.pending()).toBe(0);
    const slow = withTimeout(() => never<void>(), { timeoutMs: 5, clock, label: 's' }).catch(
      (e: unknown) => e,
    );
    await fake.advance(5);
    expect(isStepTimeoutError(await slow)).toBe(true);
  });

  it('sets no timer for an infinite timeout', async () => {
    const clock = new FakeClock();
    let finish!: () => void;
    const outcome = withTimeout(() => new Promise<void>((r) => (finish = r)), {
      timeoutMs: Number.POSITIVE_INFINITY,
      clock,
      label: 's',
    });
    expect(clock.pending()).toBe(0);
    finish();
    await expect(outcome).resolves.toBeUndefined();
  });
});
