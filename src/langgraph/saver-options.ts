/**
 * BatonSaver's options and the parts of a LangGraph `RunnableConfig` it reads, validated.
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';
import {
  type Clock,
  DEFAULT_MAX_SLOT_BYTES,
  InvalidArgumentError,
  type StateStore,
  systemClock,
} from '../index.js';

/** Options of {@link BatonSaver}. */
export interface BatonSaverOptions {
  /**
   * The graph's name. Its threads are runs of the workflow `langgraph:<graph>`, and a saver
   * refuses threads that are runs of anything else (another graph, a Baton workflow).
   * Default `'default'`.
   */
  readonly graph?: string;
  /** LangGraph's serializer for values and metadata. Default LangGraph's `JsonPlusSerializer`. */
  readonly serde?: SerializerProtocol;
  /** Largest encoded channel value, pending-writes batch or header. Default 1 MiB. */
  readonly maxSlotBytes?: number;
  /** Timestamps of appended versions. Default the system clock. */
  readonly clock?: Clock;
  /** How many threads' indexes stay in memory (least recently used dropped). Default 256. */
  readonly cacheThreads?: number;
}

/** Options with defaults applied. */
export interface ResolvedBatonSaverOptions {
  readonly graph: string;
  readonly workflow: string;
  readonly maxSlotBytes: number;
  readonly clock: Clock;
  readonly cacheThreads: number;
}

/**
 * Validates the store and options.
 * @throws InvalidArgumentError naming the bad value.
 */
export function resolveBatonSaverOptions(
  store: StateStore,
  options: BatonSaverOptions = {},
): ResolvedBatonSaverOptions {
  if (!store || typeof store.commit !== 'function' || typeof store.readVersions !== 'function') {
    throw new InvalidArgumentError('BatonSaver needs a Baton StateStore', 'store');
  }
  const graph = options.graph ?? 'default';
  if (typeof graph !== 'string' || graph.length === 0) {
    throw new InvalidArgumentError(
      `graph must be a non-empty string, got ${String(graph)}`,
      'graph',
    );
  }
  const maxSlotBytes = options.maxSlotBytes ?? DEFAULT_MAX_SLOT_BYTES;
  if (!Number.isInteger(maxSlotBytes) || maxSlotBytes <= 0) {
    throw new InvalidArgumentError(
      `maxSlotBytes must be a positive integer, got ${String(maxSlotBytes)}`,
      'maxSlotBytes',
    );
  }
  const cacheThreads = options.cacheThreads ?? 256;
  if (!Number.isInteger(cacheThreads) || cacheThreads < 1) {
    throw new InvalidArgumentError(
      `cacheThreads must be a positive integer, got ${String(cacheThreads)}`,
      'cacheThreads',
    );
  }
  return {
    graph,
    workflow: `langgraph:${graph}`,
    maxSlotBytes,
    clock: options.clock ?? systemClock,
    cacheThreads,
  };
}

/** Where a call points in a thread. */
export interface ThreadAddress {
  readonly threadId: string;
  readonly ns: string;
  /** A checkpoint id, when the config names one. */
  readonly checkpointId: string | undefined;
}

/**
 * Reads thread, namespace and checkpoint id from a config. A missing thread id gives undefined
 * (LangGraph's reads find nothing without one); writers call {@link requireThread}.
 * @throws InvalidArgumentError when a field is present but not a string.
 */
export function readAddress(config: RunnableConfig | undefined): ThreadAddress | undefined {
  const c = config?.configurable as Record<string, unknown> | undefined;
  const threadId = c?.thread_id;
  const ns = c?.checkpoint_ns ?? '';
  const checkpointId = c?.checkpoint_id || c?.thread_ts || undefined;
  if (typeof ns !== 'string') {
    throw new InvalidArgumentError(
      `checkpoint_ns must be a string, got ${typeof ns}`,
      'checkpoint_ns',
    );
  }
  if (checkpointId !== undefined && typeof checkpointId !== 'string') {
    throw new InvalidArgumentError(
      `checkpoint_id must be a string, got ${typeof checkpointId}`,
      'checkpoint_id',
    );
  }
  if (threadId === undefined || threadId === null) return undefined;
  return { threadId: checkThreadId(threadId), ns, checkpointId };
}

/**
 * Like {@link readAddress}, for calls that write: the thread id is required.
 * @throws InvalidArgumentError naming `thread_id` when the config has none.
 */
export function requireThread(config: RunnableConfig | undefined, call: string): ThreadAddress {
  const address = readAddress(config);
  if (!address) {
    throw new InvalidArgumentError(
      `${call} needs config.configurable.thread_id: a checkpointer keeps state per thread (graph.invoke(input, { configurable: { thread_id: 'some-id' } }))`,
      'thread_id',
    );
  }
  return address;
}

/**
 * A thread id as the saver accepts it: a non-empty string (it is the run id).
 * @throws InvalidArgumentError otherwise.
 */
export function checkThreadId(threadId: unknown): string {
  if (typeof threadId !== 'string' || threadId.length === 0) {
    throw new InvalidArgumentError(
      `thread_id must be a non-empty string, got ${typeof threadId === 'string' ? 'an empty string' : typeof threadId}`,
      'thread_id',
    );
  }
  return threadId;
}
