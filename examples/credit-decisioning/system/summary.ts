/**
 * The report: everything read back from the store and the ledger after the run, and checked.
 *
 * Invariants:
 * - Nothing here trusts the in-process view: statuses, outputs, versions and breaker
 *   transitions come from the store; bookings and notifications from the ledger tables.
 * - A completed run is right when its output equals the expected final decision (the oracle's,
 *   or the demo reviewer's for a referral); a waiting run is right when its committed decision
 *   is the oracle's referral.
 */
import {
  type BreakerSnapshot,
  type BreakerTransition,
  canonicalJson,
  type RunRecord,
  type RunStatus,
  type Runtime,
  type StateStore,
  TERMINAL_STATUSES,
} from 'baton-runtime';
import type { Application, Decision } from '../domain/contracts.js';
import { oracle } from '../domain/logic.js';
import type { FinalDecision } from './contracts.js';
import type { CrashReport } from './crash.js';
import type { FaultStats } from './faults.js';
import type { Ledger } from './ledger.js';
import { checkLedger, type LedgerCheck } from './ledger-check.js';
import { expectedFinal } from './reviewer.js';
import { WORKFLOW_NAME } from './workflow.js';

/** A run started by this session. */
export interface TrackedRun {
  readonly runId: string;
  readonly app: Application;
  /** crash: queued for the worker child; main: started here; retry: after the fraud outage. */
  readonly phase: 'crash' | 'main' | 'retry';
}

/** A decision that differs from the expected one. */
export interface Mismatch {
  readonly runId: string;
  readonly applicantId: string;
  readonly got: unknown;
  readonly want: unknown;
}

/** What became of the runs the worker child held when it was killed. */
export interface CrashOutcome extends CrashReport {
  /** Held runs that settled afterwards (terminal or waiting for review), driven by the parent. */
  readonly resumed: number;
  /** Held runs that had committed steps (past version 1) when the child died. */
  readonly midRun: number;
  /** Held runs that never settled, or whose hash chain does not verify. */
  readonly lost: readonly string[];
}

/** The end-of-run report. */
export interface SystemReport {
  readonly applications: number;
  readonly runs: number;
  readonly byStatus: Readonly<Partial<Record<RunStatus, number>>>;
  /** Final outcomes of completed runs. */
  readonly outcomes: Readonly<Record<FinalDecision['outcome'], number>>;
  /** Completed runs checked against the oracle, and how many agreed. */
  readonly oracle: {
    readonly checked: number;
    readonly agreed: number;
    readonly mismatches: readonly Mismatch[];
  };
  readonly waitingChecked: { readonly checked: number; readonly agreed: number };
  readonly reviewsWaiting: number;
  readonly reviewed: number;
  /** Applications with no settled decision (their last run is neither completed, waiting nor compensated). */
  readonly undecided: readonly string[];
  readonly compensated: number;
  readonly retriedAfterOutage: number;
  readonly ledger: LedgerCheck;
  readonly breakers: {
    readonly live: readonly BreakerSnapshot[];
    readonly transitions: readonly BreakerTransition[];
  };
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly versions: number;
  readonly crash: CrashOutcome | null;
  readonly faults: FaultStats;
  /** A completed run to inspect with the CLI. */
  readonly exampleRunId: string | null;
  readonly durationMs: number;
}

/** What {@link buildReport} reads. */
export interface ReportInput {
  readonly rt: Runtime;
  readonly store: StateStore;
  readonly ledger: Ledger;
  readonly runs: ReadonlyMap<string, TrackedRun>;
  readonly crash: CrashReport | null;
  readonly faults: FaultStats;
  /** performance.now() at the start. */
  readonly started: number;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

async function checkWaiting(
  rt: Runtime,
  runs: readonly RunRecord[],
  tracked: ReadonlyMap<string, TrackedRun>,
) {
  let agreed = 0;
  for (const run of runs) {
    const state = await rt.state(run.runId, run.headVersion);
    const decision = (state.data as { decision?: Decision }).decision;
    const app = tracked.get(run.runId)?.app;
    if (app && decision && same(decision, oracle(app)) && decision.outcome === 'refer') agreed++;
  }
  return { checked: runs.length, agreed };
}

async function crashOutcome(rt: Runtime, crash: CrashReport | null): Promise<CrashOutcome | null> {
  if (!crash) return null;
  const lost: string[] = [];
  let resumed = 0;
  for (const h of crash.held) {
    const run = await rt.getRun(h.runId);
    const verified = await rt.verify(h.runId);
    if ((run.status === 'waiting' || TERMINAL_STATUSES.has(run.status)) && verified.ok) resumed++;
    else lost.push(h.runId);
  }
  return { ...crash, resumed, midRun: crash.held.filter((h) => h.headVersion > 1).length, lost };
}

/** Reads everything back and checks it. */
export async function buildReport(i: ReportInput): Promise<SystemReport> {
  const all = (await i.rt.listRuns({ workflow: WORKFLOW_NAME })).filter((r) => i.runs.has(r.runId));
  const byStatus: Partial<Record<RunStatus, number>> = {};
  for (const r of all) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const outcomes = { approve: 0, refer: 0, decline: 0 };
  const mismatches: Mismatch[] = [];
  const latencies: number[] = [];
  let checked = 0;
  let reviewed = 0;
  for (const run of all.filter((r) => r.status === 'completed')) {
    const t = i.runs.get(run.runId) as TrackedRun;
    const got = run.output as FinalDecision;
    const want = expectedFinal(t.app, oracle(t.app).outcome === 'refer');
    checked++;
    outcomes[got.outcome]++;
    if (got.reviewed) reviewed++;
    else latencies.push(run.updatedAt - run.createdAt);
    if (!same(got, want))
      mismatches.push({ runId: run.runId, applicantId: t.app.applicantId, got, want });
  }
  latencies.sort((a, b) => a - b);
  const waiting = all.filter((r) => r.status === 'waiting');
  // Each application's last run decides it (a retry after the outage supersedes the failed run).
  const last = new Map<string, RunRecord>();
  for (const r of [...all].sort(
    (a, b) => a.createdAt - b.createdAt || (a.runId < b.runId ? -1 : 1),
  ))
    last.set((i.runs.get(r.runId) as TrackedRun).app.applicantId, r);
  const settledOk = new Set<RunStatus>(['completed', 'waiting', 'compensated']);
  const transitions = (await i.store.queryRecords({ kind: 'breaker' })).map(
    (r) => r.body as unknown as BreakerTransition,
  );
  const example = all.find(
    (r) => r.status === 'completed' && (r.output as FinalDecision).outcome === 'approve',
  );
  return {
    applications: last.size,
    runs: all.length,
    byStatus,
    outcomes,
    oracle: { checked, agreed: checked - mismatches.length, mismatches },
    waitingChecked: await checkWaiting(i.rt, waiting, i.runs),
    reviewsWaiting: waiting.length,
    reviewed,
    undecided: [...last].filter(([, r]) => !settledOk.has(r.status)).map(([id]) => id),
    compensated: byStatus.compensated ?? 0,
    retriedAfterOutage: [...i.runs.values()].filter((r) => r.phase === 'retry').length,
    ledger: checkLedger(i.ledger, all),
    breakers: { live: i.rt.breakers(), transitions },
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    versions: all.reduce((n, r) => n + r.headVersion, 0),
    crash: await crashOutcome(i.rt, i.crash),
    faults: i.faults,
    exampleRunId: example?.runId ?? all[0]?.runId ?? null,
    durationMs: performance.now() - i.started,
  };
}
