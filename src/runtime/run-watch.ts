/**
 * `rt.watch`: live run events from the store's change feed, in commit order, each with a durable
 * cursor. It works in any process that opens the store (a reader that never writes included),
 * because it reads only committed journal entries.
 *
 * Invariants:
 * - Resuming with the last cursor seen yields exactly the events after it: none missed, none
 *   repeated, so a status shown from these events never moves backwards.
 * - Token events (`tokens: true`) are ephemeral: they come from this process's live feed, are
 *   never stored and carry no cursor; they are yielded between committed events as they arrive.
 * - A watcher costs nothing while idle: it waits on the feed's wake (data_version polling on
 *   SQLite, LISTEN/NOTIFY on PostgreSQL, a direct wake in memory), with `pollMs` as a backstop.
 */
import { type ErrorInfo, InvalidArgumentError } from '../errors.js';
import type { Json } from '../ledger/json.js';
import type { ChangeQuery, ChangeRecord, SearchAttributes } from '../ledger/observe.js';
import { checkAttributes } from '../ledger/observe-rules.js';
import type { StateStore } from '../ledger/store.js';
import {
  type JournalType,
  type RunRecord,
  type RunStatus,
  TERMINAL_STATUSES,
} from '../ledger/types.js';
import type { LiveFeed, TokenEvent } from '../orchestrator/live-feed.js';

/** One run event: a committed journal entry, with the status it set and its cursor. */
export interface RunEvent {
  /** Durable and monotonic: pass it as `after` to resume right after this event. */
  readonly cursor: string;
  readonly runId: string;
  readonly workflow: string;
  /** What happened: `run.started`, `step.started`, `step.succeeded`, `run.waiting`, ... */
  readonly type: JournalType;
  readonly at: number;
  readonly step: string | null;
  readonly attempt: number | null;
  /** The version the event appended (a step's output) or refers to. */
  readonly version: number | null;
  readonly inputVersion: number | null;
  /** The run's status from this event on, when the event changed it (null otherwise). */
  readonly status: RunStatus | null;
  readonly durationMs: number | null;
  readonly error: ErrorInfo | null;
  readonly detail: Json | null;
}

/** Which runs to watch when not one run. */
export interface WatchFilter {
  readonly workflow?: string;
  /** Search attributes the runs must have. */
  readonly where?: SearchAttributes;
}

/** Options of `rt.watch`. */
export interface WatchOptions {
  /**
   * Resume after this cursor. Default: from the run's first event when watching one run, from
   * now when watching a filter.
   */
  readonly after?: string;
  /** Stops the iteration. */
  readonly signal?: AbortSignal;
  /** Longest wait between two reads when no wake arrives (default 1000 ms). */
  readonly pollMs?: number;
  /**
   * Also yield the ephemeral token events of the run's steps (`{ type: 'token', step, text }`:
   * model tokens while an LLM step runs) produced in this process; never stored, so a watcher
   * sees those published while it watches. One run only.
   */
  readonly tokens?: boolean;
}

const BATCH = 500;

/** Maps a change record to its run event. */
export function toRunEvent(c: ChangeRecord): RunEvent {
  const e = c.entry;
  return {
    cursor: c.cursor,
    runId: e.runId,
    workflow: c.workflow,
    type: e.type,
    at: e.at,
    step: e.step,
    attempt: e.attempt,
    version: e.version,
    inputVersion: e.inputVersion,
    status: e.runStatus ?? null,
    durationMs: e.durationMs,
    error: e.error,
    detail: e.detail,
  };
}

/**
 * Validates a watch target and options before anything is read.
 * @throws InvalidArgumentError naming the bad value.
 */
export function checkWatch(target: unknown, options: WatchOptions): ChangeQuery {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('watch options must be an object', 'options');
  if (options.pollMs !== undefined && !(Number.isInteger(options.pollMs) && options.pollMs > 0)) {
    throw new InvalidArgumentError(
      `pollMs must be a positive integer, got ${String(options.pollMs)}`,
      'pollMs',
    );
  }
  const after = options.after !== undefined ? { after: options.after } : {};
  if (typeof target === 'string') {
    if (target.length === 0) throw new InvalidArgumentError('runId must be non-empty', 'runId');
    return { runId: target, limit: BATCH, ...after };
  }
  if (typeof target !== 'object' || target === null) {
    throw new InvalidArgumentError(
      'watch takes a run id or a filter { workflow?, where? }',
      'target',
    );
  }
  const f = target as WatchFilter;
  if (f.workflow !== undefined && typeof f.workflow !== 'string')
    throw new InvalidArgumentError('filter.workflow must be a string', 'workflow');
  return {
    limit: BATCH,
    ...after,
    ...(f.workflow !== undefined ? { workflow: f.workflow } : {}),
    ...(f.where !== undefined ? { where: checkAttributes(f.where, 'where') } : {}),
  };
}

/**
 * The events of one run (ending once it reaches a terminal status) or of the runs a filter
 * matches (endless until `signal` aborts or the loop breaks).
 * @throws NotFoundError for an unknown run; InvalidArgumentError for a bad cursor or filter.
 */
export async function* watchRuns(
  store: StateStore,
  target: string | WatchFilter,
  options: WatchOptions,
  getRun: (runId: string) => Promise<RunRecord>,
  live?: LiveFeed,
): AsyncGenerator<RunEvent | TokenEvent, void, undefined> {
  const query = checkWatch(target, options);
  const pollMs = options.pollMs ?? 1000;
  const signal = options.signal;
  let ended = false;
  // Token events arrive from this process's steps between store reads: queued, and each one
  // cuts the wait for the store short (tokens must not wait for the next commit).
  const tokens: TokenEvent[] = [];
  let poke: (() => void) | undefined;
  const unsubscribe =
    options.tokens === true && query.runId !== undefined && live
      ? live.subscribe(query.runId, (e) => {
          tokens.push(e);
          poke?.();
        })
      : undefined;
  try {
    if (query.runId !== undefined) await getRun(query.runId);
    let cursor =
      query.after ?? (query.runId === undefined ? await store.changes.head() : undefined);
    // Validates the cursor before the first wait (a bad one throws here, not minutes later).
    await store.changes.read({
      ...query,
      limit: 0,
      ...(cursor !== undefined ? { after: cursor } : {}),
    });
    while (!ended && !signal?.aborted) {
      while (tokens.length > 0) yield tokens.shift()!;
      const batch = await store.changes.read({
        ...query,
        ...(cursor !== undefined ? { after: cursor } : {}),
      });
      for (const c of batch) {
        cursor = c.cursor;
        const event = toRunEvent(c);
        yield event;
        if (query.runId !== undefined && event.status && TERMINAL_STATUSES.has(event.status)) {
          ended = true;
          break;
        }
        if (signal?.aborted) return;
      }
      if (ended || batch.length === BATCH) continue;
      // Resumed past a run's last event: nothing more will come once it has ended.
      if (batch.length === 0 && query.runId !== undefined) {
        const ended = TERMINAL_STATUSES.has((await getRun(query.runId)).status);
        if (ended && !(await store.changes.hasAfter(query.runId, cursor))) return;
      }
      if (!unsubscribe) {
        await store.changes.wake(pollMs, signal);
        continue;
      }
      if (tokens.length > 0) continue;
      const cut = new AbortController();
      const stop = () => cut.abort();
      poke = stop;
      signal?.addEventListener('abort', stop, { once: true });
      await store.changes.wake(pollMs, cut.signal);
      poke = undefined;
      signal?.removeEventListener('abort', stop);
    }
  } finally {
    unsubscribe?.();
  }
}
