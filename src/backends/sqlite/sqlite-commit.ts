/**
 * Group commit on SQLite: many runs' writes in one BEGIN IMMEDIATE transaction.
 *
 * Invariants:
 * - Each write is judged (lease, then expected head, then contiguity) by the ledger's `checkWrite`
 *   (ledger/ledger-rules.ts), against the run row read inside the transaction; a rejected
 *   write writes nothing and the others still commit.
 * - Fast path: check-before-write, one SELECT per write and no savepoints. Payloads are bound as
 *   the canonical strings they already are.
 * - If a statement fails anyway (a hand-edited file where `head_version` disagrees with the
 *   versions, a value the driver cannot bind), the whole transaction rolls back and the batch is
 *   replayed with one SAVEPOINT per write, so only the offending write fails. A damaged file or
 *   a full disk (fatal-errors.ts) is never replayed: the whole batch fails with it.
 */
import {
  NotFoundError,
  StoreUnavailableError,
  toError,
  VersionConflictError,
} from '../../errors.js';
import { checkWrite } from '../../ledger/ledger-rules.js';
import { stampStatus } from '../../ledger/observe-rules.js';
import type { CommitOutcome, RunPatch, RunWrite } from '../../ledger/types.js';
import { isFatalDriverError } from './fatal-errors.js';
import type { Db } from './open.js';
import { journalParams, type Param, recordParams } from './sqlite-rows.js';
import type { Statements } from './statements.js';

/** Raised inside a fast path to request the savepoint replay. */
export class ReplayWithSavepoints extends Error {}

/** Commits a batch of writes; returns one outcome per write, in order. */
export type GroupCommit = (writes: readonly RunWrite[]) => CommitOutcome[];

/** Builds the group-commit function for an open database. */
export function createGroupCommit(db: Db, s: Statements): GroupCommit {
  const fast = db.transaction((writes: readonly RunWrite[]): CommitOutcome[] => {
    const out: CommitOutcome[] = new Array(writes.length);
    for (let i = 0; i < writes.length; i++) {
      try {
        out[i] = applyWrite(s, writes[i]!);
      } catch (e) {
        // A damaged file or a full disk fails every write alike: no replay, the store stops.
        if (isFatalDriverError(e)) throw e;
        throw new ReplayWithSavepoints('statement failed in group commit', { cause: e });
      }
    }
    return out;
  });
  // A transaction function called inside another transaction runs as a SAVEPOINT.
  const one = db.transaction((w: RunWrite) => applyWrite(s, w));
  const slow = db.transaction((writes: readonly RunWrite[]): CommitOutcome[] =>
    writes.map((w) => {
      try {
        return one(w);
      } catch (e) {
        if (isFatalDriverError(e)) throw e;
        return { ok: false, error: translateWriteError(s, w, e) };
      }
    }),
  );
  return (writes) => {
    if (writes.length === 0) return [];
    try {
      return fast.immediate(writes);
    } catch (e) {
      if (e instanceof ReplayWithSavepoints) return runLocked(() => slow.immediate(writes));
      throw translateDriverError(e);
    }
  };
}

function applyWrite(s: Statements, w: RunWrite): CommitOutcome {
  const head = s.head.get(w.runId);
  if (!head) return { ok: false, error: new NotFoundError('run', w.runId) };
  const rejected = checkWrite(w, head[0], head[1]);
  if (rejected) return { ok: false, error: rejected };
  const versions = w.versions ?? [];
  for (const v of versions) {
    // Bound field by field: no intermediate array on the hottest line of the product.
    s.insertVersion.run(
      v.runId,
      v.version,
      v.step,
      v.kind,
      v.payload,
      v.createdBy,
      v.inputVersion ?? null,
      v.contract ?? null,
      v.tag ?? null,
      v.createdAt,
      v.traceId ?? null,
      v.hash,
      v.prevHash,
    );
  }
  if (w.journal)
    for (const j of stampStatus(w.journal, w.run?.status)) s.insertJournal.run(...journalParams(j));
  const headVersion = head[0] + versions.length;
  if (w.run) s.patchRun.run(...patchParams(headVersion, w.run, w.runId));
  else if (versions.length > 0) s.setHead.run(headVersion, w.runId);
  if (w.records) for (const r of w.records) s.insertRecord.run(...recordParams(r));
  return { ok: true, headVersion };
}

/** Parameters of `patchRun`: a 0/1 "set" flag before each optional field. */
function patchParams(headVersion: number, p: RunPatch, runId: string): Param[] {
  const lease = p.lease;
  return [
    headVersion,
    p.updatedAt,
    p.status === undefined ? 0 : 1,
    p.status ?? null,
    p.output === undefined ? 0 : 1,
    p.output === undefined || p.output === null ? null : JSON.stringify(p.output),
    p.error === undefined ? 0 : 1,
    p.error === undefined || p.error === null ? null : JSON.stringify(p.error),
    p.waitingFor === undefined ? 0 : 1,
    p.waitingFor ?? null,
    lease === undefined ? 0 : 1,
    lease?.owner ?? null,
    lease === undefined ? 0 : 1,
    lease?.expiresAt ?? null,
    runId,
  ];
}

/** Maps a failure of one write to the domain error its caller should see. */
function translateWriteError(s: Statements, w: RunWrite, e: unknown): Error {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : '';
  if (
    (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') &&
    message.includes('versions.')
  ) {
    // The run row's head lags the versions table: report the version that really exists.
    const actual = s.maxVersion.get(w.runId) ?? 0;
    return new VersionConflictError(w.runId, w.expectedVersion ?? 0, actual);
  }
  return toError(e);
}

/** Translates errors of the driver that concern the whole store rather than one write. */
export function translateDriverError(e: unknown): Error {
  const code = (e as { code?: unknown }).code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new StoreUnavailableError(
      'the SQLite file stayed locked by another connection for longer than busyTimeoutMs',
      e,
    );
  }
  return toError(e);
}

/** Runs a transaction, translating lock timeouts into `StoreUnavailableError`. */
export function runLocked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw translateDriverError(e);
  }
}
