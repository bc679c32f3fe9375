/**
 * The naive credit system with everything a production pipeline adds around the five agents: the
 * same naive agents, shared customer rows and never-invalidated cache as `npm run naive`
 * (examples/credit-decisioning/naive/), plus the demo's fault hook, retries with the same
 * timeouts and attempt counts as the Baton agents, and the same side effects (a booked credit
 * line for an approval, then a notification). What it lacks is exactly what Baton adds:
 * immutable versions, a breaker, a saga, durable resumable runs.
 *
 * Invariants:
 * - No agent logic here: the five agents are the naive example's; booking and notifying use the
 *   demo's ledger tables. The only new wiring is the score agent that writes once (for the
 *   applicants whose score is *not* rewritten during the decision, see `rewriteShare`).
 * - An applicant whose agent gives up (retries exhausted) is abandoned: its pollers stop, and it
 *   ends with no decision. Nothing re-drives it (a naive system has no record of where it was).
 * - Everything judged afterwards is read back from the database file (./naive-judge.ts).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Application } from '../../../examples/credit-decisioning/domain/contracts.js';
import { creditScore } from '../../../examples/credit-decisioning/domain/logic.js';
import { createRng } from '../../../examples/credit-decisioning/domain/prng.js';
import {
  type Latency,
  type NaiveContext,
  naiveDecisionAgent,
  naiveFraudAgent,
  naiveIncomeAgent,
  naiveRiskAgent,
  naiveScoreAgent,
} from '../../../examples/credit-decisioning/naive/agents.js';
import {
  type CustomerCache,
  createCustomerCache,
} from '../../../examples/credit-decisioning/naive/cache.js';
import {
  type CustomerDb,
  openCustomerDb,
} from '../../../examples/credit-decisioning/naive/customer-db.js';
import type { FaultSite, Faults } from '../../../examples/credit-decisioning/system/faults.js';
import { unitHash } from '../../../examples/credit-decisioning/system/faults.js';
import { type Ledger, openLedger } from '../../../examples/credit-decisioning/system/ledger.js';
import { pool } from '../stats.js';

/** Options of {@link runNaivePipeline}. */
export interface NaivePipelineOptions {
  readonly apps: readonly Application[];
  readonly seed: number;
  /** Applicants in flight. */
  readonly concurrency: number;
  /** TTL of the never-invalidated cache, ms (0: no cache). */
  readonly cacheTtlMs: number;
  /** Share of applicants whose score is rewritten during the decision (provisional, then final). */
  readonly rewriteShare: number;
  readonly faults: Faults;
  /** The SQLite file holding the customer rows and the ledger tables. */
  readonly dbPath: string;
}

/** Timeouts and attempts per call: the Baton agents' policies (system/agents.ts). */
const CALLS: Readonly<Record<FaultSite, { timeoutMs: number; attempts: number }>> = {
  score: { timeoutMs: 500, attempts: 3 },
  income: { timeoutMs: 500, attempts: 5 },
  fraud: { timeoutMs: 150, attempts: 2 },
  risk: { timeoutMs: 500, attempts: 3 },
  decision: { timeoutMs: 500, attempts: 3 },
  review: { timeoutMs: 500, attempts: 1 },
  notify: { timeoutMs: 500, attempts: 2 },
};

/**
 * Each applicant's simulated latencies, drawn as the naive example draws them (its
 * `drawLatencies` is private to run.ts; the ranges are the same).
 */
export function drawLatencies(seed: number, n: number): Latency[] {
  const rng = createRng(seed ^ 0x5eed);
  return Array.from({ length: n }, () => ({
    quickPull: rng.int(1, 3),
    fullPull: rng.int(3, 10),
    income: rng.int(4, 24),
    fraud: rng.int(3, 18),
    risk: rng.int(1, 3),
    decision: rng.int(1, 3),
  }));
}

/** Whether this applicant's score is rewritten during its decision (seeded, per applicant). */
export const isRewritten = (seed: number, applicantId: string, share: number): boolean =>
  unitHash(`${seed}:rewrite:${applicantId}`) < share;

/** The score agent for an applicant whose score is not rewritten: same latency, one final write. */
async function scoreOnce(ctx: NaiveContext, app: Application): Promise<void> {
  await delay(ctx.latency.quickPull + ctx.latency.fullPull);
  ctx.db.writeScore(app.applicantId, creditScore(app), 'final');
}

/** A cache whose reads throw once the applicant is abandoned, so its pollers stop. */
function abandonable(cache: CustomerCache, signal: AbortSignal): CustomerCache {
  return {
    get(id, field) {
      signal.throwIfAborted();
      return cache.get(id, field);
    },
    stats: () => cache.stats(),
  };
}

/** One remote call through the fault hook, retried with a short backoff, each attempt timed out. */
async function call(faults: Faults, site: FaultSite, applicantId: string): Promise<void> {
  const { timeoutMs, attempts } = CALLS[site];
  for (let attempt = 1; ; attempt++) {
    try {
      return await faults.before(site, applicantId, attempt, AbortSignal.timeout(timeoutMs));
    } catch (e) {
      if (attempt >= attempts) throw e;
      await delay(10 * 2 ** (attempt - 1));
    }
  }
}

interface Shared {
  readonly o: NaivePipelineOptions;
  readonly db: CustomerDb;
  readonly cache: CustomerCache;
  readonly ledger: Ledger;
}

async function decideOne(s: Shared, app: Application, latency: Latency): Promise<void> {
  const id = app.applicantId;
  s.db.insert(app);
  const abandon = new AbortController();
  const ctx: NaiveContext = {
    db: s.db,
    cache: abandonable(s.cache, abandon.signal),
    latency,
    pollMs: 1,
  };
  const stage = (site: FaultSite, agent: () => Promise<unknown>): Promise<unknown> =>
    call(s.o.faults, site, id)
      .then(agent)
      .catch((e: unknown) => {
        abandon.abort(e);
        throw e;
      });
  const rewritten = isRewritten(s.o.seed, id, s.o.rewriteShare);
  const results = await Promise.allSettled([
    stage('score', () => (rewritten ? naiveScoreAgent(ctx, id) : scoreOnce(ctx, app))),
    stage('income', () => naiveIncomeAgent(ctx, id)),
    stage('fraud', () => naiveFraudAgent(ctx, id)),
    stage('risk', () => naiveRiskAgent(ctx, id)),
    stage('decision', () => naiveDecisionAgent(ctx, id)),
  ]);
  if (results.some((r) => r.status === 'rejected')) return;
  const d = s.db.read(id, 'decision');
  if (d === null) return;
  // The side effects, in the demo's order: book an approval, then tell the customer.
  if (d.outcome === 'approve' && d.rate !== null) {
    s.ledger.book({
      key: `${id}:decision`,
      runId: id,
      applicantId: id,
      amount: d.approvedAmount,
      rate: d.rate,
    });
  }
  try {
    await call(s.o.faults, 'notify', id);
    s.ledger.notify({ key: `${id}:notify`, runId: id, applicantId: id, outcome: d.outcome });
  } catch {
    // Undeliverable: the application stops here; nothing undoes the booking.
  }
}

/**
 * Decides every application the naive way; resolves when all have ended (decided or abandoned).
 * Applications that already have a customer row in the file are skipped (the naive restart:
 * only applications nobody started are picked up again).
 */
export async function runNaivePipeline(o: NaivePipelineOptions): Promise<void> {
  const db = openCustomerDb(o.dbPath);
  const ledger = openLedger(o.dbPath);
  const cache = createCustomerCache({ db, ttlMs: o.cacheTtlMs });
  const latencies = drawLatencies(o.seed, o.apps.length);
  const s: Shared = { o, db, cache, ledger };
  try {
    const todo = o.apps
      .map((app, i) => ({ app, latency: latencies[i] as Latency }))
      .filter(({ app }) => db.read(app.applicantId, 'application') === null);
    await pool(todo, o.concurrency, ({ app, latency }) => decideOne(s, app, latency));
  } finally {
    ledger.close();
    db.close();
  }
}
