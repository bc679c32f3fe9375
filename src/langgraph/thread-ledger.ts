/**
 * The saver's access to threads on the store: a per-thread queue, an index per thread kept in
 * memory (least recently used dropped) and compare-and-append with re-judgment.
 *
 * Invariants:
 * - Every call on a thread runs in the thread's queue, in call order, so a saver's own parallel
 *   writes never race each other; other processes are held off by compare-and-append.
 * - An index is a cache of immutable versions: reading brings it up to the store's head; writing
 *   trusts it optimistically, because compare-and-append rejects a write built on a stale one.
 */
import {
  InvalidArgumentError,
  isNotFoundError,
  isVersionConflictError,
  type RunRecord,
  type RunWrite,
  type StateStore,
} from '../index.js';
import { isCheckpointConflictError } from './errors.js';
import { KeyedQueue } from './keyed-queue.js';
import type { ResolvedBatonSaverOptions } from './saver-options.js';
import { genesisRun } from './thread-commits.js';
import { ThreadIndex } from './thread-index.js';

/** Attempts of one append before a persistently lost race is reported. */
const MAX_ATTEMPTS = 64;

/** What an append builds from the thread's index (undefined: nothing to append). */
export type BuildWrite = (idx: ThreadIndex, now: number) => RunWrite | undefined;

/** Threads of one graph on one store. */
export class ThreadLedger {
  private readonly queue = new KeyedQueue();
  private readonly threads = new Map<string, ThreadIndex>();
  private migrated: Promise<void> | undefined;

  constructor(
    readonly store: StateStore,
    private readonly o: ResolvedBatonSaverOptions,
  ) {}

  /** Migrates the store once (idempotent on every backend). */
  ready(): Promise<void> {
    this.migrated ??= this.store.migrate().catch((e: unknown) => {
      this.migrated = undefined;
      throw e;
    });
    return this.migrated;
  }

  /** The ids of every thread of this graph. */
  async threadIds(): Promise<string[]> {
    await this.ready();
    return (await this.store.listRuns({ workflow: this.o.workflow })).map((r) => r.runId);
  }

  /**
   * Runs `fn` on the thread's index brought up to the store's head (undefined when the thread
   * does not exist), in the thread's queue.
   * @throws InvalidArgumentError when the thread is a run of another graph or workflow.
   */
  read<T>(threadId: string, fn: (idx: ThreadIndex | undefined) => T): Promise<T> {
    return this.queue.run(threadId, async () => fn(await this.load(threadId, false)));
  }

  /**
   * Appends what `build` makes of the thread, in the thread's queue; creates the thread unless
   * `create` is false (then a missing thread appends nothing and gives undefined). `fresh`
   * reads the thread first instead of building on the cached index.
   * @throws whatever `build` throws on the fresh ledger, or the store's commit error.
   */
  append(
    threadId: string,
    build: BuildWrite,
    o: { create?: boolean; fresh?: boolean } = {},
  ): Promise<ThreadIndex | undefined> {
    return this.queue.run(threadId, async () => {
      await this.ready();
      const cached = o.fresh ? undefined : this.threads.get(threadId);
      const idx = cached ?? (await this.load(threadId, o.create ?? true));
      return idx && this.commit(threadId, idx, build, !cached);
    });
  }

  /**
   * Compare-and-append: a lost race, or a judgment (conflict, unknown parent) made on an index
   * that may be stale, is made again on the fresh ledger, never retried blindly.
   */
  private async commit(
    threadId: string,
    start: ThreadIndex,
    build: BuildWrite,
    startFresh: boolean,
  ): Promise<ThreadIndex> {
    let idx = start;
    let fresh = startFresh;
    for (let attempt = 1; ; attempt++) {
      let write: RunWrite | undefined;
      try {
        write = build(idx, this.o.clock.now());
      } catch (e) {
        if (fresh || !(isCheckpointConflictError(e) || isNotFoundError(e))) throw e;
        idx = (await this.load(threadId, true))!;
        fresh = true;
        continue;
      }
      if (!write) return idx;
      const [outcome] = await this.store.commit([write]);
      if (outcome?.ok) {
        for (const v of write.versions ?? []) idx.apply(v);
        if (write.run?.status) idx.status = write.run.status;
        return idx;
      }
      const error = outcome?.error ?? new Error(`store returned no outcome for thread ${threadId}`);
      if (!isVersionConflictError(error) || attempt >= MAX_ATTEMPTS) throw error;
      idx = (await this.load(threadId, true))!;
      fresh = true;
    }
  }

  /** The thread's index brought up to the store's head; creates the thread's run when asked. */
  private async load(threadId: string, create: boolean): Promise<ThreadIndex | undefined> {
    await this.ready();
    let run = await this.store.getRun(threadId);
    if (!run) {
      if (!create) return undefined;
      const init = genesisRun(threadId, this.o.workflow, this.o.graph, this.o.clock.now());
      run = (await this.store.createRun(init)).run;
    }
    this.checkOwner(run);
    let idx = this.threads.get(threadId);
    if (!idx || idx.head > run.headVersion) idx = new ThreadIndex(threadId, run.status);
    if (idx.head < run.headVersion) {
      for (const v of await this.store.readVersions(threadId, idx.head + 1)) idx.apply(v);
    }
    idx.status = run.status;
    this.threads.delete(threadId);
    this.threads.set(threadId, idx);
    if (this.threads.size > this.o.cacheThreads) {
      this.threads.delete(this.threads.keys().next().value as string);
    }
    return idx;
  }

  private checkOwner(run: RunRecord): void {
    if (run.workflow !== this.o.workflow) {
      throw new InvalidArgumentError(
        `thread '${run.runId}' is a run of '${run.workflow}', not a thread of LangGraph graph '${this.o.graph}' (${this.o.workflow}); use another thread_id or a saver with that graph's name`,
        'thread_id',
      );
    }
  }
}
