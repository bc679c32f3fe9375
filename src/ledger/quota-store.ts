/**
 * Fleet-wide quotas: limits on calls to a shared resource (a model's requests and tokens per
 * window, calls in flight) that every runtime and worker on one store respects together.
 *
 * Contract, the same on every backend:
 * - `take` judges and records a call in one transaction, serialized per key across processes,
 *   so two takers can never both get the last unit of a limit.
 * - A taken call counts against requests and tokens for `windowMs` after it was taken, and
 *   against concurrency until it is released or its lease (`leaseMs`) runs out, so a taker that
 *   died does not hold a slot forever.
 * - Nothing is ever granted past a limit: when the store cannot be reached, `take` throws
 *   (the caller waits and fails; it does not call without a grant).
 * - Quota rows live in the `records` table as kind `quota` (no table of their own); rows out of
 *   their window and released are deleted by the next `take` of the same key.
 */

/** Limits of one quota key. Absent limits are not enforced. */
export interface QuotaLimits {
  /** Calls per window. */
  readonly rpm?: number;
  /** Tokens per window (reserved from the estimate, settled on release). */
  readonly tpm?: number;
  /** Calls in flight at once. */
  readonly concurrency?: number;
  readonly windowMs: number;
}

/** A request for one call's worth of quota. */
export interface QuotaRequest {
  /** What the quota limits (e.g. `model:fast`). */
  readonly key: string;
  /** The taker's clock (ms since the epoch); windows are measured on the takers' clocks. */
  readonly now: number;
  /** Tokens reserved for the call until it is released with what it really used. */
  readonly estimate: number;
  /** How long the call holds its concurrency slot if it is never released. */
  readonly leaseMs: number;
  readonly limits: QuotaLimits;
}

/** The answer to a {@link QuotaRequest}. */
export type QuotaOutcome =
  | { readonly ok: true; readonly id: number }
  | { readonly ok: false; readonly kind: 'rpm' | 'tpm'; readonly retryInMs: number }
  /** In flight elsewhere: there is no telling when a slot frees, the caller polls. */
  | { readonly ok: false; readonly kind: 'concurrency' };

/** The quota side of a store (see the contract above). */
export interface QuotaStore {
  /**
   * Takes one call's worth of quota, or says which limit refused it.
   * @throws StoreUnavailableError (or the driver's error) when the store cannot be reached.
   */
  take(request: QuotaRequest): Promise<QuotaOutcome>;
  /**
   * Frees the call's concurrency slot and settles its tokens to `tokens` (kept at the estimate
   * when undefined). Releasing twice, or a row already deleted, is harmless.
   */
  release(key: string, id: number, tokens: number | undefined): Promise<void>;
}
