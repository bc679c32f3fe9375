/**
 * One model of a gateway: its limits (requests and tokens per window, calls in flight) and its
 * breaker. A lane never waits; it says whether a call may start now and, if not, why and when
 * to ask again. The gateway does the waiting and the falling back.
 *
 * Invariants:
 * - Windows slide: a request or a token reservation counts for `windowMs` after it was taken.
 * - Tokens are reserved from the call's estimate when it starts and settled to what the
 *   response reported, so a burst of large prompts cannot overshoot the limit by much.
 * - The breaker opens after `failureThreshold` consecutive failures, lets one probe through
 *   after `resetAfterMs`, and closes on the probe's success.
 */

/** Breaker settings of a gateway model. */
export interface ModelBreakerOptions {
  /** Consecutive failures that open the breaker (default 3). */
  readonly failureThreshold?: number;
  /** How long it stays open before one probe call (default 30 s). */
  readonly resetAfterMs?: number;
}

/** Limits of a gateway model. */
export interface LaneLimits {
  readonly rpm?: number;
  readonly tpm?: number;
  readonly concurrency?: number;
  readonly windowMs: number;
  readonly breaker: Required<ModelBreakerOptions> | false;
}

/** Why a lane refused a call. */
export type LaneRefusal =
  | { readonly ok: false; readonly kind: 'rpm' | 'tpm'; readonly retryInMs: number }
  | { readonly ok: false; readonly kind: 'concurrency' }
  | { readonly ok: false; readonly kind: 'breaker'; readonly retryInMs: number };

/** A started call's hold on its lane. */
export interface LaneLease {
  readonly ok: true;
  /** Replaces the reservation with what the call really used. */
  settle(tokens: number): void;
  /** Frees the concurrency slot and tells the breaker how the call went. */
  release(outcome: 'success' | 'failure' | 'aborted'): void;
  /** Undoes a take whose call never started (refused elsewhere): no breaker effect, no wake. */
  cancel(): void;
}

type Breaker =
  | { readonly state: 'closed'; readonly failures: number }
  | { readonly state: 'open'; readonly openedAt: number }
  | { readonly state: 'half-open' };

interface Reservation {
  readonly at: number;
  tokens: number;
}

/** A snapshot of a lane, for `gateway.stats()`. */
export interface LaneStats {
  readonly id: string;
  readonly inFlight: number;
  readonly requestsInWindow: number;
  readonly tokensInWindow: number;
  readonly breaker: 'closed' | 'open' | 'half-open';
}

/** The limits and breaker of one model. */
export class ModelLane {
  private inFlight = 0;
  private readonly requests: number[] = [];
  private readonly reservations: Reservation[] = [];
  private breaker: Breaker = { state: 'closed', failures: 0 };

  constructor(
    readonly id: string,
    private readonly limits: LaneLimits,
    private readonly now: () => number,
    private readonly onRelease: () => void,
  ) {}

  /** Takes a slot for a call estimated at `estimate` tokens, or says why not. */
  tryTake(estimate: number, now: number): LaneLease | LaneRefusal {
    const { rpm, tpm, concurrency, windowMs, breaker } = this.limits;
    this.prune(now);
    if (breaker && this.breaker.state !== 'closed') {
      if (this.breaker.state === 'half-open') return { ok: false, kind: 'concurrency' };
      const due = this.breaker.openedAt + breaker.resetAfterMs;
      if (now < due) return { ok: false, kind: 'breaker', retryInMs: due - now };
    }
    if (concurrency !== undefined && this.inFlight >= concurrency)
      return { ok: false, kind: 'concurrency' };
    if (rpm !== undefined && this.requests.length >= rpm)
      return { ok: false, kind: 'rpm', retryInMs: this.requests[0]! + windowMs - now };
    if (tpm !== undefined) {
      const wait = this.tokenWait(estimate, tpm, now);
      if (wait > 0) return { ok: false, kind: 'tpm', retryInMs: wait };
    }
    // An open breaker whose reset period passed lets this one call through as its probe.
    if (this.breaker.state === 'open') this.breaker = { state: 'half-open' };
    this.inFlight++;
    this.requests.push(now);
    const reservation: Reservation = { at: now, tokens: estimate };
    this.reservations.push(reservation);
    let released = false;
    return {
      ok: true,
      settle: (tokens) => {
        if (tokens > 0) reservation.tokens = tokens;
      },
      release: (outcome) => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.record(outcome, this.now());
        this.onRelease();
      },
      cancel: () => {
        if (released) return;
        released = true;
        this.inFlight--;
        const r = this.requests.lastIndexOf(now);
        if (r >= 0) this.requests.splice(r, 1);
        const t = this.reservations.indexOf(reservation);
        if (t >= 0) this.reservations.splice(t, 1);
        if (this.breaker.state === 'half-open') this.breaker = { state: 'open', openedAt: 0 };
      },
    };
  }

  /** The lane's current state. */
  stats(now: number): LaneStats {
    this.prune(now);
    return {
      id: this.id,
      inFlight: this.inFlight,
      requestsInWindow: this.requests.length,
      tokensInWindow: this.reservations.reduce((s, r) => s + r.tokens, 0),
      breaker: this.breaker.state,
    };
  }

  /** Milliseconds until `estimate` more tokens fit in the window (0: now). */
  private tokenWait(estimate: number, tpm: number, now: number): number {
    let used = 0;
    for (const r of this.reservations) used += r.tokens;
    // A call larger than the whole limit runs alone rather than never.
    if (used + estimate <= tpm || used === 0) return 0;
    for (const r of this.reservations) {
      used -= r.tokens;
      if (used + estimate <= tpm) return r.at + this.limits.windowMs - now;
    }
    return this.limits.windowMs;
  }

  private record(outcome: 'success' | 'failure' | 'aborted', at: number): void {
    const settings = this.limits.breaker;
    if (!settings || outcome === 'aborted') {
      // An aborted probe proved nothing: the next call probes again.
      if (this.breaker.state === 'half-open') this.breaker = { state: 'open', openedAt: 0 };
      return;
    }
    if (outcome === 'success') {
      this.breaker = { state: 'closed', failures: 0 };
      return;
    }
    const failures = this.breaker.state === 'closed' ? this.breaker.failures + 1 : Infinity;
    this.breaker =
      failures >= settings.failureThreshold
        ? { state: 'open', openedAt: at }
        : { state: 'closed', failures };
  }

  private prune(now: number): void {
    const since = now - this.limits.windowMs;
    while (this.requests.length > 0 && this.requests[0]! <= since) this.requests.shift();
    while (this.reservations.length > 0 && this.reservations[0]!.at <= since)
      this.reservations.shift();
  }
}
