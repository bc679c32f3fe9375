/**
 * Run handles and the waiting room for run outcomes: a run driven here settles its waiters
 * directly; a run driven elsewhere (another process, another machine) is polled in the store.
 */
import { NotFoundError, RunCancelledError, RunFailedError } from '../errors.js';
import type { StateStore } from '../ledger/store.js';
import { type RunRecord, TERMINAL_STATUSES } from '../ledger/types.js';
import type { Clock } from '../resilience/clock.js';
import type { RunHandle } from './run-types.js';

interface Deferred {
  promise: Promise<RunRecord>;
  resolve: (r: RunRecord) => void;
  reject: (e: Error) => void;
  polling: boolean;
}

/** Where callers wait for runs to end. */
export class RunWaiters {
  private readonly waiting = new Map<string, Deferred>();
  private readonly stopped = new AbortController();
  /** Runs driven elsewhere that someone waits for. */
  private readonly polled = new Set<string>();
  private polling: Promise<void> | undefined;
  /** Set once the store failed for good: every wait, current and future, rejects with it. */
  private failure: Error | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    private readonly pollMs: number,
    /** True while this runtime drives the run (its driver settles the waiters; no polling). */
    private readonly isLocal: (runId: string) => boolean,
  ) {}

  /** Records a run's new state; settles its waiters when it is terminal. */
  settle(run: RunRecord): void {
    if (!TERMINAL_STATUSES.has(run.status)) return;
    const d = this.waiting.get(run.runId);
    if (d) {
      this.waiting.delete(run.runId);
      d.resolve(run);
    }
  }

  /** Resolves with the run once it is terminal. */
  waitTerminal(runId: string): Promise<RunRecord> {
    if (this.failure) return Promise.reject(this.failure);
    let d = this.waiting.get(runId);
    if (!d) {
      let resolve!: (r: RunRecord) => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<RunRecord>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      d = { promise, resolve, reject, polling: false };
      this.waiting.set(runId, d);
      // A run driven here settles its waiters directly; only runs driven elsewhere are polled.
      if (!this.isLocal(runId)) this.startPolling(runId, d);
    }
    return d.promise;
  }

  /** The run is no longer driven here (it parked, or another runtime took it): poll for it. */
  released(runId: string): void {
    const d = this.waiting.get(runId);
    if (d) this.startPolling(runId, d);
  }

  private startPolling(runId: string, d: Deferred): void {
    if (d.polling) return;
    d.polling = true;
    this.polled.add(runId);
    this.polling ??= this.pollAll().finally(() => {
      this.polling = undefined;
    });
  }

  /** One loop polls every run driven elsewhere, until none is left (one timer, not one per run). */
  private async pollAll(): Promise<void> {
    while (!this.stopped.signal.aborted && this.polled.size > 0) {
      for (const runId of [...this.polled]) {
        if (!this.waiting.has(runId)) {
          this.polled.delete(runId);
          continue;
        }
        if (this.isLocal(runId)) continue;
        const run = await this.store.getRun(runId).catch(() => undefined);
        if (run && TERMINAL_STATUSES.has(run.status)) {
          this.polled.delete(runId);
          this.settle(run);
        }
      }
      if (this.polled.size === 0) return;
      await this.clock.sleep(this.pollMs, this.stopped.signal).catch(() => {});
    }
  }

  /**
   * The store failed for good (a damaged file, a full disk): no run's end can be read or
   * committed any more, so every waiter rejects with `error` instead of waiting forever.
   */
  fail(error: Error): void {
    this.failure ??= error;
    for (const d of this.waiting.values()) d.reject(this.failure);
    this.waiting.clear();
    this.polled.clear();
  }

  /** Yields to let drivers finish (used while closing). */
  tick(): Promise<void> {
    return new Promise((r) => setImmediate(r));
  }

  close(): void {
    this.stopped.abort();
  }
}

/** Turns a terminal run into its output or its error. */
export async function outcomeOf<Out>(run: RunRecord, store: StateStore): Promise<Out> {
  if (run.status === 'completed') return run.output as Out;
  if (run.status === 'cancelled') throw new RunCancelledError(run.runId);
  const journal = await store.readJournal(run.runId);
  const compensated = journal
    .filter((j) => j.type === 'compensation.succeeded' && j.step)
    .map((j) => j.step as string);
  const failure = run.error ?? { code: 'RUN_FAILED', message: `run ended ${run.status}` };
  throw new RunFailedError(
    run.runId,
    run.status,
    {
      code: failure.code,
      message: failure.message,
      ...('step' in failure && failure.step ? { step: failure.step } : {}),
    },
    compensated,
    run.error,
  );
}

/** A handle on a run. */
export function createRunHandle<Out>(
  runId: string,
  store: StateStore,
  waiters: RunWaiters,
): RunHandle<Out> {
  return {
    id: runId,
    async status() {
      const run = await store.getRun(runId);
      if (!run) throw new NotFoundError('run', runId);
      return run.status;
    },
    async result() {
      const run = await waiters.waitTerminal(runId);
      return outcomeOf<Out>(run, store);
    },
  };
}
