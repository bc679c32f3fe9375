/**
 * The lost update of the case study, scripted: two agents adjust the same customer's credit
 * score at about the same time (a payment-history refresh adds points, a new inquiry removes
 * some). Each reads the current score, calls out (simulated I/O), and writes score + delta.
 * The timing of each applicant's two adjusters is drawn from the seed; real timers decide the
 * interleaving, so the count is reported over repetitions.
 *
 * - Naive: the shared customer row and the never-invalidated cache of the naive example. The
 *   adjusters read through the cache and UPDATE the row: last write wins. A read that overlaps
 *   the other adjuster's read-then-write, or that the cache answers with a replaced score,
 *   loses an adjustment.
 * - Baton: the same adjusters append to the run's versions in a Baton store by
 *   compare-and-append (`StateStore.commit` with `expectedVersion`): the slower writer gets a
 *   `VersionConflictError`, re-reads the new head and applies its delta on top. Nothing is lost.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isVersionConflictError, type StateStore, sqliteStore } from 'baton-runtime';
import { nextVersion, sampleRun } from 'baton-runtime/testing';
import type { Application } from '../../../examples/credit-decisioning/domain/contracts.js';
import { creditScore } from '../../../examples/credit-decisioning/domain/logic.js';
import { createCustomerCache } from '../../../examples/credit-decisioning/naive/cache.js';
import { openCustomerDb } from '../../../examples/credit-decisioning/naive/customer-db.js';
import { unitHash } from '../../../examples/credit-decisioning/system/faults.js';
import { materialize } from '../../../src/ledger/versions.js';
import { pool } from '../stats.js';

/** One adjuster's script: when it starts, how long its call takes, what it adds. */
interface Adjuster {
  readonly startMs: number;
  readonly ioMs: number;
  readonly delta: number;
}

/** The two adjusters of an applicant, drawn from the seed. */
export function adjusters(seed: number, applicantId: string): readonly [Adjuster, Adjuster] {
  const draw = (k: number, what: string, lo: number, hi: number): number =>
    lo + Math.floor(unitHash(`${seed}:adjust:${k}:${what}:${applicantId}`) * (hi - lo + 1));
  return [
    { startMs: draw(0, 'start', 0, 15), ioMs: draw(0, 'io', 1, 6), delta: draw(0, 'delta', 5, 30) },
    {
      startMs: draw(1, 'start', 0, 15),
      ioMs: draw(1, 'io', 1, 6),
      delta: -draw(1, 'delta', 5, 30),
    },
  ];
}

/** What a lost-update round found. */
export interface LostUpdateCount {
  readonly applicants: number;
  /** Adjustments missing from the final score. */
  readonly lostUpdates: number;
  /** Applicants whose final score misses at least one adjustment. */
  readonly applicantsAffected: number;
  /** Baton only: writes that lost the race, re-read and retried. */
  readonly conflictsRetried: number;
}

const missing = (base: number, final: number, [a, b]: readonly [Adjuster, Adjuster]): number =>
  final === base + a.delta + b.delta
    ? 0
    : final === base + a.delta || final === base + b.delta
      ? 1
      : 2;

/** The naive adjusters on shared rows behind the cache. */
export async function naiveLostUpdates(o: {
  readonly apps: readonly Application[];
  readonly seed: number;
  readonly concurrency: number;
  readonly cacheTtlMs: number;
  readonly dbPath: string;
}): Promise<LostUpdateCount> {
  const db = openCustomerDb(o.dbPath);
  const cache = createCustomerCache({ db, ttlMs: o.cacheTtlMs });
  let lost = 0;
  let affected = 0;
  try {
    await pool(o.apps, o.concurrency, async (app) => {
      const id = app.applicantId;
      const base = creditScore(app);
      db.insert(app);
      db.writeScore(id, base, 'final');
      const script = adjusters(o.seed, id);
      await Promise.all(
        script.map(async (adj) => {
          await delay(adj.startMs);
          const current = cache.get(id, 'score');
          if (current === null) throw new Error(`customer ${id} has no score`);
          await delay(adj.ioMs);
          db.writeScore(id, { ...current, score: current.score + adj.delta }, 'final');
        }),
      );
      const n = missing(base.score, db.read(id, 'score')?.score ?? Number.NaN, script);
      lost += n;
      if (n > 0) affected++;
    });
  } finally {
    db.close();
  }
  return {
    applicants: o.apps.length,
    lostUpdates: lost,
    applicantsAffected: affected,
    conflictsRetried: 0,
  };
}

async function adjustByCompareAndAppend(
  store: StateStore,
  runId: string,
  adj: Adjuster,
): Promise<number> {
  await delay(adj.startMs);
  for (let conflicts = 0; ; conflicts++) {
    const versions = await store.readVersions(runId);
    const head = versions.at(-1);
    if (head === undefined) throw new Error(`run ${runId} has no versions`);
    const state = materialize(versions) as { score?: { score: number } };
    const current = state.score?.score;
    if (current === undefined) throw new Error(`run ${runId} has no score`);
    await delay(adj.ioMs);
    const [outcome] = await store.commit([
      {
        runId,
        expectedVersion: head.version,
        versions: [
          nextVersion(head, 'score', { score: current + adj.delta }, 'score-adjuster@1.0.0'),
        ],
      },
    ]);
    if (outcome?.ok) return conflicts;
    if (!outcome || !isVersionConflictError(outcome.error)) throw outcome?.error;
  }
}

/** The same adjusters appending to a Baton store (SQLite file) by compare-and-append. */
export async function batonLostUpdates(o: {
  readonly apps: readonly Application[];
  readonly seed: number;
  readonly concurrency: number;
  readonly storePath: string;
}): Promise<LostUpdateCount> {
  const store = sqliteStore(o.storePath, { synchronous: 'NORMAL' });
  await store.migrate();
  let lost = 0;
  let affected = 0;
  let retried = 0;
  try {
    await pool(o.apps, o.concurrency, async (app, i) => {
      const runId = `adjust-${i}`;
      const base = creditScore(app).score;
      const init = sampleRun(runId, {
        workflow: 'score-adjustment',
        input: { applicantId: app.applicantId },
      });
      await store.createRun(init);
      const [outcome] = await store.commit([
        {
          runId,
          expectedVersion: 1,
          versions: [nextVersion(init.firstVersion, 'score', { score: base })],
        },
      ]);
      if (!outcome?.ok) throw outcome?.error ?? new Error('could not write the base score');
      const script = adjusters(o.seed, app.applicantId);
      const conflicts = await Promise.all(
        script.map((adj) => adjustByCompareAndAppend(store, runId, adj)),
      );
      retried += conflicts[0]! + conflicts[1]!;
      const state = materialize(await store.readVersions(runId)) as { score?: { score: number } };
      const n = missing(base, state.score?.score ?? Number.NaN, script);
      lost += n;
      if (n > 0) affected++;
    });
  } finally {
    await store.close();
  }
  return {
    applicants: o.apps.length,
    lostUpdates: lost,
    applicantsAffected: affected,
    conflictsRetried: retried,
  };
}
