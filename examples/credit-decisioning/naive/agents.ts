/**
 * The five credit agents wired the naive way, as in the founding incident. Every agent's logic
 * is the correct pure function from ../domain/logic.ts; only the data plumbing is naive: the
 * agents share one mutable customer row per applicant (SQLite, ./customer-db.ts) and read it
 * through a read-through cache that writes never invalidate (./cache.ts).
 *
 * How a wrong decision happens, step by step (one applicant; times are simulated I/O):
 * 1. Intake inserts the customer row. Score, income and fraud agents start together; risk and
 *    decision start too and poll the row, through the cache, for the fields they need.
 * 2. The score agent does a quick bureau pull (summary data only: the tradeline details are
 *    assumed at population averages) and UPDATEs the row with a provisional score — say 680 —
 *    so that downstream work can start early.
 * 3. The risk agent's next poll finds a score: the cache misses, loads 680 from the database
 *    and caches it for the TTL. Income is not verified yet, so the risk agent keeps polling.
 * 4. A few ms later the full bureau pull lands and the score agent UPDATEs the row to the
 *    refined score, 750. The write goes to the database only; the cache still holds 680.
 * 5. Income verification writes its result. The risk agent's poll now has everything: income
 *    from the database (never cached before), the score from the cache — 680, although the
 *    database has said 750 for several ms. It rates the applicant on 680 (B instead of A, or C
 *    instead of B...) and writes that rating.
 * 6. The decision agent reads the wrong rating and fraud result and decides: a wrong rate, a
 *    referral that should have been an approval, or an approval that should have been referred.
 * 7. Afterwards the row looks right — its score column says 750 — and only the rating's own
 *    `creditScore` (680) shows what happened. Nothing records which version of the row the risk
 *    agent saw, which is why the real incident took two days to trace.
 * When income lands before the refined score (step 5 before step 4) the risk agent reads 680
 * even without a cache: that is the plain race of reading shared mutable state mid-update. The
 * cache turns that narrow window into one as long as its TTL. Either way the rating was computed
 * from a score that is not the one finally stored, and the oracle (which reads each agent's
 * output exactly once, when it is complete) disagrees.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { DeepReadonly } from '../domain/baton.js';
import type { Application, CreditScore } from '../domain/contracts.js';
import { assessRisk, creditScore, decide, detectFraud, verifyIncome } from '../domain/logic.js';
import type { CustomerCache } from './cache.js';
import type { CustomerDb } from './customer-db.js';

/** Simulated I/O latency of each agent's external call, in ms. */
export interface Latency {
  readonly quickPull: number;
  readonly fullPull: number;
  readonly income: number;
  readonly fraud: number;
  readonly risk: number;
  readonly decision: number;
}

/** What the naive agents of one applicant share. */
export interface NaiveContext {
  readonly db: CustomerDb;
  readonly cache: CustomerCache;
  readonly latency: Latency;
  /** Interval between two polls of the customer row, in ms. */
  readonly pollMs: number;
}

/** What the risk agent read, for the report (observed, not used by any agent). */
export interface RiskRead {
  /** The score the risk agent got from the cache and rated on. */
  readonly scoreRead: number;
  /** The score the database held at that same moment. */
  readonly scoreInDatabase: number | null;
}

/** Tradeline details a quick (soft) bureau pull does not return, assumed at typical values. */
const SOFT_PULL_ASSUMPTIONS = { creditAgeMonths: 96, recentInquiries: 1, openAccounts: 5 };

/** The provisional score from a quick bureau pull: the real scoring function on summary data. */
export function softPullScore(app: DeepReadonly<Application>): CreditScore {
  return creditScore({ ...app, bureau: { ...app.bureau, ...SOFT_PULL_ASSUMPTIONS } });
}

async function poll<T>(ctx: NaiveContext, probe: () => T | null): Promise<T> {
  for (;;) {
    const found = probe();
    if (found !== null) return found;
    await delay(ctx.pollMs);
  }
}

function application(ctx: NaiveContext, id: string): Application {
  const app = ctx.cache.get(id, 'application');
  if (app === null) throw new Error(`customer ${id} has no application row`);
  return app;
}

/** Score agent: writes a provisional score from a quick pull, then rewrites it when refined. */
export async function naiveScoreAgent(ctx: NaiveContext, id: string): Promise<void> {
  const app = application(ctx, id);
  await delay(ctx.latency.quickPull);
  ctx.db.writeScore(id, softPullScore(app), 'provisional');
  await delay(ctx.latency.fullPull);
  ctx.db.writeScore(id, creditScore(app), 'final');
}

/** Income agent: verifies income and writes the result into the row. */
export async function naiveIncomeAgent(ctx: NaiveContext, id: string): Promise<void> {
  const app = application(ctx, id);
  await delay(ctx.latency.income);
  ctx.db.write(id, 'income', verifyIncome(app));
}

/** Fraud agent: scores fraud and writes the result into the row. */
export async function naiveFraudAgent(ctx: NaiveContext, id: string): Promise<void> {
  const app = application(ctx, id);
  await delay(ctx.latency.fraud);
  ctx.db.write(id, 'fraud', detectFraud(app));
}

/** Risk agent: polls the row through the cache until it has a score and an income, then rates. */
export async function naiveRiskAgent(ctx: NaiveContext, id: string): Promise<RiskRead> {
  const app = application(ctx, id);
  const [score, income] = await poll(ctx, () => {
    const s = ctx.cache.get(id, 'score');
    const i = ctx.cache.get(id, 'income');
    return s !== null && i !== null ? ([s, i] as const) : null;
  });
  // Observation only, for the report: what the database held when the cache answered.
  const scoreInDatabase = ctx.db.read(id, 'score')?.score ?? null;
  await delay(ctx.latency.risk);
  ctx.db.write(id, 'risk', assessRisk(score, income, app));
  return { scoreRead: score.score, scoreInDatabase };
}

/** Decision agent: polls the row through the cache until it has a rating and a fraud result. */
export async function naiveDecisionAgent(ctx: NaiveContext, id: string): Promise<void> {
  const app = application(ctx, id);
  const [risk, fraud] = await poll(ctx, () => {
    const r = ctx.cache.get(id, 'risk');
    const f = ctx.cache.get(id, 'fraud');
    return r !== null && f !== null ? ([r, f] as const) : null;
  });
  await delay(ctx.latency.decision);
  ctx.db.write(id, 'decision', decide(risk, fraud, app));
}
