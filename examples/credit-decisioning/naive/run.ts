/**
 * Runs the naive architecture (./agents.ts explains how it goes wrong) on generated
 * applications and checks every stored decision against the oracle.
 *
 * Invariants:
 * - The applications and the simulated latencies are drawn from the seed; only the interleaving
 *   of timers varies from run to run, so the wrong-decision count varies a little too.
 * - Everything judged here is read back from the database after the run: the stored decision,
 *   the stored rating (with the score it was computed from) and the final stored score.
 * - The database file is created fresh (an existing file is refused) and removed at the end
 *   unless the caller passed its own path.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision, RiskAssessment } from '../domain/contracts.js';
import { generateApplications } from '../domain/generate.js';
import { assess } from '../domain/logic.js';
import { createRng } from '../domain/prng.js';
import {
  type Latency,
  type NaiveContext,
  naiveDecisionAgent,
  naiveFraudAgent,
  naiveIncomeAgent,
  naiveRiskAgent,
  naiveScoreAgent,
  type RiskRead,
} from './agents.js';
import { type CacheStats, createCustomerCache } from './cache.js';
import { type CustomerDb, openCustomerDb } from './customer-db.js';

/** Options of {@link runNaive}. */
export interface NaiveOptions {
  readonly applications: number;
  readonly seed: number;
  /** Applicants processed at the same time (each with its five agents running concurrently). */
  readonly concurrency: number;
  /** How long the cache serves a value, in ms (default 1000; 0 disables the cache). */
  readonly cacheTtlMs?: number;
  /** SQLite file to use and keep (default: a temporary file, removed afterwards). */
  readonly dbPath?: string;
}

/** The outcome of one applicant in the naive system, next to the oracle's. */
export interface NaiveDecision {
  readonly applicantId: string;
  readonly decision: Decision;
  readonly oracle: Decision;
  /** The stored rating; its `creditScore` is the score it was computed from. */
  readonly risk: RiskAssessment;
  readonly correctRating: RiskAssessment['rating'];
  /** The score finally stored in the customer row. */
  readonly finalScore: number;
  /** The decision's terms differ from the oracle's: outcome, approved amount or rate. */
  readonly wrong: boolean;
  /** What the risk agent read and what the database held at that moment. */
  readonly read: RiskRead;
}

/** A wrong decision, summarized for the report. */
export interface NaiveExample {
  readonly applicantId: string;
  /** The score the rating was computed from. */
  readonly staleScore: number;
  /** The score finally stored (the right one). */
  readonly freshScore: number;
  /** The database already held the fresh score when the cache served the stale one. */
  readonly servedByStaleCache: boolean;
  readonly ratingUsed: RiskAssessment['rating'];
  readonly correctRating: RiskAssessment['rating'];
  readonly outcome: Decision['outcome'];
  readonly rate: Decision['rate'];
  readonly oracleOutcome: Decision['outcome'];
  readonly oracleRate: Decision['rate'];
}

/** The result of {@link runNaive}. */
export interface NaiveResult {
  readonly total: number;
  /** Decisions whose terms (outcome, amount, rate) differ from the oracle's. */
  readonly wrong: number;
  readonly wrongRate: number;
  /** Decisions whose outcome (approve / refer / decline) differs from the oracle's. */
  readonly wrongOutcomes: number;
  /** Stored ratings that differ from the correct one. */
  readonly wrongRatings: number;
  /** Risk reads where the cache served a score the database had already replaced. */
  readonly staleCacheReads: number;
  readonly examples: readonly NaiveExample[];
  readonly decisions: readonly NaiveDecision[];
  readonly cache: CacheStats;
  /** UPDATE statements run against the shared rows. */
  readonly updates: number;
  readonly durationMs: number;
}

const MAX_EXAMPLES = 5;

function checkOptions(o: NaiveOptions): void {
  if (!Number.isInteger(o.applications) || o.applications < 0) {
    throw new RangeError(`applications must be a non-negative integer, got ${o.applications}`);
  }
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${o.concurrency}`);
  }
  if (!Number.isFinite(o.seed)) throw new RangeError(`seed must be a finite number, got ${o.seed}`);
}

/** Draws each applicant's simulated latencies: the bureau's full pull is fast, payroll is slow. */
function drawLatencies(seed: number, n: number): Latency[] {
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

/**
 * Runs the naive architecture and compares each stored decision with the oracle.
 * @throws RangeError for invalid options, or when dbPath already exists.
 */
export async function runNaive(options: NaiveOptions): Promise<NaiveResult> {
  checkOptions(options);
  if (options.dbPath !== undefined && existsSync(options.dbPath)) {
    throw new RangeError(`dbPath ${options.dbPath} already exists; the naive run needs a new file`);
  }
  const dir = options.dbPath === undefined ? mkdtempSync(join(tmpdir(), 'baton-naive-')) : null;
  const db = openCustomerDb(options.dbPath ?? join(dir as string, 'customers.db'));
  const cache = createCustomerCache({ db, ttlMs: options.cacheTtlMs ?? 1000 });
  const apps = generateApplications(options.applications, options.seed);
  const latencies = drawLatencies(options.seed, apps.length);
  const started = performance.now();
  try {
    const reads = new Array<RiskRead>(apps.length);
    let nextIndex = 0;
    const worker = async (): Promise<void> => {
      for (let i = nextIndex++; i < apps.length; i = nextIndex++) {
        const app = apps[i]!;
        db.insert(app);
        const ctx: NaiveContext = { db, cache, latency: latencies[i]!, pollMs: 1 };
        const [, , , read] = await Promise.all([
          naiveScoreAgent(ctx, app.applicantId),
          naiveIncomeAgent(ctx, app.applicantId),
          naiveFraudAgent(ctx, app.applicantId),
          naiveRiskAgent(ctx, app.applicantId),
          naiveDecisionAgent(ctx, app.applicantId),
        ]);
        reads[i] = read;
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, apps.length) }, worker));
    const decisions = apps.map((app, i) => judge(db, app.applicantId, assess(app), reads[i]!));
    return summarize(decisions, cache.stats(), db.updates(), performance.now() - started);
  } finally {
    db.close();
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}

function judge(
  db: CustomerDb,
  id: string,
  truth: ReturnType<typeof assess>,
  read: RiskRead,
): NaiveDecision {
  const decision = db.read(id, 'decision');
  const risk = db.read(id, 'risk');
  const score = db.read(id, 'score');
  if (decision === null || risk === null || score === null) {
    throw new Error(`customer ${id} was left without a decision, rating or score`);
  }
  return {
    applicantId: id,
    decision,
    oracle: truth.decision,
    risk,
    correctRating: truth.risk.rating,
    finalScore: score.score,
    wrong:
      decision.outcome !== truth.decision.outcome ||
      decision.approvedAmount !== truth.decision.approvedAmount ||
      decision.rate !== truth.decision.rate,
    read,
  };
}

const servedStale = (read: RiskRead): boolean =>
  read.scoreInDatabase !== null && read.scoreInDatabase !== read.scoreRead;

function summarize(
  decisions: readonly NaiveDecision[],
  cache: CacheStats,
  updates: number,
  durationMs: number,
): NaiveResult {
  const wrongOnes = decisions.filter((d) => d.wrong);
  const total = decisions.length;
  return {
    total,
    wrong: wrongOnes.length,
    wrongRate: total === 0 ? 0 : wrongOnes.length / total,
    wrongOutcomes: decisions.filter((d) => d.decision.outcome !== d.oracle.outcome).length,
    wrongRatings: decisions.filter((d) => d.risk.rating !== d.correctRating).length,
    staleCacheReads: decisions.filter((d) => servedStale(d.read)).length,
    // The stale-cache cases first: they are the founding incident's mechanism.
    examples: [
      ...wrongOnes.filter((d) => servedStale(d.read)),
      ...wrongOnes.filter((d) => !servedStale(d.read)),
    ]
      .slice(0, MAX_EXAMPLES)
      .map((d) => ({
        applicantId: d.applicantId,
        staleScore: d.risk.creditScore,
        freshScore: d.finalScore,
        servedByStaleCache: servedStale(d.read),
        ratingUsed: d.risk.rating,
        correctRating: d.correctRating,
        outcome: d.decision.outcome,
        rate: d.decision.rate,
        oracleOutcome: d.oracle.outcome,
        oracleRate: d.oracle.rate,
      })),
    decisions,
    cache,
    updates,
    durationMs,
  };
}
