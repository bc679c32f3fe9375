/**
 * The circuit breaker's state machine as pure functions, so the in-process breaker and the
 * store-backed shared breaker (shared-breaker.ts: state shared across processes) run exactly the
 * same logic:
 * `transitionBreaker(state, event, now, policy) -> state` and `breakerAdmission(state, now, policy)`.
 *
 * Invariants:
 * - closed → open after `failureThreshold` consecutive counted failures.
 * - open admits nothing until `openedAt + resetAfterMs`; the first caller after that becomes the
 *   single probe (open → half-open with `probeInFlight`); everyone else is rejected.
 * - half-open with a probe in flight admits nothing; a successful probe closes the breaker, a
 *   failed probe reopens it with a fresh `openedAt`; an uncounted probe outcome frees the probe
 *   slot (the next caller probes) without changing state.
 * - `generation` grows on every state change and every probe admission. An outcome carries the
 *   generation it was admitted under and is ignored if the breaker has moved on since, so a slow
 *   call admitted while closed can neither close an open breaker nor count twice.
 */
import type { ResolvedPolicy } from './policy.js';

/** The breaker part of a resolved policy. */
export type BreakerSettings = Exclude<ResolvedPolicy['breaker'], false>;

/** The state names, as shown by `rt.breakers()` and `baton breakers`. */
export type BreakerStateName = 'closed' | 'open' | 'half-open';

interface BreakerStateBase {
  /** Consecutive counted failures (kept while open so snapshots can show them). */
  readonly consecutiveFailures: number;
  /** Grows on every state change and probe admission; see the module invariants. */
  readonly generation: number;
  /** When the breaker entered this state. */
  readonly since: number;
  /** Why the breaker entered this state. */
  readonly reason: string;
}

/** The breaker's full state: a discriminated union on `state`. Plain data, JSON-safe. */
export type BreakerState =
  | (BreakerStateBase & { readonly state: 'closed' })
  | (BreakerStateBase & { readonly state: 'open'; readonly openedAt: number })
  | (BreakerStateBase & {
      readonly state: 'half-open';
      readonly openedAt: number;
      readonly probeInFlight: boolean;
    });

/** What happens to a breaker. Outcomes carry the generation their call was admitted under. */
export type BreakerEvent =
  | { readonly type: 'acquire' }
  | { readonly type: 'success'; readonly generation: number }
  | { readonly type: 'failure'; readonly generation: number; readonly error: string }
  | { readonly type: 'uncounted'; readonly generation: number };

/** Whether a call may go through now, and as what. */
export type BreakerAdmission =
  | { readonly kind: 'call' }
  | { readonly kind: 'probe' }
  | { readonly kind: 'reject'; readonly retryAfterMs: number };

/** The state of a new breaker. */
export function initialBreakerState(now: number): BreakerState {
  return { state: 'closed', consecutiveFailures: 0, generation: 0, since: now, reason: 'created' };
}

/**
 * What an `acquire` at `now` would do. Pure: it does not change the state.
 * A rejection's `retryAfterMs` is the time left in the reset period, or, while a probe is in
 * flight, a whole reset period (the worst case: the probe fails and the timer restarts).
 */
export function breakerAdmission(
  s: BreakerState,
  now: number,
  policy: BreakerSettings,
): BreakerAdmission {
  switch (s.state) {
    case 'closed':
      return { kind: 'call' };
    case 'open': {
      const left = s.openedAt + policy.resetAfterMs - now;
      return left > 0 ? { kind: 'reject', retryAfterMs: left } : { kind: 'probe' };
    }
    case 'half-open':
      return s.probeInFlight
        ? { kind: 'reject', retryAfterMs: policy.resetAfterMs }
        : { kind: 'probe' };
  }
}

/** Applies one event. Pure: returns the same object when nothing changes. */
export function transitionBreaker(
  s: BreakerState,
  e: BreakerEvent,
  now: number,
  policy: BreakerSettings,
): BreakerState {
  if (e.type === 'acquire') {
    if (breakerAdmission(s, now, policy).kind !== 'probe') return s;
    const openedAt = s.state === 'closed' ? now : s.openedAt;
    const reason =
      s.state === 'open' ? `reset period of ${policy.resetAfterMs} ms elapsed; probing` : s.reason;
    return {
      state: 'half-open',
      openedAt,
      probeInFlight: true,
      consecutiveFailures: s.consecutiveFailures,
      generation: s.generation + 1,
      since: s.state === 'open' ? now : s.since,
      reason,
    };
  }
  if (e.generation !== s.generation) return s;
  switch (s.state) {
    case 'closed':
      return closedOutcome(s, e, now, policy);
    case 'half-open':
      return probeOutcome(s, e, now);
    case 'open':
      // Only calls admitted while open could match, and open admits none.
      return s;
  }
}

type Outcome = Exclude<BreakerEvent, { type: 'acquire' }>;

function closedOutcome(
  s: BreakerState & { state: 'closed' },
  e: Outcome,
  now: number,
  policy: BreakerSettings,
): BreakerState {
  if (e.type === 'uncounted') return s;
  if (e.type === 'success')
    return s.consecutiveFailures === 0 ? s : { ...s, consecutiveFailures: 0 };
  const failures = s.consecutiveFailures + 1;
  if (failures < policy.failureThreshold) return { ...s, consecutiveFailures: failures };
  return {
    state: 'open',
    openedAt: now,
    consecutiveFailures: failures,
    generation: s.generation + 1,
    since: now,
    reason: `${failures} consecutive failure${failures === 1 ? '' : 's'} (last: ${e.error})`,
  };
}

function probeOutcome(
  s: BreakerState & { state: 'half-open' },
  e: Outcome,
  now: number,
): BreakerState {
  switch (e.type) {
    case 'uncounted':
      return { ...s, probeInFlight: false };
    case 'success':
      return {
        state: 'closed',
        consecutiveFailures: 0,
        generation: s.generation + 1,
        since: now,
        reason: 'probe succeeded',
      };
    case 'failure':
      return {
        state: 'open',
        openedAt: now,
        consecutiveFailures: s.consecutiveFailures + 1,
        generation: s.generation + 1,
        since: now,
        reason: `probe failed: ${e.error}`,
      };
  }
}
