/**
 * Builds the versions one saver call appends to a thread: the genesis run, a checkpoint (channel
 * slots then header, preceded by a reset when it forks), a task's pending writes, a tombstone.
 * Pure: nothing here touches the store.
 */
import { GENESIS_HASH } from '../ledger/hash.js';
import type { Json, JsonObject } from '../ledger/json.js';
import type { NewRun, RunWrite, VersionRecord } from '../ledger/types.js';
import { buildVersion, materialize } from '../ledger/versions.js';
import {
  type CheckpointHeader,
  channelSlot,
  DELETED_SLOT,
  escapeName,
  FORK_SLOT,
  headerSlot,
  type StoredValue,
  type StoredWrite,
  THREAD_SLOT,
  type ThreadPayload,
  type ValueRef,
  type WritesPayload,
  writesSlot,
} from './ledger-layout.js';
import type { CheckpointEntry, ThreadIndex } from './thread-index.js';

/** Options every builder shares. */
export interface CommitContext {
  readonly now: number;
  readonly maxSlotBytes: number;
}

/** Appends versions after a thread's head, chaining hashes. */
class Chain {
  readonly versions: VersionRecord[] = [];
  constructor(
    private readonly idx: ThreadIndex,
    private readonly ctx: CommitContext,
  ) {}

  /** The ledger version the next `add` will get. */
  get next(): number {
    return this.idx.head + 1 + this.versions.length;
  }

  add(
    step: string,
    value: unknown,
    o: { createdBy: string; inputVersion: number | null; tag?: string | null; reset?: boolean },
  ): number {
    const prev = this.versions.at(-1) ?? this.idx.record(this.idx.head);
    const v = buildVersion(
      {
        runId: this.idx.threadId,
        version: this.next,
        step,
        kind: o.reset ? 'reset' : 'slot',
        createdBy: o.createdBy,
        inputVersion: o.inputVersion,
        contract: null,
        tag: o.tag ?? null,
        createdAt: this.ctx.now,
        prevHash: prev.hash,
      },
      value,
      this.ctx.maxSlotBytes,
    );
    this.versions.push(v);
    return v.version;
  }
}

/** The run a new thread starts as: version 1 is its genesis. */
export function genesisRun(threadId: string, workflow: string, graph: string, now: number): NewRun {
  const payload: ThreadPayload = { threadId, graph, layout: 1 };
  return {
    run: {
      runId: threadId,
      workflow,
      workflowVersion: 1,
      status: 'running',
      idempotencyKey: null,
      createdAt: now,
      updatedAt: now,
      output: null,
      error: null,
      waitingFor: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      parentRunId: null,
      parentVersion: null,
    },
    firstVersion: buildVersion(
      {
        runId: threadId,
        version: 1,
        step: THREAD_SLOT,
        createdBy: 'system',
        inputVersion: null,
        contract: null,
        createdAt: now,
        prevHash: GENESIS_HASH,
      },
      payload,
    ),
    journal: [
      {
        runId: threadId,
        type: 'run.started',
        step: null,
        attempt: null,
        at: now,
        durationMs: null,
        inputVersion: null,
        version: 1,
        error: null,
        detail: { langgraph: graph },
      },
    ],
  };
}

/** What a checkpoint commit needs beyond the index. */
export interface CheckpointInput {
  readonly ns: string;
  readonly id: string;
  readonly ts: string;
  readonly v: number;
  readonly channelVersions: JsonObject;
  readonly versionsSeen: JsonObject;
  readonly parent: CheckpointEntry | undefined;
  /** The changed channels' values, serialized. */
  readonly values: ReadonlyMap<string, StoredValue>;
  readonly metadata: StoredValue;
  readonly source: string;
  /** Set when the parent is not the namespace's latest checkpoint. */
  readonly fork: boolean;
}

/**
 * The versions of one checkpoint. A fork first resets the materialized state to what the parent
 * saw (other namespaces untouched), tagged `fork:<parent version>`, so `history`, `diff` and
 * `bisect` on the run show the fork's state, not the abandoned branch's.
 */
export function checkpointVersions(
  idx: ThreadIndex,
  input: CheckpointInput,
  ctx: CommitContext,
): VersionRecord[] {
  const chain = new Chain(idx, ctx);
  const parentVersion = input.parent?.version ?? null;
  const forkTag = input.fork ? `fork:${parentVersion ?? 0}` : null;
  // Only a loop checkpoint is the product of the tasks that wrote against its parent; input,
  // update and fork checkpoints are named by their source.
  const writers = writersOf(idx, input.ns, input.source === 'loop' ? input.parent : undefined);
  const createdBy = writers.all.length > 0 ? writers.all.join('+') : `__${input.source}__`;
  if (input.fork) {
    chain.add(FORK_SLOT, forkState(idx, input.ns, input.parent), {
      createdBy: 'system',
      inputVersion: parentVersion,
      tag: forkTag,
      reset: true,
    });
  }
  const refs: Record<string, ValueRef> = {};
  for (const [channel, stored] of input.values) {
    const nodes = writers.byChannel.get(channel);
    const at = chain.add(channelSlot(input.ns, channel), stored.value, {
      createdBy: nodes ? [...nodes].sort().join('+') : createdBy,
      inputVersion: parentVersion,
    });
    refs[channel] = { at, serde: stored.serde, form: stored.form };
  }
  const header: CheckpointHeader = {
    checkpointId: input.id,
    parentId: input.parent?.header.checkpointId ?? null,
    ns: input.ns,
    ts: input.ts,
    v: input.v,
    channelVersions: input.channelVersions,
    versionsSeen: input.versionsSeen,
    values: refs,
    metadata: input.metadata,
  };
  chain.add(headerSlot(input.ns), header, {
    createdBy,
    inputVersion: parentVersion,
    tag: forkTag,
  });
  return chain.versions;
}

/** The nodes whose writes against the parent produced this checkpoint, overall and by channel. */
function writersOf(
  idx: ThreadIndex,
  ns: string,
  parent: CheckpointEntry | undefined,
): { all: string[]; byChannel: Map<string, Set<string>> } {
  const byChannel = new Map<string, Set<string>>();
  const all = new Set<string>();
  if (parent) {
    for (const w of idx.writes(ns, parent.header.checkpointId)) {
      if (w.idx < 0) continue; // errors, interrupts, ... are not state
      all.add(w.node);
      let set = byChannel.get(w.channel);
      if (!set) {
        set = new Set();
        byChannel.set(w.channel, set);
      }
      set.add(w.node);
    }
  }
  return { all: [...all].sort(), byChannel };
}

/** The run's materialized state with this namespace's channels set to the parent's values. */
function forkState(idx: ThreadIndex, ns: string, parent: CheckpointEntry | undefined): JsonObject {
  const current = materialize(idx.records);
  const prefix = ns === '' ? undefined : `${escapeName(ns)}/`;
  const state: Record<string, Json> = {};
  for (const [slot, value] of Object.entries(current)) {
    const ownChannel = prefix
      ? slot.startsWith(prefix)
      : !slot.startsWith('$') && !slot.includes('/');
    if (!ownChannel) state[slot] = value;
  }
  for (const [channel, ref] of parent?.resolved ?? []) {
    state[channelSlot(ns, channel)] = JSON.parse(idx.record(ref.at).payload) as Json;
  }
  return state;
}

/** The version holding one task's pending writes. */
export function writesVersion(
  idx: ThreadIndex,
  input: {
    readonly ns: string;
    readonly checkpointId: string;
    readonly taskId: string;
    readonly taskPath: string;
    readonly writes: readonly StoredWrite[];
    readonly node: string;
  },
  ctx: CommitContext,
): VersionRecord {
  const chain = new Chain(idx, ctx);
  const payload: WritesPayload = {
    checkpointId: input.checkpointId,
    ns: input.ns,
    taskId: input.taskId,
    taskPath: input.taskPath,
    writes: input.writes,
  };
  chain.add(writesSlot(input.ns), payload, {
    createdBy: input.node,
    inputVersion: idx.checkpoint(input.ns, input.checkpointId)?.version ?? null,
  });
  return chain.versions[0]!;
}

/** A write appending versions after the thread's head; it reopens a deleted thread. */
export function appendWrite(idx: ThreadIndex, versions: VersionRecord[], now: number): RunWrite {
  return {
    runId: idx.threadId,
    expectedVersion: idx.head,
    versions,
    run: idx.status === 'running' ? { updatedAt: now } : { status: 'running', updatedAt: now },
  };
}

/**
 * deleteThread's write: a tombstone (a reset to an empty state that says what it hid), the run
 * cancelled, the journal entry and an audit record. Undefined when the thread is already
 * deleted and nothing was written since.
 */
export function tombstoneWrite(
  idx: ThreadIndex,
  graph: string,
  ctx: CommitContext,
): RunWrite | undefined {
  const counts = idx.visibleCounts();
  if (idx.status === 'cancelled' && counts.checkpoints === 0 && counts.writes === 0) return;
  const chain = new Chain(idx, ctx);
  const hid = { hidCheckpoints: counts.checkpoints, hidWrites: counts.writes };
  const version = chain.add(
    DELETED_SLOT,
    { [DELETED_SLOT]: { at: ctx.now, ...hid } },
    { createdBy: 'system', inputVersion: idx.head, tag: 'deleted', reset: true },
  );
  const runId = idx.threadId;
  return {
    runId,
    expectedVersion: idx.head,
    versions: chain.versions,
    run: { status: 'cancelled', updatedAt: ctx.now },
    journal: [
      {
        runId,
        type: 'run.cancelled',
        step: null,
        attempt: null,
        at: ctx.now,
        durationMs: null,
        inputVersion: null,
        version,
        error: null,
        detail: { langgraph: 'deleteThread', ...counts },
      },
    ],
    records: [
      {
        kind: 'audit',
        key: 'langgraph.deleteThread',
        runId,
        at: ctx.now,
        body: { action: 'langgraph.deleteThread', graph, version, ...counts },
      },
    ],
  };
}
