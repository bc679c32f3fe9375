import { describe, expect, it } from 'vitest';
import { isInvalidArgumentError } from '../errors.js';
import { backoffDelay } from './backoff.js';

const B = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 };

describe('backoffDelay', () => {
  it('grows by factor per attempt and is capped at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, B))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('is constant with factor 1', () => {
    expect([1, 5, 9].map((n) => backoffDelay(n, { ...B, factor: 1 }))).toEqual([100, 100, 100]);
  });

  it('jitter only shortens the delay, by at most the jitter fraction', () => {
    const b = { ...B, jitter: 0.25 };
    expect(backoffDelay(3, b, () => 0)).toBe(400);
    expect(backoffDelay(3, b, () => 0.5)).toBe(350);
    expect(backoffDelay(3, b, () => 0.999_999)).toBeCloseTo(300, 3);
  });

  it('full jitter spreads over [0, base]', () => {
    const b = { ...B, jitter: 1 };
    expect(backoffDelay(2, b, () => 0)).toBe(200);
    expect(backoffDelay(2, b, () => 0.75)).toBe(50);
  });

  it('clamps a misbehaving random source', () => {
    const b = { ...B, jitter: 0.5 };
    expect(backoffDelay(1, b, () => 7)).toBe(50);
    expect(backoffDelay(1, b, () => -3)).toBe(100);
  });

  it('rejects an attempt that is not a positive integer', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) {
      let err: unknown;
      try {
        backoffDelay(n, B);
      } catch (e) {
        err = e;
      }
      expect(isInvalidArgumentError(err)).toBe(true);
      expect((err as Error).message).toContain(`got ${n}`);
    }
  });
});
