/**
 * Fault injection for the demo: a hook every agent awaits before doing its work. It adds the
 * simulated latency of a remote call and, depending on the level, fails it.
 *
 * Invariants:
 * - Injected through the agents' constructor (see ./agents.ts): no global state, one instance per
 *   process, so the worker child and the parent each have their own.
 * - Latency, transient income failures and notify failures are drawn from a hash of (seed, step,
 *   applicant, attempt): the same in every process and on every rerun. Only the fraud outage
 *   depends on time, as a real outage does.
 * - A fault never changes an agent's answer: it delays or fails the call, so every decision
 *   that completes must still equal the oracle's.
 */

/** How much goes wrong. */
export type FaultLevel = 'off' | 'default' | 'heavy';

/** Every fault level, for flag validation. */
export const FAULT_LEVELS: readonly FaultLevel[] = ['off', 'default', 'heavy'];

/** What a fault level injects. */
export interface FaultSettings {
  /** Simulated latency of each agent call, uniform in [min, max] ms. */
  readonly latencyMs: readonly [number, number];
  /** Probability that one income-verification attempt fails (transient: retried). */
  readonly incomeFailureRate: number;
  /** Fraud detection is hard down (calls hang until their timeout) for a while. */
  readonly fraudOutage: { readonly afterCalls: number; readonly durationMs: number } | null;
  /** Share of applicants whose notification cannot be delivered (every attempt fails). */
  readonly notifyFailureRate: number;
}

/** The presets behind `--faults`. */
export const FAULT_PRESETS: Readonly<Record<FaultLevel, FaultSettings>> = {
  off: { latencyMs: [1, 5], incomeFailureRate: 0, fraudOutage: null, notifyFailureRate: 0 },
  default: {
    latencyMs: [1, 5],
    incomeFailureRate: 0.05,
    fraudOutage: { afterCalls: 40, durationMs: 1200 },
    notifyFailureRate: 0.02,
  },
  heavy: {
    latencyMs: [1, 8],
    incomeFailureRate: 0.15,
    fraudOutage: { afterCalls: 40, durationMs: 2500 },
    notifyFailureRate: 0.05,
  },
};

/** The calls a hook can fault. */
export type FaultSite = 'score' | 'income' | 'fraud' | 'risk' | 'decision' | 'review' | 'notify';

/** What the hook did, for the summary. */
export interface FaultStats {
  readonly incomeFailures: number;
  readonly fraudDownCalls: number;
  readonly notifyFailures: number;
  /** When the fraud outage began and ended (epoch ms), once it has begun. */
  readonly fraudOutage: { readonly from: number; readonly until: number } | null;
}

/** The hook agents call before their work. */
export interface Faults {
  /**
   * Waits the call's simulated latency, then throws if this call is to fail.
   * @throws Error (a simulated remote failure) or the signal's reason when aborted.
   */
  before(site: FaultSite, applicantId: string, attempt: number, signal: AbortSignal): Promise<void>;
  stats(): FaultStats;
}

/** A simulated remote failure. */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

/** A number in [0, 1) from a string (FNV-1a, then an integer mix). */
export function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4_294_967_296;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits until the signal aborts: a call to a service that never answers. */
const hang = (signal: AbortSignal): Promise<void> => sleep(2 ** 31 - 1, signal);

/**
 * Creates the hook for one process.
 * @throws RangeError when a rate is outside [0, 1] or a latency is negative.
 */
export function createFaults(
  settings: FaultSettings,
  seed: number,
  now: () => number = Date.now,
): Faults {
  for (const [k, v] of [
    ['incomeFailureRate', settings.incomeFailureRate],
    ['notifyFailureRate', settings.notifyFailureRate],
  ] as const) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${k} must be in [0, 1], got ${v}`);
  }
  const [minMs, maxMs] = settings.latencyMs;
  if (!(minMs >= 0 && maxMs >= minMs))
    throw new RangeError(
      `latencyMs must be [min, max] with 0 <= min <= max, got [${minMs}, ${maxMs}]`,
    );
  let fraudCalls = 0;
  let outage: { from: number; until: number } | null = null;
  let incomeFailures = 0;
  let fraudDownCalls = 0;
  let notifyFailures = 0;

  const fraudIsDown = (): boolean => {
    const plan = settings.fraudOutage;
    if (!plan) return false;
    fraudCalls++;
    if (outage === null && fraudCalls > plan.afterCalls) {
      const t = now();
      outage = { from: t, until: t + plan.durationMs };
    }
    return outage !== null && now() < outage.until;
  };

  return {
    async before(site, applicantId, attempt, signal) {
      const key = `${seed}:${site}:${applicantId}`;
      await sleep(
        minMs + Math.floor(unitHash(`${key}:${attempt}:latency`) * (maxMs - minMs + 1)),
        signal,
      );
      if (site === 'income' && unitHash(`${key}:${attempt}`) < settings.incomeFailureRate) {
        incomeFailures++;
        throw new InjectedFault(
          `income verification: payroll provider answered 503 (attempt ${attempt})`,
        );
      }
      if (site === 'fraud' && fraudIsDown()) {
        fraudDownCalls++;
        await hang(signal);
      }
      if (site === 'notify' && unitHash(key) < settings.notifyFailureRate) {
        notifyFailures++;
        throw new InjectedFault(`notify: mailbox of ${applicantId} rejected the message`);
      }
    },
    stats: () => ({ incomeFailures, fraudDownCalls, notifyFailures, fraudOutage: outage }),
  };
}
