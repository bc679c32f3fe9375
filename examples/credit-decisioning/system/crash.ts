/**
 * The crash: the parent queues a batch of runs, starts a worker child on the same SQLite file,
 * and kills it with SIGKILL while it is driving them. The runs it held keep the child's expired
 * lease; the parent's runtime claims and resumes them from their last committed version.
 *
 * Invariants:
 * - The child is a real OS process (`process.execPath --import tsx worker.ts`), killed with
 *   SIGKILL (no cleanup, no graceful drain).
 * - What the child held is read from the store after the kill: runs whose lease owner is the
 *   child and whose status is not terminal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type RunRecord, type Runtime, TERMINAL_STATUSES } from 'baton-runtime';
import type { Application } from '../domain/contracts.js';
import type { WorkerConfig, WorkerMessage } from './worker.js';
import type { CreditWorkflow } from './workflow.js';

/** A run the child held when it was killed. */
export interface HeldRun {
  readonly runId: string;
  readonly applicantId: string;
  readonly status: RunRecord['status'];
  /** Versions committed when the child died (1 = only the input). */
  readonly headVersion: number;
}

/** What happened to the child. */
export interface CrashReport {
  readonly pid: number;
  readonly owner: string;
  /** How the child ended: 'SIGKILL' when the kill landed. */
  readonly signal: string | null;
  /** Runs queued for the child. */
  readonly queued: number;
  /** Runs it held (leased, unfinished) when it died. */
  readonly held: readonly HeldRun[];
  /** Runs it finished before it died. */
  readonly finishedByChild: number;
}

/** Options of {@link crashWorker}. */
export interface CrashOptions {
  readonly rt: Runtime;
  readonly workflow: CreditWorkflow;
  readonly applications: readonly Application[];
  readonly config: Omit<WorkerConfig, 'owner'>;
  /** Called with each queued run id. */
  readonly onQueued: (runId: string, app: Application) => void;
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function waitForHolding(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null): void =>
      reject(new Error(`the worker child exited early (code ${code}, signal ${signal})`));
    child.once('exit', onExit);
    child.on('message', (m: WorkerMessage) => {
      if (m.type !== 'holding') return;
      child.off('exit', onExit);
      resolve();
    });
  });
}

/**
 * Queues the batch, lets the child take it, and kills the child mid-run.
 * @throws Error when the child exits before it holds runs.
 */
export async function crashWorker(o: CrashOptions): Promise<CrashReport> {
  const ids = new Map<string, string>();
  for (const app of o.applications) {
    const h = await o.rt.submit(o.workflow, app, { idempotencyKey: app.applicantId });
    ids.set(h.id, app.applicantId);
    o.onQueued(h.id, app);
  }
  const owner = `worker-child-${process.pid}-${Date.now().toString(36)}`;
  const config: WorkerConfig = { ...o.config, owner };
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(config)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<string | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  try {
    await waitForHolding(child);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  child.kill('SIGKILL');
  const signal = await exited;
  const runs = (await o.rt.listRuns({ workflow: o.workflow.name })).filter((r) => ids.has(r.runId));
  const held = runs
    .filter((r) => r.leaseOwner === owner && !TERMINAL_STATUSES.has(r.status))
    .map((r) => ({
      runId: r.runId,
      applicantId: ids.get(r.runId) ?? '?',
      status: r.status,
      headVersion: r.headVersion,
    }));
  return {
    pid: child.pid ?? -1,
    owner,
    signal,
    queued: o.applications.length,
    held,
    finishedByChild: runs.filter((r) => TERMINAL_STATUSES.has(r.status)).length,
  };
}
