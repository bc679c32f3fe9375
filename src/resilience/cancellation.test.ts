import { describe, expect, it } from 'vitest';
import { Cancellation, callerAbortReason, toAbortSignal } from './cancellation.js';

describe('Cancellation', () => {
  it('calls each current subscriber once with the reason, not those that left or came late', () => {
    const c = new Cancellation();
    const seen: string[] = [];
    c.subscribe((r) => seen.push(`a:${String(r)}`));
    const leave = c.subscribe((r) => seen.push(`b:${String(r)}`));
    leave();
    c.abort('stop');
    c.abort('again');
    c.subscribe((r) => seen.push(`late:${String(r)}`));
    expect(seen).toEqual(['a:stop']);
    expect(c.aborted).toBe(true);
    expect(c.reason).toBe('stop');
    expect(callerAbortReason(c)).toBe('stop');
  });

  it('creates no AbortSignal until read; one read after the abort is already aborted', () => {
    const c = new Cancellation();
    const reason = new Error('lease lost');
    c.abort(reason);
    const signal = toAbortSignal(c)!;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(c.signal).toBe(signal);
  });

  it('aborts an AbortSignal read before the abort, with the same reason', () => {
    const c = new Cancellation();
    const signal = c.signal;
    let heard: unknown;
    signal.addEventListener('abort', () => {
      heard = signal.reason;
    });
    c.abort('cancelled');
    expect(heard).toBe('cancelled');
  });

  it('passes a real AbortSignal through unchanged', () => {
    const ctl = new AbortController();
    expect(toAbortSignal(ctl.signal)).toBe(ctl.signal);
    ctl.abort('x');
    expect(callerAbortReason(ctl.signal)).toBe('x');
  });
});
