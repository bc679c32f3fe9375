import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createAbortLinker, linkDirectly } from './abort-link.js';

describe('abort linker', () => {
  it('keeps one listener on the signal however many subscribe, and none after the last leaves', () => {
    const link = createAbortLinker();
    const ctl = new AbortController();
    const unlinks = Array.from({ length: 50 }, () => link(ctl.signal, () => undefined));
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(1);
    for (const u of unlinks) u();
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
    link(ctl.signal, () => undefined);
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(1);
  });

  it('calls each current subscriber once with the reason, and not those that left', () => {
    const link = createAbortLinker();
    const ctl = new AbortController();
    const seen: [string, unknown][] = [];
    link(ctl.signal, (r) => seen.push(['a', r]));
    const leave = link(ctl.signal, (r) => seen.push(['b', r]));
    link(ctl.signal, (r) => seen.push(['c', r]));
    leave();
    const reason = new Error('stop');
    ctl.abort(reason);
    ctl.abort(new Error('again'));
    expect(seen).toEqual([
      ['a', reason],
      ['c', reason],
    ]);
  });

  it('links separate signals separately', () => {
    const link = createAbortLinker();
    const one = new AbortController();
    const two = new AbortController();
    let calls = 0;
    link(one.signal, () => calls++);
    link(two.signal, () => (calls += 10));
    one.abort();
    expect(calls).toBe(1);
    expect(getEventListeners(two.signal, 'abort')).toHaveLength(1);
  });

  it('linkDirectly adds and removes its own listener', () => {
    const ctl = new AbortController();
    let reason: unknown;
    const unlink = linkDirectly(ctl.signal, (r) => {
      reason = r;
    });
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(1);
    unlink();
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
    linkDirectly(ctl.signal, (r) => {
      reason = r;
    });
    ctl.abort('why');
    expect(reason).toBe('why');
  });
});
