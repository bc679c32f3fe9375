/**
 * Experiment 1's measurements: the naive system and Baton over the settings that made the
 * original system fail — cache TTL, concurrency, the share of decisions during which the score
 * is rewritten, and injected faults — with every point repeated (real timers decide races).
 */
import { join } from 'node:path';
import type { Application } from '../../../examples/credit-decisioning/domain/contracts.js';
import { generateApplications } from '../../../examples/credit-decisioning/domain/generate.js';
import { runNaive } from '../../../examples/credit-decisioning/naive/run.js';
import {
  createFaults,
  FAULT_PRESETS,
  type FaultLevel,
} from '../../../examples/credit-decisioning/system/faults.js';
import { crashBatchSize } from '../../../examples/credit-decisioning/system/system.js';
import type { ExperimentContext, ReportSize, Row } from '../types.js';
import { runBatonSystem } from './baton-system.js';
import { batonLostUpdates, naiveLostUpdates } from './lost-update.js';
import { crashNaiveChild } from './naive-crash.js';
import { judgeNaive } from './naive-judge.js';
import { runNaivePipeline } from './naive-pipeline.js';

/** The seed's settings: a cache (TTL above the incident's 500 ms) and `npm run naive`'s concurrency. */
export const SEED_SETTINGS = { cacheTtlMs: 1000, concurrency: 16 } as const;

/** What each size sweeps. */
export interface ReliabilityPlan {
  readonly ttls: readonly number[];
  readonly concurrency: readonly number[];
  readonly reps: number;
  /** Applications per point at a concurrency (at least as many as in flight). */
  readonly apps: (concurrency: number) => number;
  readonly rewriteShares: readonly number[];
  readonly faults: readonly FaultLevel[];
  readonly faultApps: number;
}

export const PLANS: Readonly<Record<ReportSize, ReliabilityPlan>> = {
  full: {
    ttls: [0, 10, 100, 1000, 60_000],
    concurrency: [1, 16, 128, 512],
    reps: 3,
    apps: (c) => (c === 1 ? 100 : Math.max(300, c)),
    rewriteShares: [0, 0.25, 0.5, 0.75, 1],
    faults: ['off', 'default', 'heavy'],
    faultApps: 300,
  },
  quick: {
    ttls: [0, 1000, 60_000],
    concurrency: [1, 16, 512],
    reps: 1,
    apps: (c) => (c === 1 ? 40 : Math.max(150, c)),
    rewriteShares: [0, 1],
    faults: ['off', 'default'],
    faultApps: 150,
  },
  test: {
    ttls: [SEED_SETTINGS.cacheTtlMs],
    concurrency: [SEED_SETTINGS.concurrency],
    reps: 1,
    apps: () => 60,
    rewriteShares: [0, 1],
    faults: ['default'],
    faultApps: 60,
  },
};

/** Every raw row of experiment 1. */
export interface ReliabilityData {
  readonly sweep: Row[];
  readonly rewrites: Row[];
  readonly faults: Row[];
}

const rate = (n: number, of: number): number => (of === 0 ? 0 : n / of);

/** Runs experiment 1's measurements. */
export async function measureReliability(
  ctx: ExperimentContext,
  plan: ReliabilityPlan,
): Promise<ReliabilityData> {
  let files = 0;
  const file = (what: string): string => join(ctx.tmpDir, `reliability-${what}-${files++}.db`);
  const data: ReliabilityData = { sweep: [], rewrites: [], faults: [] };
  for (let rep = 0; rep < plan.reps; rep++) {
    for (const concurrency of plan.concurrency) {
      const n = plan.apps(concurrency);
      const apps = generateApplications(n, ctx.seed);
      for (const ttlMs of plan.ttls) {
        ctx.log(`reliability: naive, TTL ${ttlMs} ms, ${concurrency} in flight, rep ${rep + 1}`);
        const r = await runNaive({
          applications: n,
          seed: ctx.seed,
          concurrency,
          cacheTtlMs: ttlMs,
        });
        const lu = await naiveLostUpdates({
          apps,
          seed: ctx.seed,
          concurrency,
          cacheTtlMs: ttlMs,
          dbPath: file('lu'),
        });
        data.sweep.push({
          system: 'naive',
          ttlMs,
          concurrency,
          rep,
          applications: n,
          wrongDecisions: r.wrong,
          wrongDecisionRate: r.wrongRate,
          wrongRatings: r.wrongRatings,
          wrongRatingRate: rate(r.wrongRatings, r.total),
          lostUpdates: lu.lostUpdates,
          lostUpdateRate: rate(lu.lostUpdates, 2 * lu.applicants),
        });
      }
      ctx.log(`reliability: Baton, ${concurrency} in flight, rep ${rep + 1}`);
      const b = await runBatonSystem({
        applications: n,
        seed: ctx.seed,
        concurrency,
        faults: 'off',
        storePath: file('baton'),
      });
      const lu = await batonLostUpdates({
        apps,
        seed: ctx.seed,
        concurrency,
        storePath: file('baton-lu'),
      });
      data.sweep.push({
        system: 'baton',
        ttlMs: null,
        concurrency,
        rep,
        applications: n,
        wrongDecisions: b.wrongDecisions,
        wrongDecisionRate: rate(b.wrongDecisions, b.decided),
        wrongRatings: b.wrongRatings,
        wrongRatingRate: rate(b.wrongRatings, b.decided),
        lostUpdates: lu.lostUpdates,
        lostUpdateRate: rate(lu.lostUpdates, 2 * lu.applicants),
        conflictsRetried: lu.conflictsRetried,
      });
    }
    await measureRewrites(ctx, plan, rep, file, data.rewrites);
    await measureFaults(ctx, plan, rep, file, data.faults);
  }
  return data;
}

async function measureRewrites(
  ctx: ExperimentContext,
  plan: ReliabilityPlan,
  rep: number,
  file: (what: string) => string,
  out: Row[],
): Promise<void> {
  const apps = generateApplications(plan.faultApps, ctx.seed);
  for (const share of plan.rewriteShares) {
    ctx.log(`reliability: naive, ${share * 100}% of scores rewritten, rep ${rep + 1}`);
    const path = file('rewrite');
    await runNaivePipeline({
      apps,
      seed: ctx.seed,
      concurrency: SEED_SETTINGS.concurrency,
      cacheTtlMs: SEED_SETTINGS.cacheTtlMs,
      rewriteShare: share,
      faults: createFaults(FAULT_PRESETS.off, ctx.seed),
      dbPath: path,
    });
    const j = judgeNaive(path, apps, new Set());
    out.push({
      system: 'naive',
      rewriteShare: share,
      rep,
      applications: j.applications,
      wrongDecisions: j.wrongDecisions,
      wrongDecisionRate: rate(j.wrongDecisions, j.decided),
      wrongRatings: j.wrongRatings,
      wrongRatingRate: rate(j.wrongRatings, j.applications),
    });
  }
}

async function naiveUnderFaults(
  ctx: ExperimentContext,
  apps: readonly Application[],
  level: FaultLevel,
  path: string,
) {
  const common = { seed: ctx.seed, cacheTtlMs: SEED_SETTINGS.cacheTtlMs, rewriteShare: 1 };
  // The crash, as the demo does it to Baton: a worker process takes the first batch and dies.
  const crashed =
    level === 'off'
      ? new Set<string>()
      : await crashNaiveChild({
          ...common,
          dbPath: path,
          applications: apps.length,
          batch: crashBatchSize(apps.length),
          faults: level,
          concurrency: 8,
          signalAfterCalls: 40,
        });
  await runNaivePipeline({
    ...common,
    apps,
    concurrency: SEED_SETTINGS.concurrency,
    faults: createFaults(FAULT_PRESETS[level], ctx.seed),
    dbPath: path,
  });
  // Only what the dead process had started and never finished is "lost in the crash".
  return judgeNaive(path, apps, crashed);
}

async function measureFaults(
  ctx: ExperimentContext,
  plan: ReliabilityPlan,
  rep: number,
  file: (what: string) => string,
  out: Row[],
): Promise<void> {
  const apps = generateApplications(plan.faultApps, ctx.seed);
  for (const level of plan.faults) {
    ctx.log(`reliability: faults ${level}, naive and Baton, rep ${rep + 1}`);
    const n = await naiveUnderFaults(ctx, apps, level, file('naive-faults'));
    const b = await runBatonSystem({
      applications: apps.length,
      seed: ctx.seed,
      concurrency: SEED_SETTINGS.concurrency,
      faults: level,
      storePath: file('baton-faults'),
    });
    for (const [system, j] of [
      ['naive', n],
      ['baton', b],
    ] as const) {
      out.push({
        system,
        faults: level,
        rep,
        applications: j.applications,
        decided: j.decided,
        wrongDecisions: j.wrongDecisions,
        wrongRatings: j.wrongRatings,
        lostInCrash: j.lostInCrash,
        undecided: j.undecided,
        halfFinished: j.halfFinished,
        compensated: 'compensated' in j ? j.compensated : 0,
      });
    }
  }
}
