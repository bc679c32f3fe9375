/**
 * A thread's ledger folded into what LangGraph asks for: checkpoints by namespace and id, their
 * resolved channel values, and pending writes. Built incrementally from versions in order.
 *
 * Invariants:
 * - `apply` takes versions strictly in order (head + 1); versions never change, so an index is
 *   always a correct view of versions 1..head and only ever needs the versions after its head.
 * - A tombstone (`$deleted`) empties the index: nothing before it is visible to LangGraph.
 * - The latest header for a checkpoint id wins (LangGraph savers upsert a re-put checkpoint).
 * - Pending writes keep LangGraph's key rules: a regular write (idx >= 0) is kept once per
 *   (task, idx), the first one; a special write (error, interrupt, ...; idx < 0) is replaced.
 */
import { compareWritesSortKeys, writesSortKey } from '@langchain/langgraph-checkpoint';
import type { Json, RunStatus, VersionRecord } from '../index.js';
import {
  type CheckpointHeader,
  slotKind,
  type ValueForm,
  type ValueRef,
  type WritesPayload,
} from './ledger-layout.js';

/** Key of "no parent" in the children map. */
export const ROOT_PARENT = '\u0000root';

/** One checkpoint as indexed. */
export interface CheckpointEntry {
  readonly header: CheckpointHeader;
  /** Ledger version of the header. */
  readonly version: number;
  /** Every channel value of the checkpoint: stored by it or carried over from its ancestors. */
  readonly resolved: ReadonlyMap<string, ValueRef>;
}

/** One pending write as indexed. */
export interface WriteEntry {
  readonly taskId: string;
  readonly taskPath: string;
  readonly channel: string;
  readonly idx: number;
  readonly serde: string;
  readonly form: ValueForm;
  readonly value: Json;
  /** Ledger version of the `$writes` version holding it. */
  readonly at: number;
  /** The node that produced it. */
  readonly node: string;
}

/** The latest checkpoint appended after a parent. */
export interface ChildMark {
  readonly version: number;
  readonly checkpointId: string;
}

class NamespaceIndex {
  readonly checkpoints = new Map<string, CheckpointEntry>();
  /** Headers in ledger order (a re-put id appears again; only its current entry counts). */
  readonly order: CheckpointEntry[] = [];
  readonly writes = new Map<string, WriteEntry[]>();
  readonly lastChild = new Map<string, ChildMark>();
}

/** A thread's index; see the module invariants. */
export class ThreadIndex {
  head = 0;
  status: RunStatus;
  /** Every version 1..head (index = version - 1): slot payloads are read from here. */
  readonly records: VersionRecord[] = [];
  private namespaces = new Map<string, NamespaceIndex>();

  constructor(
    readonly threadId: string,
    status: RunStatus,
  ) {
    this.status = status;
  }

  /** Folds the next version in. */
  apply(v: VersionRecord): void {
    if (v.version !== this.head + 1) {
      throw new RangeError(`thread ${this.threadId}: version ${v.version} after ${this.head}`);
    }
    this.records.push(v);
    this.head = v.version;
    const kind = slotKind(v.step);
    if (kind === 'deleted') this.namespaces = new Map();
    else if (kind === 'header') this.applyHeader(v);
    else if (kind === 'writes') this.applyWrites(v);
  }

  private ns(name: string): NamespaceIndex {
    let ns = this.namespaces.get(name);
    if (!ns) {
      ns = new NamespaceIndex();
      this.namespaces.set(name, ns);
    }
    return ns;
  }

  private applyHeader(v: VersionRecord): void {
    const header = JSON.parse(v.payload) as CheckpointHeader;
    const ns = this.ns(header.ns);
    const parent = header.parentId === null ? undefined : ns.checkpoints.get(header.parentId);
    const resolved = new Map<string, ValueRef>();
    for (const [channel, version] of Object.entries(header.channelVersions)) {
      const own = header.values[channel];
      if (own) {
        resolved.set(channel, own);
        continue;
      }
      // Carried over: unchanged since the parent (same channel version), so the parent's value.
      const inherited = parent?.resolved.get(channel);
      if (inherited && parent?.header.channelVersions[channel] === version) {
        resolved.set(channel, inherited);
      }
    }
    const entry: CheckpointEntry = { header, version: v.version, resolved };
    ns.checkpoints.set(header.checkpointId, entry);
    ns.order.push(entry);
    ns.lastChild.set(header.parentId ?? ROOT_PARENT, {
      version: v.version,
      checkpointId: header.checkpointId,
    });
  }

  private applyWrites(v: VersionRecord): void {
    const payload = JSON.parse(v.payload) as WritesPayload;
    const ns = this.ns(payload.ns);
    let list = ns.writes.get(payload.checkpointId);
    if (!list) {
      list = [];
      ns.writes.set(payload.checkpointId, list);
    }
    const node = nodeOfTask(payload.taskPath);
    for (const w of payload.writes) {
      const entry: WriteEntry = {
        taskId: payload.taskId,
        taskPath: payload.taskPath,
        channel: w.channel,
        idx: w.idx,
        serde: w.serde,
        form: w.form,
        value: w.value,
        at: v.version,
        node,
      };
      const same = list.findIndex((e) => e.taskId === entry.taskId && e.idx === entry.idx);
      if (same < 0) list.push(entry);
      else if (entry.idx < 0) list[same] = entry;
    }
  }

  /** A checkpoint by id, or the namespace's latest (last appended) when id is undefined. */
  checkpoint(ns: string, id: string | undefined): CheckpointEntry | undefined {
    const index = this.namespaces.get(ns);
    if (!index) return undefined;
    if (id !== undefined) return index.checkpoints.get(id);
    return index.order.at(-1);
  }

  /** Current checkpoints, newest first, of one namespace or (ns undefined) of all. */
  checkpointsNewestFirst(ns: string | undefined): CheckpointEntry[] {
    const spaces =
      ns === undefined ? [...this.namespaces.values()] : [this.namespaces.get(ns)].filter(Boolean);
    const all: CheckpointEntry[] = [];
    for (const space of spaces as NamespaceIndex[]) {
      for (const e of space.order) {
        if (space.checkpoints.get(e.header.checkpointId) === e) all.push(e);
      }
    }
    return all.sort((a, b) => b.version - a.version);
  }

  /** The latest checkpoint appended after `parentId` (or after none) in a namespace. */
  lastChild(ns: string, parentId: string | undefined): ChildMark | undefined {
    return this.namespaces.get(ns)?.lastChild.get(parentId ?? ROOT_PARENT);
  }

  /** Pending writes against a checkpoint, in LangGraph's `writesSortKey` order. */
  writes(ns: string, checkpointId: string): WriteEntry[] {
    const list = this.namespaces.get(ns)?.writes.get(checkpointId) ?? [];
    return list
      .map((w) => ({ w, key: writesSortKey(w.taskPath, w.taskId, w.idx) }))
      .sort((a, b) => compareWritesSortKeys(a.key, b.key))
      .map(({ w }) => w);
  }

  /** Whether a regular write (task, idx) is already recorded against a checkpoint. */
  hasWrite(ns: string, checkpointId: string, taskId: string, idx: number): boolean {
    const list = this.namespaces.get(ns)?.writes.get(checkpointId);
    return list?.some((w) => w.taskId === taskId && w.idx === idx) ?? false;
  }

  /** How many checkpoints and writes LangGraph can currently see (for the tombstone's record). */
  visibleCounts(): { checkpoints: number; writes: number } {
    let checkpoints = 0;
    let writes = 0;
    for (const ns of this.namespaces.values()) {
      checkpoints += ns.checkpoints.size;
      for (const list of ns.writes.values()) writes += list.length;
    }
    return { checkpoints, writes };
  }

  /** The stored version at `version`. */
  record(version: number): VersionRecord {
    const r = this.records[version - 1];
    if (!r) throw new RangeError(`thread ${this.threadId}: no version ${version}`);
    return r;
  }
}

/** Prefix of the task path of a node's (pull) task, as LangGraph serializes paths. */
const PULL_PREFIX = '~__pregel_pull, ';
const PUSH_PREFIX = '~__pregel_push, ';
/** Tasks `updateState` runs for `asNode`. */
const UPDATE_PREFIX = '~__interrupt__';

/**
 * The node that ran a task, from its serialized task path: a pull task's path names its node;
 * a Send (push) task is named by its path; `updateState` tasks are `__update__`; writes without
 * a path come from the graph's input or a Command.
 */
export function nodeOfTask(taskPath: string): string {
  if (taskPath.startsWith(PULL_PREFIX)) return taskPath.slice(PULL_PREFIX.length);
  if (taskPath.startsWith(PUSH_PREFIX)) {
    const rest = taskPath.slice(PUSH_PREFIX.length);
    return `send:${/^\d+$/.test(rest) ? String(Number(rest)) : rest}`;
  }
  if (taskPath.startsWith(UPDATE_PREFIX)) return '__update__';
  return '__input__';
}
