/**
 * A task's pending writes: serialized once, then appended as one `$writes` version with the
 * journal entry `baton show` reads (the node succeeded, failed or was interrupted).
 */
import {
  ERROR,
  INTERRUPT,
  type PendingWrite,
  type SerializerProtocol,
  WRITES_IDX_MAP,
} from '@langchain/langgraph-checkpoint';
import {
  type ErrorInfo,
  InvalidArgumentError,
  type JournalEntry,
  type VersionRecord,
} from '../index.js';
import type { StoredWrite } from './ledger-layout.js';
import { type CommitContext, writesVersion } from './thread-commits.js';
import { nodeOfTask, type ThreadIndex } from './thread-index.js';
import { encodeValue } from './value-codec.js';

/** A task's writes, serialized, with what the journal says of them. */
export interface EncodedWrites {
  readonly taskId: string;
  readonly taskPath: string;
  readonly node: string;
  readonly writes: readonly StoredWrite[];
  readonly outcome: { readonly type: JournalEntry['type']; readonly error: ErrorInfo | null };
}

/**
 * Serializes a task's writes; each gets LangGraph's index (its position, or the fixed negative
 * index of a special channel).
 * @throws InvalidArgumentError when the task id is not a non-empty string.
 */
export async function encodeWrites(
  serde: SerializerProtocol,
  writes: readonly PendingWrite[],
  taskId: string,
  taskPath: string,
): Promise<EncodedWrites> {
  if (typeof taskId !== 'string' || taskId === '') {
    throw new InvalidArgumentError('putWrites needs a non-empty task id', 'taskId');
  }
  const node = nodeOfTask(typeof taskPath === 'string' ? taskPath : '');
  const stored: StoredWrite[] = [];
  let outcome: EncodedWrites['outcome'] = { type: 'step.succeeded', error: null };
  for (const [i, [channel, value]] of writes.entries()) {
    stored.push({
      channel,
      idx: WRITES_IDX_MAP[channel] ?? i,
      ...(await encodeValue(serde, value)),
    });
    if (channel === ERROR) outcome = { type: 'step.failed', error: nodeError(value, node) };
    else if (channel === INTERRUPT && outcome.type !== 'step.failed') {
      outcome = { type: 'wait.started', error: null };
    }
  }
  return {
    taskId,
    taskPath: typeof taskPath === 'string' ? taskPath : '',
    node,
    writes: stored,
    outcome,
  };
}

/** LangGraph writes a node's error as the Error or as `{ name, message }`. */
function nodeError(value: unknown, node: string): ErrorInfo {
  const e = (typeof value === 'object' && value !== null ? value : {}) as {
    name?: unknown;
    message?: unknown;
  };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  return {
    name,
    // withContracts fails a node with a ContractViolationError; keep its code in the journal.
    code: name === 'ContractViolationError' ? 'CONTRACT_VIOLATION' : 'AGENT_FAILED',
    message: typeof e.message === 'string' ? e.message : String(value),
    retryable: false,
    step: node,
  };
}

/**
 * The version and journal entry of a task's writes, or undefined when every write is a regular
 * write already recorded (nothing to append).
 */
export function writesCommit(
  idx: ThreadIndex,
  input: EncodedWrites & { readonly ns: string; readonly checkpointId: string },
  ctx: CommitContext,
): { version: VersionRecord; journal: JournalEntry[] } | undefined {
  const fresh = input.writes.filter(
    (w) => w.idx < 0 || !idx.hasWrite(input.ns, input.checkpointId, input.taskId, w.idx),
  );
  if (fresh.length === 0) return undefined;
  const version = writesVersion(idx, { ...input, writes: fresh }, ctx);
  return {
    version,
    journal: [
      {
        runId: idx.threadId,
        type: input.outcome.type,
        step: input.node,
        attempt: null,
        at: ctx.now,
        durationMs: null,
        inputVersion: version.inputVersion,
        version: version.version,
        error: input.outcome.error,
        detail: { taskId: input.taskId, checkpointId: input.checkpointId },
      },
    ],
  };
}
