/**
 * Row shapes (snake_case) of the SQL backends (SQLite and PostgreSQL share one schema, see
 * migrations.ts) and their mapping to the camelCase domain types. Rows never leave the store
 * modules: every method maps at this boundary.
 *
 * BIGINT columns arrive as numbers from SQLite and as strings from PostgreSQL (they may exceed
 * 2^53); Baton's BIGINT columns hold millisecond timestamps and sequence numbers, which are safe
 * integers, so both map with `Number`. JSON columns hold JSON.stringify text; version payloads
 * are stored verbatim because they are the exact canonical text the hash covers.
 */
import type { ErrorInfo } from '../../errors.js';
import { decodeJson, type Json } from '../../ledger/json.js';
import type {
  AuxKind,
  AuxRecord,
  JournalEntry,
  JournalType,
  RunRecord,
  RunStatus,
  VersionKind,
  VersionRecord,
} from '../../ledger/types.js';

/** A BIGINT as a driver returns it. */
type BigIntText = string | number;

/** A row of `runs`. */
export interface RunRow {
  run_id: string;
  workflow: string;
  workflow_version: number;
  status: string;
  head_version: number;
  idempotency_key: string | null;
  created_at: BigIntText;
  updated_at: BigIntText;
  output: string | null;
  error: string | null;
  waiting_for: string | null;
  lease_owner: string | null;
  lease_expires_at: BigIntText | null;
  parent_run_id: string | null;
  parent_version: number | null;
}

/** A row of `versions`. */
export interface VersionRow {
  run_id: string;
  version: number;
  step: string;
  kind: string;
  payload: string;
  created_by: string;
  input_version: number | null;
  contract: string | null;
  tag: string | null;
  created_at: BigIntText;
  trace_id: string | null;
  hash: string;
  prev_hash: string;
}

/** A row of `journal`. */
export interface JournalRow {
  seq: BigIntText;
  run_id: string;
  type: string;
  step: string | null;
  attempt: number | null;
  at: BigIntText;
  duration_ms: number | null;
  input_version: number | null;
  version: number | null;
  error: string | null;
  detail: string | null;
  run_status?: string | null;
}

/** A row of `records`. */
export interface RecordRow {
  kind: string;
  key: string;
  run_id: string | null;
  at: BigIntText;
  body: string;
}

/** Column list of `runs`, in the order `runParams` binds them. */
export const RUN_COLUMNS =
  'run_id, workflow, workflow_version, status, head_version, idempotency_key, created_at, ' +
  'updated_at, output, error, waiting_for, lease_owner, lease_expires_at, parent_run_id, ' +
  'parent_version';

/** Column list of `versions`, in the order `versionParams` binds them. */
export const VERSION_COLUMNS =
  'run_id, version, step, kind, payload, created_by, input_version, contract, tag, created_at, ' +
  'trace_id, hash, prev_hash';

/** Column list of `journal` (without seq), in the order `journalParams` binds them. */
export const JOURNAL_COLUMNS =
  'run_id, type, step, attempt, at, duration_ms, input_version, version, error, detail, run_status';

/** Column list of `records` (without id), in the order `recordParams` binds them. */
export const RECORD_COLUMNS = 'kind, key, run_id, at, body';

/** A bound parameter value. */
export type SqlParam = string | number | null;

/** JSON text of a value, or SQL NULL for null/undefined. */
export function encode(value: unknown): string | null {
  // undefined (from untyped callers) becomes SQL NULL rather than a driver error.
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function decode<T>(text: string | null): T | null {
  return text === null ? null : decodeJson<T>(text);
}

function num(v: BigIntText): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Maps a run row to its domain record. */
export function toRunRecord(row: RunRow): RunRecord {
  return Object.freeze({
    runId: row.run_id,
    workflow: row.workflow,
    workflowVersion: row.workflow_version,
    status: row.status as RunStatus,
    headVersion: row.head_version,
    idempotencyKey: row.idempotency_key,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    output: decode<Json>(row.output),
    error: decode<ErrorInfo>(row.error),
    waitingFor: row.waiting_for,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at === null ? null : num(row.lease_expires_at),
    parentRunId: row.parent_run_id,
    parentVersion: row.parent_version,
  });
}

/** Positional parameters of a version row, in VERSION_COLUMNS order. No re-encoding. */
export function versionParams(v: VersionRecord): SqlParam[] {
  return [
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
  ];
}

/** Maps a version row to its domain record. */
export function toVersionRecord(row: VersionRow): VersionRecord {
  return Object.freeze({
    runId: row.run_id,
    version: row.version,
    step: row.step,
    kind: row.kind as VersionKind,
    payload: row.payload,
    createdBy: row.created_by,
    inputVersion: row.input_version,
    contract: row.contract,
    tag: row.tag,
    createdAt: num(row.created_at),
    traceId: row.trace_id,
    hash: row.hash,
    prevHash: row.prev_hash,
  });
}

/** Positional parameters of a journal row, in JOURNAL_COLUMNS order. */
export function journalParams(j: JournalEntry): SqlParam[] {
  return [
    j.runId,
    j.type,
    j.step ?? null,
    j.attempt ?? null,
    j.at,
    j.durationMs ?? null,
    j.inputVersion ?? null,
    j.version ?? null,
    encode(j.error),
    encode(j.detail),
    j.runStatus ?? null,
  ];
}

/** Maps a journal row to its domain entry. */
export function toJournalEntry(row: JournalRow): JournalEntry {
  return Object.freeze({
    runId: row.run_id,
    seq: num(row.seq),
    type: row.type as JournalType,
    step: row.step,
    attempt: row.attempt,
    at: num(row.at),
    durationMs: row.duration_ms,
    inputVersion: row.input_version,
    version: row.version,
    error: decode<ErrorInfo>(row.error),
    detail: decode<Json>(row.detail),
    runStatus: (row.run_status ?? null) as RunStatus | null,
  });
}

/** Positional parameters of an auxiliary record row, in RECORD_COLUMNS order. */
export function recordParams(r: AuxRecord): SqlParam[] {
  return [r.kind, r.key, r.runId ?? null, r.at, encode(r.body) ?? 'null'];
}

/** Maps a record row to its domain record. */
export function toAuxRecord(row: RecordRow): AuxRecord {
  return Object.freeze({
    kind: row.kind as AuxKind,
    key: row.key,
    runId: row.run_id,
    at: num(row.at),
    body: decodeJson<Json>(row.body),
  });
}

/** Positional parameters of a run row, in RUN_COLUMNS order. */
export function runParams(run: Omit<RunRecord, 'headVersion'>, headVersion: number): SqlParam[] {
  return [
    run.runId,
    run.workflow,
    run.workflowVersion,
    run.status,
    headVersion,
    run.idempotencyKey ?? null,
    run.createdAt,
    run.updatedAt,
    encode(run.output),
    encode(run.error),
    run.waitingFor ?? null,
    run.leaseOwner ?? null,
    run.leaseExpiresAt ?? null,
    run.parentRunId ?? null,
    run.parentVersion ?? null,
  ];
}
