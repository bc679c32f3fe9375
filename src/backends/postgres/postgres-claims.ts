/**
 * Claims on PostgreSQL: leasing free or expired runs, and handing the versions of the runs just
 * leased to the driver that resumes them, read for the whole claim in one round trip instead of
 * one per run.
 *
 * Invariants:
 * - One claim statement: the runs this owner already holds (lease still valid) come back first
 *   and are only read; they may be locked by this owner's own commit in flight on another
 *   connection, which SKIP LOCKED would skip, making the claim lease fresh runs past the
 *   caller's capacity. The rest of the limit goes to the oldest free or expired runs nobody else
 *   is locking, leased in the same statement, so two claimers never lease one run.
 * - The hand-off is not a cache: each leased run's versions are served once, to the first full
 *   `readVersions` of that run within HANDOFF_MS; an entry is dropped at the next claim and
 *   before any write of this store to its run (so this process always reads its own writes).
 *   They were read after the lease was taken, and every later append is fenced by that lease and
 *   compare-and-append on the head, so a driver that starts from them can never commit over a
 *   version it has not seen (it gets VersionConflictError, as after any read that raced a write).
 */
import type pg from 'pg';
import { DEFAULT_CLAIM_STATUSES } from '../../ledger/ledger-rules.js';
import type { ClaimRequest, RunRecord, VersionRecord } from '../../ledger/types.js';
import {
  type RunRow,
  toRunRecord,
  toVersionRecord,
  VERSION_COLUMNS,
  type VersionRow,
} from './postgres-rows.js';

/** How long handed-off versions stay usable after their claim. */
const HANDOFF_MS = 1_000;

type Query = <R extends pg.QueryResultRow>(text: string, values: unknown[]) => Promise<R[]>;

const CLAIM = `WITH held AS (
    SELECT * FROM runs
    WHERE lease_owner = $4 AND lease_expires_at > $3 AND status = ANY($1::text[])
      AND ($2::text[] IS NULL OR workflow = ANY($2::text[]))
    ORDER BY created_at, run_id
    LIMIT $5
  ), picked AS (
    SELECT run_id FROM runs
    WHERE status = ANY($1::text[])
      AND ($2::text[] IS NULL OR workflow = ANY($2::text[]))
      AND (lease_owner IS NULL OR COALESCE(lease_expires_at, 0) <= $3)
    ORDER BY created_at, run_id
    LIMIT (SELECT GREATEST($5 - count(*), 0) FROM held)
    FOR UPDATE SKIP LOCKED
  ), leased AS (
    UPDATE runs AS r SET lease_owner = $4, lease_expires_at = $6
    FROM picked WHERE r.run_id = picked.run_id
    RETURNING r.*
  )
  SELECT *, false AS baton_leased FROM held
  UNION ALL SELECT *, true AS baton_leased FROM leased`;

/** Claims runs and hands their versions to the first reader. */
export class PostgresClaims {
  private handoff = new Map<string, readonly VersionRecord[]>();
  private handoffAt = 0;

  constructor(private readonly query: Query) {}

  /** Takes leases (see the invariants); returns the runs held by the owner, oldest first. */
  async claim(req: ClaimRequest, limit: number): Promise<RunRecord[]> {
    this.handoff = new Map();
    const rows = await this.query<RunRow & { baton_leased: boolean }>(CLAIM, [
      req.statuses ?? DEFAULT_CLAIM_STATUSES,
      req.workflows ?? null,
      req.now,
      req.owner,
      limit,
      req.expiresAt,
    ]);
    const leased = rows.filter((r) => r.baton_leased).map((r) => r.run_id);
    if (leased.length > 0) await this.readLeased(leased);
    return rows
      .map(toRunRecord)
      .sort(
        (a, b) => a.createdAt - b.createdAt || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0),
      );
  }

  /** The versions handed off for `runId`, once; undefined when there are none (or too old). */
  take(runId: string): readonly VersionRecord[] | undefined {
    const versions = this.handoff.get(runId);
    if (versions === undefined) return undefined;
    this.handoff.delete(runId);
    return Date.now() - this.handoffAt <= HANDOFF_MS ? versions : undefined;
  }

  /** Drops the entries of runs about to be written by this store. */
  forget(runIds: Iterable<string>): void {
    if (this.handoff.size === 0) return;
    for (const id of runIds) this.handoff.delete(id);
  }

  clear(): void {
    this.handoff = new Map();
  }

  private async readLeased(runIds: readonly string[]): Promise<void> {
    const rows = await this.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM versions WHERE run_id = ANY($1::text[])
       ORDER BY run_id, version`,
      [runIds],
    );
    const byRun = new Map<string, VersionRecord[]>(runIds.map((id) => [id, []]));
    for (const row of rows) byRun.get(row.run_id)?.push(toVersionRecord(row));
    this.handoff = byRun;
    this.handoffAt = Date.now();
  }
}
