/**
 * The one error the LangGraph saver adds: a real conflict on a thread. It is a
 * `VersionConflictError` (code `VERSION_CONFLICT`, retryable), so `isVersionConflictError` and
 * every policy that handles conflicts treat it as one; it adds the checkpoint context.
 */
import { VersionConflictError } from '../index.js';

/**
 * Two writers appended after the same parent checkpoint of the same branch: this writer read the
 * parent, and before it wrote, another checkpoint was appended after that parent. The other
 * writer won; nothing of this one was written. Re-read the thread and run again.
 */
export class CheckpointConflictError extends VersionConflictError {
  override name = 'CheckpointConflictError';
  constructor(
    readonly threadId: string,
    readonly checkpointNs: string,
    readonly parentCheckpointId: string | null,
    readonly checkpointId: string,
    /** The checkpoint the other writer appended after the same parent. */
    readonly winningCheckpointId: string,
    observedVersion: number,
    actualVersion: number,
  ) {
    super(threadId, observedVersion, actualVersion);
    const ns = checkpointNs === '' ? '' : ` (namespace '${checkpointNs}')`;
    const parent = parentCheckpointId === null ? 'no parent' : `parent ${parentCheckpointId}`;
    this.message = `thread ${threadId}${ns}: checkpoint ${checkpointId} conflicts with ${winningCheckpointId}, appended after the same ${parent} since this writer read it at version ${observedVersion} (another writer won)`;
  }
}

/** True for a `CheckpointConflictError` (matched on code and its fields, not `instanceof`). */
export function isCheckpointConflictError(e: unknown): e is CheckpointConflictError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { code?: unknown }).code === 'VERSION_CONFLICT' &&
    typeof (e as { winningCheckpointId?: unknown }).winningCheckpointId === 'string'
  );
}
