/**
 * `npm start`'s engine: runs the credit-decision workflow on generated applications, on the
 * embedded SQLite store, under injected faults and one worker crash, then reports.
 *
 * Phases: (1) crash: a batch is queued for a worker child, which is SIGKILLed mid-run;
 * (2) the parent decides the other applications, `concurrency` at a time, and resumes the
 * child's orphaned runs once their leases expire; (3) applications whose run failed because
 * fraud detection was down are started again once it is back; (4) with `autoReview`, waiting
 * referrals are signed off; (5) the report is read back from the store and the ledger.
 */
import { existsSync, rmSync } from 'node:fs';
import * as baton from 'baton-runtime';
import {
  createRuntime,
  noopTelemetry,
  type Runtime,
  sqliteStore,
  type Telemetry,
} from 'baton-runtime';
import type { Application } from '../domain/contracts.js';
import { generateApplications } from '../domain/generate.js';
import { FRAUD_BREAKER } from './agents.js';
import { type CrashReport, crashWorker } from './crash.js';
import type { Explainer } from './explain.js';
import { createFaults, FAULT_PRESETS, type FaultLevel } from './faults.js';
import { openLedger } from './ledger.js';
import { reviewVerdict } from './reviewer.js';
import { createSettler, type Settler } from './settle.js';
import { buildReport, type SystemReport, type TrackedRun } from './summary.js';
import { type CreditWorkflow, creditWorkflow } from './workflow.js';

/** Options of {@link runSystem}. */
export interface SystemOptions {
  readonly applications: number;
  readonly seed: number;
  /** Runs in flight in the parent. */
  readonly concurrency: number;
  readonly faults: FaultLevel;
  /** The SQLite file; replaced if it holds a previous demo (refused otherwise). */
  readonly storePath: string;
  readonly autoReview: boolean;
  /** The optional LLM explanation step (./explain.ts); skipped when absent or disabled. */
  readonly explainer?: Explainer;
  /** Told before anything is deleted (a previous demo's store file). */
  readonly onNotice?: (text: string) => void;
  /** Called as runs settle. */
  readonly onProgress?: (p: {
    readonly settled: number;
    readonly total: number;
    readonly phase: string;
  }) => void;
}

/** Leases short enough that a dead worker's runs are resumed within seconds. */
export const LEASE_MS = 2000;
/** Runs the parent may drive beyond its pool: resumed orphans. */
const RESUME_HEADROOM = 16;

/** How often runtimes look for orphaned runs. */
export const POLL_MS = 200;

/** Size of the batch the worker child takes before it is killed. */
export const crashBatchSize = (n: number): number =>
  Math.min(n, Math.max(24, Math.round(n * 0.03)));

/**
 * Prepares the store file: a previous demo's file (it has a `credit_lines` table) is replaced,
 * after `notice` says so; any other existing file is refused and left untouched.
 * @throws RangeError when the path holds something that is not a previous demo.
 */
async function freshStore(path: string, notice: (text: string) => void): Promise<void> {
  if (!existsSync(path)) return;
  const { default: Database } = await import('better-sqlite3');
  let isDemo = false;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    isDemo =
      db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'credit_lines'").get() !== undefined;
    db.close();
  } catch {
    isDemo = false;
  }
  if (!isDemo)
    throw new RangeError(
      `--store ${path} exists and is not a credit demo database; pick a new path`,
    );
  notice(
    `Replacing ${path}: it holds a previous run of this demo (pass --store <new path> to keep it).`,
  );
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

/** The tracing from the package root when it exports one (spans for `baton trace`). */
function tracing(store: baton.StateStore): Telemetry {
  const create = (
    baton as unknown as { createTracing?: (o: { store: baton.StateStore }) => Telemetry }
  ).createTracing;
  return typeof create === 'function' ? create({ store }) : noopTelemetry;
}

/** A pool: runs `task` over items with at most `limit` in flight. */
async function pool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await task(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

interface Session {
  readonly rt: Runtime;
  readonly wf: CreditWorkflow;
  readonly settler: Settler;
  readonly runs: Map<string, TrackedRun>;
  readonly progress: () => void;
  /** Intake control while the fraud breaker is not closed (see `admit`). */
  readonly intake: { probing: boolean };
}

async function startAndSettle(
  s: Session,
  app: Application,
  key: string,
  phase: TrackedRun['phase'],
): Promise<void> {
  const probe = phase === 'main' ? await admit(s) : false;
  try {
    const h = await s.rt.start(s.wf, app, { idempotencyKey: key });
    s.runs.set(h.id, { runId: h.id, app, phase });
    await s.settler.settled(h.id);
    s.progress();
  } finally {
    if (probe) s.intake.probing = false;
  }
}

/**
 * Backpressure: while the fraud breaker is open, new applications wait instead of failing fast
 * one after another; once it may half-open, one application goes through as the probe and the
 * others wait until the breaker has closed again. Resolves true for the probe.
 */
async function admit(s: Session): Promise<boolean> {
  for (;;) {
    const fraud = s.rt.breakers().find((b) => b.name.startsWith('fraud-detection@'));
    if (!fraud || fraud.state === 'closed') return false;
    const wait = fraud.state === 'open' ? (fraud.retryAfterMs ?? 0) : 0;
    if (wait <= 0 && !s.intake.probing) {
      s.intake.probing = true;
      return true;
    }
    await new Promise((r) => setTimeout(r, Math.min(Math.max(wait, 10), 50)));
  }
}

/**
 * Runs the whole demo and reports.
 * @throws RangeError for bad options or a store path that is not a previous demo's.
 */
export async function runSystem(o: SystemOptions): Promise<SystemReport> {
  if (!(Number.isInteger(o.applications) && o.applications >= 0))
    throw new RangeError(`applications must be a non-negative integer, got ${o.applications}`);
  if (!(Number.isInteger(o.concurrency) && o.concurrency >= 1))
    throw new RangeError(`concurrency must be a positive integer, got ${o.concurrency}`);
  if (!(o.faults in FAULT_PRESETS))
    throw new RangeError(`faults must be off, default or heavy, got ${o.faults}`);
  const started = performance.now();
  await freshStore(o.storePath, o.onNotice ?? (() => {}));
  const apps = generateApplications(o.applications, o.seed);
  // NORMAL: commits survive a process crash (what the demo's SIGKILL tests), not a power loss.
  const store = sqliteStore(o.storePath, { synchronous: 'NORMAL' });
  // Baton's tables first: a Baton store refuses a file that already holds only other tables.
  await store.migrate();
  const ledger = openLedger(o.storePath);
  const faults = createFaults(FAULT_PRESETS[o.faults], o.seed);
  const wf = creditWorkflow({ faults, ledger, explainer: o.explainer });
  const settler = createSettler(tracing(store));
  const rt = createRuntime({
    store,
    workflows: [wf],
    // Headroom over the pool, so orphaned runs are claimed while new ones keep coming.
    concurrency: o.concurrency + RESUME_HEADROOM,
    leaseMs: LEASE_MS,
    pollMs: POLL_MS,
    resume: false, // the worker child takes the queued batch first
    telemetry: settler.telemetry,
  });
  const runs = new Map<string, TrackedRun>();
  let settled = 0;
  let phase = 'deciding';
  const progress = (): void => o.onProgress?.({ settled: ++settled, total: runs.size, phase });
  const s: Session = { rt, wf, settler, runs, progress, intake: { probing: false } };
  try {
    await rt.ready();
    let crash: CrashReport | null = null;
    const batch = o.faults === 'off' ? [] : apps.slice(0, crashBatchSize(apps.length));
    if (batch.length > 0) {
      phase = 'worker crash';
      crash = await crashWorker({
        rt,
        workflow: wf,
        applications: batch,
        config: {
          storePath: o.storePath,
          seed: o.seed,
          faults: o.faults,
          concurrency: 8,
          leaseMs: LEASE_MS,
          pollMs: POLL_MS,
          signalAfterCalls: 40,
        },
        onQueued: (runId, app) => runs.set(runId, { runId, app, phase: 'crash' }),
      });
    }
    rt.startWorker({ concurrency: o.concurrency + RESUME_HEADROOM });
    phase = 'deciding';
    const crashSettled = settleCrashBatch(s, crash);
    await pool(apps.slice(batch.length), o.concurrency, (app) =>
      startAndSettle(s, app, app.applicantId, 'main'),
    );
    phase = "resuming the crashed worker's runs";
    await crashSettled;
    await retryAfterOutage(s, faults.stats().fraudOutage?.until ?? null, o.concurrency);
    if (o.autoReview) await reviewWaiting(s, o.concurrency);
    return await buildReport({ rt, store, ledger, runs, crash, faults: faults.stats(), started });
  } finally {
    await rt.close();
    ledger.close();
  }
}

/** Waits for every run of the crash batch that was not settled at the kill. */
async function settleCrashBatch(s: Session, crash: CrashReport | null): Promise<void> {
  if (!crash) return;
  const ids = [...s.runs.values()].filter((r) => r.phase === 'crash').map((r) => r.runId);
  await Promise.all(
    ids.map(async (id) => {
      const run = await s.rt.getRun(id);
      if (run.status !== 'waiting' && !baton.TERMINAL_STATUSES.has(run.status))
        await s.settler.settled(id);
      s.progress();
    }),
  );
}

/**
 * Applications whose run failed because fraud detection was unavailable are decided again once
 * it is back. Each round waits out the breaker's reset, sends one application first (the
 * half-open probe: the breaker lets exactly one call through) and the rest once it closed.
 */
async function retryAfterOutage(
  s: Session,
  outageUntil: number | null,
  concurrency: number,
): Promise<void> {
  const wait = outageUntil === null ? 0 : outageUntil - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  for (let round = 1; round <= MAX_RETRY_ROUNDS; round++) {
    const failed = await fraudFailures(s);
    if (failed.length === 0) return;
    await new Promise((r) => setTimeout(r, FRAUD_BREAKER.resetAfterMs + 20));
    const key = (r: TrackedRun): string => `${r.app.applicantId}:after-outage-${round}`;
    const [probe, ...rest] = failed;
    await startAndSettle(s, (probe as TrackedRun).app, key(probe as TrackedRun), 'retry');
    await pool(rest, concurrency, (r) => startAndSettle(s, r.app, key(r), 'retry'));
  }
}

const MAX_RETRY_ROUNDS = 5;

/** The latest run of each application, when it failed at the fraud step. */
async function fraudFailures(s: Session): Promise<TrackedRun[]> {
  const latest = new Map<string, TrackedRun>();
  for (const r of s.runs.values()) latest.set(r.app.applicantId, r); // insertion order: latest last
  const failed: TrackedRun[] = [];
  for (const r of latest.values()) {
    const run = await s.rt.getRun(r.runId);
    if (run.status === 'failed' && run.error?.step === 'fraud') failed.push(r);
  }
  return failed;
}

/** Signs off every waiting referral with the demo underwriter's verdict. */
async function reviewWaiting(s: Session, concurrency: number): Promise<void> {
  const waiting = (await s.rt.listRuns({ status: 'waiting' })).filter((r) => s.runs.has(r.runId));
  await pool(waiting, concurrency, async (run) => {
    const tracked = s.runs.get(run.runId) as TrackedRun;
    s.settler.forget(run.runId);
    const done = s.settler.settled(run.runId);
    await s.rt.signal(run.runId, 'review', reviewVerdict(tracked.app));
    await done;
  });
}
