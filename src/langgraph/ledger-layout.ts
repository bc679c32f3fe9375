/**
 * How a LangGraph thread is laid out in a Baton run's ledger.
 *
 * Invariants:
 * - A thread is one run; its version 1 is the thread's genesis (`$thread`), written by
 *   `createRun`. Every later version is appended by compare-and-append.
 * - A checkpoint is one commit: one version per channel whose value changed (slot named after
 *   the channel, so the materialized state of the run is the graph's state), then its header
 *   (`$checkpoint`), which names the ledger version of every value it stored. Reading trusts the
 *   header, never the slot names.
 * - Pending writes of one `putWrites` call are one `$writes` version.
 * - System slots start with `$`; channel slots never do (see `escapeName`), so the two cannot
 *   collide. Slots of a subgraph namespace are `<ns>/<channel>`; root-namespace channel slots
 *   contain no `/`.
 * - Values arrive serialized by LangGraph's serializer. Where it produced JSON, the slot holds
 *   that JSON (readable by `baton history --data`, `diff`, `bisect`); otherwise the slot holds
 *   `{ "$serde": type, "base64": bytes }` and the header says so (`form: 'base64'`).
 */
import type { Json, JsonObject } from '../index.js';

/** The genesis slot (version 1). */
export const THREAD_SLOT = '$thread';
/** A tombstone: a reset version that empties the thread (deleteThread). */
export const DELETED_SLOT = '$deleted';
/** A fork: a reset version that shows the fork's parent state before the fork's own versions. */
export const FORK_SLOT = '$fork';
const HEADER_SLOT = '$checkpoint';
const WRITES_SLOT = '$writes';

/** Where a LangGraph serializer's output is kept: parsed JSON, or base64 of opaque bytes. */
export type ValueForm = 'json' | 'base64';

/** A value as LangGraph serialized it and as the ledger keeps it. */
export interface StoredValue {
  /** The serializer's type tag (`json` for JsonPlusSerializer's JSON, `bytes`, ...). */
  readonly serde: string;
  readonly form: ValueForm;
  /** The JSON itself (form json) or `{ $serde, base64 }` (form base64). */
  readonly value: Json;
}

/** Where a checkpoint's channel value lives: the ledger version of its slot and its form. */
export interface ValueRef {
  readonly at: number;
  readonly serde: string;
  readonly form: ValueForm;
}

/** The header of one checkpoint (payload of a `$checkpoint` version). */
export interface CheckpointHeader {
  readonly checkpointId: string;
  readonly parentId: string | null;
  readonly ns: string;
  readonly ts: string;
  readonly v: number;
  readonly channelVersions: JsonObject;
  readonly versionsSeen: JsonObject;
  /** The channel values this checkpoint stored (the changed ones), by channel. */
  readonly values: { readonly [channel: string]: ValueRef };
  readonly metadata: StoredValue;
}

/** One pending write as stored. */
export interface StoredWrite {
  readonly channel: string;
  readonly idx: number;
  readonly serde: string;
  readonly form: ValueForm;
  readonly value: Json;
}

/** The payload of a `$writes` version: the writes of one task against one checkpoint. */
export interface WritesPayload {
  readonly checkpointId: string;
  readonly ns: string;
  readonly taskId: string;
  readonly taskPath: string;
  readonly writes: readonly StoredWrite[];
}

/** The payload of the genesis version. */
export interface ThreadPayload {
  readonly threadId: string;
  readonly graph: string;
  readonly layout: 1;
}

/**
 * Escapes a channel or namespace name for use in a slot name: `%` and `/` are percent-encoded,
 * a leading `$` too, and the empty name becomes `%`. The mapping is injective, so distinct
 * (namespace, channel) pairs always get distinct slots.
 */
export function escapeName(name: string): string {
  if (name === '') return '%';
  const escaped = name.replace(/%/g, '%25').replace(/\//g, '%2F');
  return escaped.startsWith('$') ? `%24${escaped.slice(1)}` : escaped;
}

/** The slot of a channel's value in a namespace ('' is the root namespace). */
export function channelSlot(ns: string, channel: string): string {
  return ns === '' ? escapeName(channel) : `${escapeName(ns)}/${escapeName(channel)}`;
}

/** The slot of a namespace's checkpoint headers. */
export function headerSlot(ns: string): string {
  return ns === '' ? HEADER_SLOT : `${HEADER_SLOT}/${escapeName(ns)}`;
}

/** The slot of a namespace's pending writes. */
export function writesSlot(ns: string): string {
  return ns === '' ? WRITES_SLOT : `${WRITES_SLOT}/${escapeName(ns)}`;
}

/** What kind of version a slot name denotes. */
export type SlotKind = 'thread' | 'deleted' | 'fork' | 'header' | 'writes' | 'channel';

/** Classifies a slot by name (system slots start with `$`). */
export function slotKind(step: string): SlotKind {
  if (!step.startsWith('$')) return 'channel';
  if (step === THREAD_SLOT) return 'thread';
  if (step === DELETED_SLOT) return 'deleted';
  if (step === FORK_SLOT) return 'fork';
  if (step === HEADER_SLOT || step.startsWith(`${HEADER_SLOT}/`)) return 'header';
  if (step === WRITES_SLOT || step.startsWith(`${WRITES_SLOT}/`)) return 'writes';
  return 'channel';
}
