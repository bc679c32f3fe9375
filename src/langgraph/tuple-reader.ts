/**
 * Turns indexed checkpoints back into LangGraph's `CheckpointTuple`s: values and metadata loaded
 * through the serializer, pending writes in LangGraph's order, configs that name exactly
 * thread, namespace and checkpoint.
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  type ChannelVersions,
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  maxChannelVersion,
  type SerializerProtocol,
  TASKS,
} from '@langchain/langgraph-checkpoint';
import type { CheckpointEntry, ThreadIndex, WriteEntry } from './thread-index.js';
import { decodeValue } from './value-codec.js';

/**
 * What a tuple is built from, captured while the thread is queued (the index keeps changing
 * after; the captured parts never do).
 */
export interface TupleSource {
  readonly threadId: string;
  readonly idx: ThreadIndex;
  readonly entry: CheckpointEntry;
  readonly writes: readonly WriteEntry[];
  /** Writes against the parent, for checkpoints of format < 4 (pending sends lived there). */
  readonly parentWrites: readonly WriteEntry[] | undefined;
}

/** Captures a tuple's source; call it inside the thread's queue. */
export function captureTuple(
  threadId: string,
  idx: ThreadIndex,
  entry: CheckpointEntry,
): TupleSource {
  const { ns, parentId, v } = entry.header;
  return {
    threadId,
    idx,
    entry,
    writes: idx.writes(ns, entry.header.checkpointId),
    parentWrites: v < 4 && parentId !== null ? idx.writes(ns, parentId) : undefined,
  };
}

/** Builds the tuple (loads every value through the serializer). */
export async function readTuple(
  serde: SerializerProtocol,
  src: TupleSource,
  nextVersion: (current: number | undefined) => number,
): Promise<CheckpointTuple> {
  const h = src.entry.header;
  const channelValues: Record<string, unknown> = {};
  for (const [channel, ref] of src.entry.resolved) {
    channelValues[channel] = await decodeValue(serde, ref, {
      text: src.idx.record(ref.at).payload,
    });
  }
  const checkpoint: Checkpoint = {
    v: h.v,
    id: h.checkpointId,
    ts: h.ts,
    channel_values: channelValues,
    channel_versions: structuredClone(h.channelVersions) as ChannelVersions,
    versions_seen: structuredClone(h.versionsSeen) as Checkpoint['versions_seen'],
  };
  if (src.parentWrites) await migratePendingSends(serde, checkpoint, src.parentWrites, nextVersion);
  const tuple: CheckpointTuple = {
    config: configOf(src.threadId, h.ns, h.checkpointId),
    checkpoint,
    metadata: (await decodeValue(serde, h.metadata, h.metadata)) as CheckpointMetadata,
    pendingWrites: await Promise.all(
      src.writes.map(
        async (w): Promise<CheckpointPendingWrite> => [
          w.taskId,
          w.channel,
          await decodeValue(serde, w, w),
        ],
      ),
    ),
  };
  if (h.parentId !== null) tuple.parentConfig = configOf(src.threadId, h.ns, h.parentId);
  return tuple;
}

/** The config that addresses one checkpoint. */
export function configOf(threadId: string, ns: string, checkpointId: string): RunnableConfig {
  return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpointId } };
}

/**
 * Checkpoints before format 4 kept pending sends as writes to the TASKS channel of their parent;
 * LangGraph reads them as the child's TASKS channel, as every saver migrates them.
 */
async function migratePendingSends(
  serde: SerializerProtocol,
  checkpoint: Checkpoint,
  parentWrites: readonly WriteEntry[],
  nextVersion: (current: number | undefined) => number,
): Promise<void> {
  const sends: unknown[] = [];
  for (const w of parentWrites) {
    if (w.channel === TASKS) sends.push(await decodeValue(serde, w, w));
  }
  const versions = Object.values(checkpoint.channel_versions);
  checkpoint.channel_values[TASKS] = sends;
  checkpoint.channel_versions[TASKS] =
    versions.length > 0 ? maxChannelVersion(...versions) : nextVersion(undefined);
}
