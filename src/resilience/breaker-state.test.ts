import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BreakerState,
  breakerAdmission,
  initialBreakerState,
  transitionBreaker,
} from './breaker-state.js';

const POLICY = { failureThreshold: 2, resetAfterMs: 100 };

type Action =
  | { kind: 'acquire' }
  | { kind: 'finish'; index: number; outcome: 'success' | 'failure' | 'uncounted' }
  | { kind: 'wait'; ms: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.constant({ kind: 'acquire' as const }),
  fc.record({
    kind: fc.constant('finish' as const),
    index: fc.nat(20),
    outcome: fc.constantFrom('success' as const, 'failure' as const, 'uncounted' as const),
  }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 150 }) }),
);

describe('breaker state machine (pure)', () => {
  it('is pure: the same event on the same state gives an equal state and never mutates', () => {
    const s = initialBreakerState(0);
    const frozen = Object.freeze({ ...s });
    const a = transitionBreaker(frozen, { type: 'failure', generation: 0, error: 'x' }, 5, POLICY);
    const b = transitionBreaker(frozen, { type: 'failure', generation: 0, error: 'x' }, 5, POLICY);
    expect(a).toEqual(b);
    expect(frozen).toEqual(s);
  });

  it('returns the same object when an event changes nothing', () => {
    const s = initialBreakerState(0);
    expect(transitionBreaker(s, { type: 'acquire' }, 1, POLICY)).toBe(s);
    expect(transitionBreaker(s, { type: 'success', generation: 0 }, 1, POLICY)).toBe(s);
    expect(
      transitionBreaker(s, { type: 'failure', generation: 7, error: 'stale' }, 1, POLICY),
    ).toBe(s);
  });

  it('under any interleaving: one probe at a time, no admission while open, open means enough failures', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 80 }), (actions) => {
        let now = 0;
        let s: BreakerState = initialBreakerState(now);
        const inFlight: { generation: number; probe: boolean }[] = [];
        let lastGeneration = s.generation;
        for (const a of actions) {
          if (a.kind === 'wait') now += a.ms;
          else if (a.kind === 'acquire') {
            const admission = breakerAdmission(s, now, POLICY);
            if (s.state === 'open' && now < s.openedAt + POLICY.resetAfterMs) {
              expect(admission.kind).toBe('reject');
            }
            s = transitionBreaker(s, { type: 'acquire' }, now, POLICY);
            if (admission.kind !== 'reject') {
              inFlight.push({ generation: s.generation, probe: admission.kind === 'probe' });
            }
          } else if (inFlight.length > 0) {
            const [permit] = inFlight.splice(a.index % inFlight.length, 1);
            if (!permit) continue;
            const e =
              a.outcome === 'failure'
                ? { type: a.outcome, generation: permit.generation, error: 'e' }
                : { type: a.outcome, generation: permit.generation };
            s = transitionBreaker(s, e, now, POLICY);
          }
          expect(s.generation).toBeGreaterThanOrEqual(lastGeneration);
          lastGeneration = s.generation;
          const liveProbes = inFlight.filter((p) => p.probe && p.generation === s.generation);
          expect(liveProbes.length).toBeLessThanOrEqual(1);
          if (s.state === 'half-open') expect(liveProbes.length).toBe(s.probeInFlight ? 1 : 0);
          if (s.state === 'open') {
            expect(s.consecutiveFailures).toBeGreaterThanOrEqual(POLICY.failureThreshold);
          }
          if (s.state === 'closed') {
            expect(s.consecutiveFailures).toBeLessThan(POLICY.failureThreshold);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps state JSON-safe so a store can persist and share it', () => {
    let s = initialBreakerState(0);
    s = transitionBreaker(s, { type: 'failure', generation: 0, error: 'a' }, 1, POLICY);
    s = transitionBreaker(s, { type: 'failure', generation: 0, error: 'b' }, 2, POLICY);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s).toMatchObject({
      state: 'open',
      openedAt: 2,
      reason: '2 consecutive failures (last: b)',
    });
  });
});
