/**
 * An open SQLite ledger: its prepared statements and the transaction functions the store runs
 * (create runs, group commit, claim, renew, append), built once per opened file.
 *
 * Invariants:
 * - Every write function runs as one BEGIN IMMEDIATE transaction; a batch that hits a failing
 *   statement is replayed with one SAVEPOINT per item, except for a fatal driver error (a
 *   damaged file, a full disk: fatal-errors.ts), which fails the whole batch.
 */
import { InvalidArgumentError, toError } from '../../errors.js';
import { checkListLimit, DEFAULT_CLAIM_STATUSES } from '../../ledger/ledger-rules.js';
import type { SearchAttributes } from '../../ledger/observe.js';
import { checkAttributes, stampStatus } from '../../ledger/observe-rules.js';
import { freezeRun } from '../../ledger/records.js';
import type {
  AuxRecord,
  ClaimRequest,
  CreateRunResult,
  NewRun,
  RunRecord,
} from '../../ledger/types.js';
import { isFatalDriverError } from './fatal-errors.js';
import type { Db } from './open.js';
import { createGroupCommit, type GroupCommit, ReplayWithSavepoints } from './sqlite-commit.js';
import {
  journalParams,
  recordParams,
  runParams,
  toRunRecord,
  versionParams,
} from './sqlite-rows.js';
import { prepareStatements, StatementCache, type Statements } from './statements.js';
import type { WalSyncer } from './wal-sync.js';

export interface OpenLedger {
  readonly state: 'open';
  readonly db: Db;
  readonly s: Statements;
  readonly cache: StatementCache;
  readonly commit: GroupCommit;
  readonly createRun: (init: NewRun) => CreateRunResult;
  readonly createRuns: (inits: readonly NewRun[]) => (CreateRunResult | Error)[];
  readonly claim: (req: ClaimRequest) => RunRecord[];
  readonly renew: (owner: string, runIds: readonly string[], expiresAt: number) => string[];
  readonly append: (records: readonly AuxRecord[]) => void;
  /** Background WAL fsyncs (fsync: 'background' on a file); undefined when commits sync inline. */
  readonly syncer: WalSyncer | undefined;
}

/** Prepares statements and the transaction functions of an open database. */
export function prepare(db: Db, syncer: WalSyncer | undefined): OpenLedger {
  const s = prepareStatements(db);
  const createRun = db.transaction((init: NewRun): CreateRunResult => {
    const key = init.run.idempotencyKey;
    const existing =
      (key !== null && key !== undefined ? s.runByKey.get(key) : undefined) ??
      s.getRun.get(init.run.runId);
    if (existing) return { run: toRunRecord(existing), created: false };
    const first = init.firstVersion;
    if (first.version !== 1 || first.runId !== init.run.runId) {
      throw new InvalidArgumentError(
        'the first version of a run must be version 1 of that run',
        'firstVersion',
      );
    }
    const attributes = init.attributes ? checkAttributes(init.attributes) : undefined;
    s.insertRun.run(...runParams(init.run, 1));
    s.insertVersion.run(...versionParams(first));
    insertExtras(s, init, attributes);
    return { run: freezeRun(init.run, 1), created: true };
  });
  // Fast path: one transaction, no savepoints. A run that exists (same id or idempotency key,
  // including one created earlier in the same batch) is detected by the insert itself.
  const createRunsFast = db.transaction((inits: readonly NewRun[]) =>
    inits.map((init): CreateRunResult | Error => {
      const first = init.firstVersion;
      if (first.version !== 1 || first.runId !== init.run.runId) {
        return new InvalidArgumentError(
          'the first version of a run must be version 1 of that run',
          'firstVersion',
        );
      }
      let attributes: SearchAttributes | undefined;
      try {
        attributes = init.attributes ? checkAttributes(init.attributes) : undefined;
      } catch (e) {
        return toError(e);
      }
      try {
        if (s.insertRunIfNew.run(...runParams(init.run, 1)).changes === 0) {
          const key = init.run.idempotencyKey;
          const existing =
            (key !== null && key !== undefined ? s.runByKey.get(key) : undefined) ??
            s.getRun.get(init.run.runId);
          if (!existing) throw new Error('run insert ignored, yet no such run');
          return { run: toRunRecord(existing), created: false };
        }
        s.insertVersion.run(...versionParams(first));
        insertExtras(s, init, attributes);
      } catch (e) {
        if (isFatalDriverError(e)) throw e;
        throw new ReplayWithSavepoints('statement failed creating runs', { cause: e });
      }
      return { run: freezeRun(init.run, 1), created: true };
    }),
  );
  // The replay: each createRun runs as a SAVEPOINT, so a rejected init rolls back alone and
  // the others commit together.
  const createRunsOneByOne = db.transaction((inits: readonly NewRun[]) =>
    inits.map((init) => {
      try {
        return createRun(init);
      } catch (e) {
        if (isFatalDriverError(e)) throw e;
        return toError(e);
      }
    }),
  );
  const createRuns = (inits: readonly NewRun[]): (CreateRunResult | Error)[] => {
    try {
      return createRunsFast.immediate(inits);
    } catch (e) {
      if (e instanceof ReplayWithSavepoints) return createRunsOneByOne.immediate(inits);
      throw e;
    }
  };
  const claim = db.transaction((req: ClaimRequest): RunRecord[] => {
    const limit = checkListLimit(req.limit) ?? 0;
    const statuses = JSON.stringify(req.statuses ?? DEFAULT_CLAIM_STATUSES);
    const workflows = req.workflows ? JSON.stringify(req.workflows) : null;
    const rows = s.claimable.all(statuses, workflows, workflows, req.now, req.owner, limit);
    return rows.map((row) => {
      s.setLease.run(req.owner, req.expiresAt, row.run_id);
      return toRunRecord({ ...row, lease_owner: req.owner, lease_expires_at: req.expiresAt });
    });
  });
  const renew = db.transaction((owner: string, runIds: readonly string[], expiresAt: number) =>
    runIds.filter((id) => s.renewLease.run(expiresAt, id, owner).changes > 0),
  );
  const append = db.transaction((records: readonly AuxRecord[]) => {
    for (const r of records) s.insertRecord.run(...recordParams(r));
  });
  return {
    state: 'open',
    db,
    s,
    cache: new StatementCache(db),
    commit: createGroupCommit(db, s),
    createRun: (init) => createRun.immediate(init),
    createRuns,
    claim: (req) => claim.immediate(req),
    renew: (owner, runIds, expiresAt) => renew.immediate(owner, runIds, expiresAt),
    append: (records) => append.immediate(records),
    syncer,
  };
}

/** Writes a new run's journal (its status on the last entry) and search attributes. */
function insertExtras(s: Statements, init: NewRun, attributes: SearchAttributes | undefined): void {
  for (const j of stampStatus(init.journal, init.run.status))
    s.insertJournal.run(...journalParams(j));
  if (!attributes) return;
  for (const [k, v] of Object.entries(attributes))
    s.insertAttribute.run(init.run.runId, k, v, init.run.createdAt);
}
