/**
 * A gateway model's limits held in the store, for a fleet: every runtime and worker whose gateway
 * names the same store and model id shares one rpm, tpm and concurrency budget.
 *
 * Invariants:
 * - No call starts without a grant from the store; a store error is never read as a grant.
 * - This process sends one take per model to the store at a time, in arrival order, and
 *   remembers a refusal until it can change (the window slides, or a poll interval for
 *   concurrency), so a thousand waiting calls cost a handful of transactions, not a thousand.
 */
import type { Clock, QuotaLimits, QuotaStore } from '../index.js';

/** A grant of fleet quota for one call. */
export interface FleetGrant {
  readonly ok: true;
  /**
   * Frees the concurrency slot and settles the tokens (undefined: keep the estimate); resolves
   * once the store has it. Never rejects: a slot whose release failed is freed by its lease.
   */
  release(tokens: number | undefined): Promise<void>;
}

/** A refusal of fleet quota, with when to ask again. */
export interface FleetRefusal {
  readonly ok: false;
  readonly kind: 'rpm' | 'tpm' | 'concurrency';
  readonly retryInMs: number;
}

/** The store-held limits of one model. */
export class FleetQuota {
  private tail: Promise<void> = Promise.resolve();
  private blocked: { readonly until: number; readonly kind: 'rpm' | 'concurrency' } | undefined;

  constructor(
    private readonly store: QuotaStore,
    readonly key: string,
    private readonly limits: QuotaLimits,
    private readonly leaseMs: number,
    private readonly pollMs: number,
    private readonly clock: Clock,
    private readonly onRelease: () => void,
  ) {}

  /**
   * Takes quota for a call estimated at `estimate` tokens, or says why not.
   * @throws the store's error when it cannot be reached (the caller waits, then fails).
   */
  async take(estimate: number): Promise<FleetGrant | FleetRefusal> {
    const before = this.tail;
    let done!: () => void;
    this.tail = new Promise<void>((resolve) => {
      done = resolve;
    });
    await before;
    try {
      const now = this.clock.now();
      if (this.blocked && now < this.blocked.until)
        return { ok: false, kind: this.blocked.kind, retryInMs: this.blocked.until - now };
      this.blocked = undefined;
      const out = await this.store.take({
        key: this.key,
        now,
        estimate,
        leaseMs: this.leaseMs,
        limits: this.limits,
      });
      if (out.ok) return this.grant(out.id);
      const retryInMs = out.kind === 'concurrency' ? this.pollMs : out.retryInMs;
      // A tpm refusal depends on the estimate: a smaller call may fit, so it is not remembered.
      if (out.kind !== 'tpm') this.blocked = { until: now + retryInMs, kind: out.kind };
      return { ok: false, kind: out.kind, retryInMs };
    } finally {
      done();
    }
  }

  private grant(id: number): FleetGrant {
    let released = false;
    return {
      ok: true,
      release: async (tokens) => {
        if (released) return;
        released = true;
        // A failed release leaves the slot to its lease; the limit still holds meanwhile.
        await this.store
          .release(this.key, id, tokens)
          .catch(() => undefined)
          .finally(() => {
            // A slot this process freed can be taken at once, without waiting out the poll.
            if (this.blocked?.kind === 'concurrency') this.blocked = undefined;
            this.onRelease();
          });
      },
    };
  }
}
