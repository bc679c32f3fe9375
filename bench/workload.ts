/**
 * The reference workload of DESIGN.md, shared by every implementation in the benchmark:
 * score, income and fraud run in parallel from the application; risk needs score and income;
 * decision needs risk and fraud.
 *
 * Invariants:
 * - Step functions are pure and deterministic (integer arithmetic only), so the same
 *   application always yields the same decision in any implementation and any process.
 * - Every step's output feeds the final decision (through `basis` and `check`), so a skipped,
 *   duplicated or miswired step, or a result delivered to the wrong run, changes the decision
 *   and fails `verifyDecisions`.
 * - The generator is seeded: two processes given the same seed build the same applications.
 */

/** A loan application: the workflow input. */
export interface App {
  readonly id: string;
  readonly age: number;
  readonly annualIncome: number;
  readonly declaredIncome: number;
  readonly requestedAmount: number;
  readonly historyMonths: number;
  readonly missedPayments: number;
  readonly accountAgeDays: number;
  readonly ipRisk: number;
  readonly deviceMismatch: boolean;
}

/** Output of the credit-score step. */
export interface Score {
  readonly score: number;
  readonly band: string;
}

/** Output of the income-verification step. */
export interface Income {
  readonly verified: boolean;
  readonly monthlyIncome: number;
  readonly debtRatio: number;
}

/** Output of the fraud-detection step. */
export interface Fraud {
  readonly flagged: boolean;
  readonly fraudScore: number;
}

/** Output of the risk-assessment step. */
export interface Risk {
  readonly rating: 'A' | 'B' | 'C' | 'D';
  readonly defaultBps: number;
  /** Digest of score and income: proves both reached this step. */
  readonly basis: number;
}

/** Output of the final-approval step: the workflow's result. */
export interface Decision {
  readonly applicationId: string;
  readonly approved: boolean;
  readonly rateBps: number;
  readonly reason: string;
  /** Digest of risk and fraud (and, through `basis`, of every step). */
  readonly check: number;
}

/** How steps behave: pure arithmetic, or an awaited 10 ms (an LLM or HTTP call) first. */
export type StepMode = 'trivial' | 'io';

/** Number of steps (agent calls) in one run of the workload. */
export const STEPS_PER_RUN = 5;

/** How long an `io` step waits before computing, in milliseconds. */
export const IO_DELAY_MS = 10;

const MOD = 1_000_003;

/** The credit-score step. */
export function computeScore(app: App): Score {
  const raw =
    420 +
    Math.min(app.historyMonths, 240) +
    Math.floor(app.annualIncome / 2_500) -
    app.missedPayments * 25 +
    (app.age > 25 ? 40 : 0);
  const score = Math.max(300, Math.min(850, raw));
  const band = score >= 740 ? 'prime' : score >= 620 ? 'near-prime' : 'subprime';
  return { score, band };
}

/** The income-verification step. */
export function computeIncome(app: App): Income {
  const gap = Math.abs(app.declaredIncome - app.annualIncome);
  const verified = gap * 10 <= app.annualIncome;
  const monthlyIncome = Math.floor(app.annualIncome / 12);
  const debtRatio = Math.floor((app.requestedAmount * 100) / Math.max(1, app.annualIncome));
  return { verified, monthlyIncome, debtRatio };
}

/** The fraud-detection step. */
export function computeFraud(app: App): Fraud {
  const fraudScore =
    app.ipRisk + (app.deviceMismatch ? 30 : 0) + (app.accountAgeDays < 30 ? 25 : 0);
  return { flagged: fraudScore >= 90, fraudScore };
}

/** The risk-assessment step: needs score and income. */
export function computeRisk(input: { readonly score: Score; readonly income: Income }): Risk {
  const { score, income } = input;
  let points = score.score - Math.floor(income.debtRatio / 2) - (income.verified ? 0 : 120);
  if (score.band === 'prime') points += 20;
  const rating = points >= 680 ? 'A' : points >= 580 ? 'B' : points >= 480 ? 'C' : 'D';
  const defaultBps = Math.max(10, 2_000 - Math.max(0, points) * 2);
  const basis = (score.score * 1_009 + income.monthlyIncome * 7 + income.debtRatio * 131) % MOD;
  return { rating, defaultBps, basis };
}

/** The final-approval step: needs risk and fraud; `applicationId` comes from the input. */
export function computeDecision(input: {
  readonly applicationId: string;
  readonly risk: Risk;
  readonly fraud: Fraud;
}): Decision {
  const { risk, fraud } = input;
  const approved = !fraud.flagged && (risk.rating === 'A' || risk.rating === 'B');
  const reason = fraud.flagged ? 'fraud' : approved ? 'ok' : `risk-${risk.rating}`;
  const rateBps = approved ? 300 + Math.floor(risk.defaultBps / 4) : 0;
  const check = (risk.basis * 7 + risk.defaultBps * 13 + fraud.fraudScore * 101) % MOD;
  return { applicationId: input.applicationId, approved, rateBps, reason, check };
}

/** The correct decision for an application, computed directly (no runtime involved). */
export function oracle(app: App): Decision {
  const risk = computeRisk({ score: computeScore(app), income: computeIncome(app) });
  return computeDecision({ applicationId: app.id, risk, fraud: computeFraud(app) });
}

/** The five steps as async agents, in the given mode. */
export interface StepFns {
  readonly score: (app: App) => Promise<Score>;
  readonly income: (app: App) => Promise<Income>;
  readonly fraud: (app: App) => Promise<Fraud>;
  readonly risk: (input: { readonly score: Score; readonly income: Income }) => Promise<Risk>;
  readonly decision: (input: {
    readonly applicationId: string;
    readonly risk: Risk;
    readonly fraud: Fraud;
  }) => Promise<Decision>;
}

/** Builds the step functions every implementation calls, so all do exactly the same work. */
export function stepFns(mode: StepMode): StepFns {
  if (mode !== 'trivial' && mode !== 'io') {
    throw new TypeError(`step mode must be 'trivial' or 'io', got ${JSON.stringify(mode)}`);
  }
  const wrap = <I, O>(fn: (input: I) => O): ((input: I) => Promise<O>) =>
    mode === 'trivial'
      ? async (input) => fn(input)
      : async (input) => {
          await new Promise<void>((resolve) => setTimeout(resolve, IO_DELAY_MS));
          return fn(input);
        };
  return {
    score: wrap(computeScore),
    income: wrap(computeIncome),
    fraud: wrap(computeFraud),
    risk: wrap(computeRisk),
    decision: wrap(computeDecision),
  };
}

/** A small seeded PRNG (mulberry32): deterministic across processes and platforms. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Builds `count` applications from `seed`, ids `app-<seed>-<index>`.
 * @throws RangeError when count is not a non-negative integer.
 */
export function generateApplications(seed: number, count: number): App[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const apps: App[] = [];
  for (let i = 0; i < count; i++) {
    const annualIncome = int(12_000, 250_000);
    // One application in five overstates its income by more than 10%.
    const declaredIncome = rnd() < 0.2 ? Math.floor(annualIncome * 1.3) : annualIncome;
    apps.push({
      id: `app-${seed}-${i}`,
      age: int(18, 80),
      annualIncome,
      declaredIncome,
      requestedAmount: int(1_000, 80_000),
      historyMonths: int(0, 360),
      missedPayments: int(0, 6),
      accountAgeDays: int(0, 3_650),
      ipRisk: int(0, 99),
      deviceMismatch: rnd() < 0.15,
    });
  }
  return apps;
}

/** True when two decisions are equal field by field (key order does not matter). */
export function sameDecision(a: Decision | undefined, b: Decision): boolean {
  return (
    a !== undefined &&
    a !== null &&
    a.applicationId === b.applicationId &&
    a.approved === b.approved &&
    a.rateBps === b.rateBps &&
    a.reason === b.reason &&
    a.check === b.check
  );
}

/**
 * Checks that `decisions[i]` equals `oracle(apps[i])` for every i.
 * @throws Error naming how many decisions are wrong and the first few, so a bench that
 *   skipped or mixed up work fails loudly instead of reporting a fast figure.
 */
export function verifyDecisions(
  label: string,
  apps: readonly App[],
  decisions: readonly (Decision | undefined)[],
): void {
  if (decisions.length !== apps.length) {
    throw new Error(`${label}: ${decisions.length} decisions for ${apps.length} applications`);
  }
  const wrong: string[] = [];
  let count = 0;
  apps.forEach((app, i) => {
    const expected = oracle(app);
    if (!sameDecision(decisions[i], expected)) {
      count++;
      if (wrong.length < 3) {
        wrong.push(
          `#${i}: got ${JSON.stringify(decisions[i])}, expected ${JSON.stringify(expected)}`,
        );
      }
    }
  });
  if (count > 0) {
    throw new Error(
      `${label}: ${count} of ${apps.length} decisions differ from the oracle\n  ${wrong.join('\n  ')}`,
    );
  }
}

/**
 * Runs tasks 0, 1, 2, ... with at most `inFlight` in flight at once (a bounded pool), until
 * `total` have started or `stop()` returns true when a worker is about to start another (a time
 * budget). Resolves with how many ran (always tasks 0..n-1, all finished); rejects on the first
 * failure.
 * @throws RangeError for a non-positive `inFlight` or a negative `total`.
 */
export async function runPool(
  total: number,
  inFlight: number,
  task: (index: number) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<number> {
  if (!Number.isInteger(inFlight) || inFlight < 1) {
    throw new RangeError(`inFlight must be a positive integer, got ${inFlight}`);
  }
  if (!Number.isInteger(total) || total < 0) {
    throw new RangeError(`total must be a non-negative integer, got ${total}`);
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total && !stop()) {
      const i = next++;
      await task(i);
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(inFlight, total); w++) workers.push(worker());
  await Promise.all(workers);
  return next;
}
