/**
 * `BatonSaver`: LangGraph's checkpointer interface on a Baton ledger (any `StateStore`).
 *
 * Invariants:
 * - A thread is a run (run id = thread id) of the workflow `langgraph:<graph>`; the saver never
 *   touches a run of anything else.
 * - Everything is appended with compare-and-append on the thread's head; nothing is updated or
 *   deleted. A lost race is re-judged on the fresh ledger, never retried blindly: pending writes
 *   commute (appended again), a checkpoint after a parent that gained a child since this writer
 *   read it is a `CheckpointConflictError`, and nothing of it is written.
 * - Calls on one thread are queued in call order within a saver (see ThreadLedger).
 * - The saver's memory (thread indexes, what each writer last read) is a cache of immutable
 *   versions: dropping it changes nothing but speed, except that a writer whose read was
 *   forgotten forks instead of conflicting (see `seen`).
 */

import { isDeepStrictEqual } from 'node:util';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
} from '@langchain/langgraph-checkpoint';
import {
  canonicalJson,
  InvalidArgumentError,
  type JsonObject,
  NotFoundError,
  type StateStore,
} from '../index.js';
import { CheckpointConflictError } from './errors.js';
import type { StoredValue } from './ledger-layout.js';
import {
  type BatonSaverOptions,
  checkThreadId,
  type ResolvedBatonSaverOptions,
  readAddress,
  requireThread,
  resolveBatonSaverOptions,
} from './saver-options.js';
import { appendWrite, checkpointVersions, tombstoneWrite } from './thread-commits.js';
import { ROOT_PARENT, type ThreadIndex } from './thread-index.js';
import { ThreadLedger } from './thread-ledger.js';
import { captureTuple, configOf, readTuple, type TupleSource } from './tuple-reader.js';
import { encodeValue } from './value-codec.js';
import { encodeWrites, writesCommit } from './writes-commit.js';

/** Reads remembered for conflict detection (oldest forgotten first). */
const MAX_SEEN = 10_000;

/**
 * A LangGraph checkpointer on a Baton store: every checkpoint and pending write of a thread is
 * an immutable, hash-chained version of a Baton run, so `baton history`, `diff`, `bisect`,
 * `verify` and `show` work on LangGraph threads.
 * @example
 * const graph = builder.compile({ checkpointer: new BatonSaver(sqliteStore('baton.db')) });
 * await graph.invoke(input, { configurable: { thread_id: 'loan-42' } });
 */
export class BatonSaver extends BaseCheckpointSaver {
  readonly store: StateStore;
  private readonly o: ResolvedBatonSaverOptions;
  private readonly ledger: ThreadLedger;
  /** thread, namespace, checkpoint -> the thread head when this saver last returned it. */
  private readonly seen = new Map<string, number>();

  /** @throws InvalidArgumentError naming a bad option. */
  constructor(store: StateStore, options: BatonSaverOptions = {}) {
    super(options.serde);
    this.o = resolveBatonSaverOptions(store, options);
    this.store = store;
    this.ledger = new ThreadLedger(store, this.o);
  }

  /** The workflow name of this saver's threads (`langgraph:<graph>`). */
  get workflow(): string {
    return this.o.workflow;
  }

  /**
   * The checkpoint a config names, or the namespace's latest. Undefined without a thread id.
   * @throws InvalidArgumentError when the thread is a run of another graph or workflow.
   */
  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const at = readAddress(config);
    if (!at) return undefined;
    const src = await this.ledger.read(at.threadId, (idx) => {
      const entry = idx?.checkpoint(at.ns, at.checkpointId);
      if (entry || at.checkpointId === undefined) {
        this.remember(at.threadId, at.ns, entry?.header.checkpointId, idx?.head ?? 0);
      }
      return idx && entry ? captureTuple(at.threadId, idx, entry) : undefined;
    });
    return src && this.read(src);
  }

  /**
   * Checkpoints newest first (ledger order), of one thread or of every thread of this graph,
   * of one namespace or all. `before` keeps checkpoints whose id sorts before the given one
   * (LangGraph's ids are time-ordered); `filter` matches metadata fields by deep equality.
   */
  async *list(
    config: RunnableConfig,
    options: CheckpointListOptions = {},
  ): AsyncGenerator<CheckpointTuple> {
    const c = (config?.configurable ?? {}) as Record<string, unknown>;
    const at = readAddress(config);
    const ns = typeof c.checkpoint_ns === 'string' ? c.checkpoint_ns : undefined;
    // Checkpoint ids are read whether or not those configs name a thread.
    const onlyId = readAddress({ configurable: { ...c, thread_id: '-' } })?.checkpointId;
    const before = options.before?.configurable ?? {};
    const beforeId = readAddress({ configurable: { ...before, thread_id: '-' } })?.checkpointId;
    const { limit, filter } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new InvalidArgumentError(`limit must be a non-negative integer, got ${limit}`, 'limit');
    }
    let left = limit ?? Number.POSITIVE_INFINITY;
    const threadIds = at ? [at.threadId] : await this.ledger.threadIds();
    for (const threadId of threadIds) {
      const sources = await this.ledger.read(threadId, (idx) => {
        if (!idx) return [];
        return idx
          .checkpointsNewestFirst(ns)
          .filter((e) => onlyId === undefined || e.header.checkpointId === onlyId)
          .filter((e) => beforeId === undefined || e.header.checkpointId < beforeId)
          .map((e) => captureTuple(threadId, idx, e));
      });
      for (const src of sources) {
        if (left <= 0) return;
        const tuple = await this.read(src);
        if (filter && !matches(tuple.metadata, filter)) continue;
        left--;
        yield tuple;
      }
    }
  }

  /**
   * Appends a checkpoint: its changed channels (`newVersions`) and its header, in one commit.
   * A parent that is not the namespace's latest checkpoint makes a fork (recorded, linked to
   * the parent); a parent that gained a child since this saver returned it is a conflict.
   * @throws InvalidArgumentError without a thread id, or for a thread of another graph.
   * @throws NotFoundError when the parent checkpoint is not in the thread.
   * @throws CheckpointConflictError when another writer appended after the same parent first.
   * @throws PayloadTooLargeError when a value encodes to more than `maxSlotBytes`.
   */
  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const at = requireThread(config, 'put');
    if (typeof checkpoint?.id !== 'string' || checkpoint.id === '') {
      throw new InvalidArgumentError('checkpoint.id must be a non-empty string', 'checkpoint');
    }
    const values = new Map<string, StoredValue>();
    for (const channel of Object.keys(newVersions ?? {})) {
      if (!Object.hasOwn(checkpoint.channel_values ?? {}, channel)) continue;
      values.set(channel, await encodeValue(this.serde, checkpoint.channel_values[channel]));
    }
    const stored = await encodeValue(this.serde, metadata);
    const channelVersions = plainJson(checkpoint.channel_versions ?? {}, 'channel_versions');
    const versionsSeen = plainJson(checkpoint.versions_seen ?? {}, 'versions_seen');
    const idx = await this.ledger.append(at.threadId, (idx, now) => {
      const parent =
        at.checkpointId === undefined ? undefined : idx.checkpoint(at.ns, at.checkpointId);
      if (at.checkpointId !== undefined && !parent) {
        throw new NotFoundError(
          `parent checkpoint in thread '${at.threadId}'${at.ns ? ` namespace '${at.ns}'` : ''}`,
          at.checkpointId,
        );
      }
      this.judgeConflict(idx, at.threadId, at.ns, at.checkpointId, checkpoint.id);
      const latest = idx.checkpoint(at.ns, undefined);
      const versions = checkpointVersions(
        idx,
        {
          ns: at.ns,
          id: checkpoint.id,
          ts: checkpoint.ts,
          v: checkpoint.v,
          channelVersions,
          versionsSeen,
          parent,
          values,
          metadata: stored,
          source: typeof metadata?.source === 'string' ? metadata.source : 'put',
          fork:
            latest !== undefined &&
            latest !== parent &&
            latest.header.checkpointId !== checkpoint.id,
        },
        { now, maxSlotBytes: this.o.maxSlotBytes },
      );
      return appendWrite(idx, versions, now);
    });
    // A created thread always yields its index.
    this.remember(at.threadId, at.ns, checkpoint.id, idx!.head);
    return configOf(at.threadId, at.ns, checkpoint.id);
  }

  /**
   * Appends a task's pending writes against a checkpoint as one version. A regular write
   * already recorded for (task, index) is not appended again (LangGraph's savers keep the
   * first); a special write (error, interrupt, ...) is.
   * @throws InvalidArgumentError without a thread id or checkpoint id.
   */
  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath = '',
  ): Promise<void> {
    const at = requireThread(config, 'putWrites');
    if (at.checkpointId === undefined) {
      throw new InvalidArgumentError(
        'putWrites needs config.configurable.checkpoint_id (the checkpoint the writes belong to)',
        'checkpoint_id',
      );
    }
    const checkpointId = at.checkpointId;
    const encoded = await encodeWrites(this.serde, writes, taskId, taskPath);
    await this.ledger.append(at.threadId, (idx, now) => {
      const commit = writesCommit(
        idx,
        { ns: at.ns, checkpointId, ...encoded },
        {
          now,
          maxSlotBytes: this.o.maxSlotBytes,
        },
      );
      return commit && { ...appendWrite(idx, [commit.version], now), journal: commit.journal };
    });
  }

  /**
   * Deletes a thread for LangGraph by appending a tombstone: the thread reads as empty from
   * then on (and can be used again), while its history stays in the ledger, verifiable, with
   * an audit record of the deletion. Physical removal is the store's retention, not this call.
   * @throws InvalidArgumentError for a thread of another graph.
   */
  async deleteThread(threadId: string): Promise<void> {
    const id = checkThreadId(threadId);
    this.forget(id);
    const ctx = (now: number) => ({ now, maxSlotBytes: this.o.maxSlotBytes });
    await this.ledger.append(id, (idx, now) => tombstoneWrite(idx, this.o.graph, ctx(now)), {
      create: false,
      fresh: true,
    });
  }

  /**
   * A conflict: since this saver returned the parent (or "no checkpoint yet") to its reader,
   * another checkpoint was appended after it. Without such a read, the put is a deliberate
   * fork: the writer chose the parent knowing nothing newer.
   */
  private judgeConflict(
    idx: ThreadIndex,
    threadId: string,
    ns: string,
    parentId: string | undefined,
    checkpointId: string,
  ): void {
    const read = this.seen.get(seenKey(threadId, ns, parentId));
    const child = idx.lastChild(ns, parentId);
    if (read === undefined || !child || child.version <= read) return;
    if (child.checkpointId === checkpointId) return; // the same checkpoint put again
    throw new CheckpointConflictError(
      threadId,
      ns,
      parentId ?? null,
      checkpointId,
      child.checkpointId,
      read,
      idx.head,
    );
  }

  private remember(threadId: string, ns: string, checkpointId: string | undefined, head: number) {
    const key = seenKey(threadId, ns, checkpointId);
    this.seen.delete(key);
    this.seen.set(key, head);
    if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.keys().next().value as string);
  }

  private forget(threadId: string): void {
    const prefix = `${threadId}\u0000`;
    for (const key of this.seen.keys()) if (key.startsWith(prefix)) this.seen.delete(key);
  }

  private read(src: TupleSource): Promise<CheckpointTuple> {
    return readTuple(this.serde, src, (v) => this.getNextVersion(v));
  }
}

function seenKey(threadId: string, ns: string, checkpointId: string | undefined): string {
  return `${threadId}\u0000${ns}\u0000${checkpointId ?? ROOT_PARENT}`;
}

/** A fresh plain-JSON copy (never the caller's object, which the ledger would freeze). */
function plainJson(value: unknown, field: string): JsonObject {
  return JSON.parse(canonicalJson(value, `$.checkpoint.${field}`)) as JsonObject;
}

function matches(metadata: CheckpointMetadata | undefined, filter: Record<string, unknown>) {
  const m = (metadata ?? {}) as Record<string, unknown>;
  return Object.entries(filter).every(([key, value]) => isDeepStrictEqual(m[key], value));
}
