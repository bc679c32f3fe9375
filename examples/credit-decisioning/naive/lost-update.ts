/**
 * The seed's second failure, a lost update, on a scripted interleaving (no timers: the counts are
 * exact for a seed). Each applicant's customer record starts with the provisional score of a quick
 * bureau pull. Two agents then read-modify-write the whole record: the score agent sets the
 * refined score (say 720 → 750), the income agent sets the verified income. Per applicant the
 * script picks one of two interleavings:
 * - serial: score reads, score writes, income reads, income writes — nothing is lost;
 * - overlapped: score reads, income reads, score writes, income writes — the income agent writes
 *   back the copy it read, with the old score: the last write wins and 750 becomes 720 again.
 *
 * The same script runs twice:
 * - naive: one mutable row per applicant in SQLite, `SELECT` then `UPDATE` of the whole record;
 * - Baton: the record is a run in a Baton store; each agent reads the head version and appends
 *   its copy with compare-and-append on that version. The second writer of an overlapped pair
 *   gets `VersionConflictError` — nothing is written — reads the new head and applies its change
 *   to it.
 * Lost updates are counted from what each store holds at the end, not from the script.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildVersion,
  GENESIS_HASH,
  isVersionConflictError,
  type Json,
  type StateStore,
  sqliteStore,
} from 'baton-runtime';
import Database from 'better-sqlite3';
import { generateApplications } from '../domain/generate.js';
import { creditScore, verifyIncome } from '../domain/logic.js';
import { createRng } from '../domain/prng.js';
import { softPullScore } from './agents.js';

/** The shared customer record both agents rewrite whole. */
interface CustomerRecord {
  readonly applicantId: string;
  readonly score: number;
  readonly verifiedIncome: number | null;
}

/** One applicant in the script. */
interface Scripted {
  readonly initial: CustomerRecord;
  /** The refined score the score agent writes. */
  readonly refined: number;
  readonly verifiedIncome: number;
  /** Both agents read before either writes. */
  readonly overlapped: boolean;
}

/** Options of {@link runLostUpdate}. */
export interface LostUpdateOptions {
  readonly applications: number;
  readonly seed: number;
  /** Share of applicants whose two writers overlap (default 0.25). */
  readonly overlapRate?: number;
}

/** What each architecture did with the same script. */
export interface LostUpdateResult {
  readonly applicants: number;
  /** Applicants whose writers overlapped in the script. */
  readonly overlapped: number;
  /** Overlapped applicants whose refined score differs from the provisional one (a loss shows). */
  readonly visible: number;
  readonly naive: {
    /** Whole-record UPDATEs. */
    readonly writes: number;
    /** Records whose stored score is not the refined one: the score agent's write was lost. */
    readonly lostUpdates: number;
  };
  readonly baton: {
    /** Versions appended. */
    readonly appends: number;
    /** Appends refused with VersionConflictError (each retried on the new head). */
    readonly conflicts: number;
    /** Runs whose latest record does not hold both the refined score and the income. */
    readonly lostUpdates: number;
  };
}

/** The script: every applicant's record, the values the agents write, and the interleaving. */
function script(o: LostUpdateOptions): Scripted[] {
  const rate = o.overlapRate ?? 0.25;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`overlapRate must be in [0, 1], got ${rate}`);
  const rng = createRng(o.seed ^ 0x105e);
  return generateApplications(o.applications, o.seed).map((app) => ({
    initial: {
      applicantId: app.applicantId,
      score: softPullScore(app).score,
      verifiedIncome: null,
    },
    refined: creditScore(app).score,
    verifiedIncome: verifyIncome(app).verifiedIncome,
    overlapped: rng.chance(rate),
  }));
}

/** A writer's change: the score agent's and the income agent's. */
type Change = (r: CustomerRecord) => CustomerRecord;
const changes = (s: Scripted): [Change, Change] => [
  (r) => ({ ...r, score: s.refined }),
  (r) => ({ ...r, verifiedIncome: s.verifiedIncome }),
];

/** The naive side: SELECT, change, UPDATE of one shared row, in the script's order. */
function runNaiveRecords(scripted: readonly Scripted[], path: string) {
  const db = new Database(path);
  // As the naive customer table does (./customer-db.ts): WAL, durable against a process crash.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE customers (applicant_id TEXT PRIMARY KEY, record TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO customers (applicant_id, record) VALUES (?, ?)');
  const select = db.prepare<[string], { record: string }>(
    'SELECT record FROM customers WHERE applicant_id = ?',
  );
  const update = db.prepare('UPDATE customers SET record = ? WHERE applicant_id = ?');
  let writes = 0;
  const read = (id: string): CustomerRecord => JSON.parse(select.get(id)!.record) as CustomerRecord;
  const write = (r: CustomerRecord): void => {
    writes++;
    update.run(JSON.stringify(r), r.applicantId);
  };
  try {
    for (const s of scripted) {
      const id = s.initial.applicantId;
      insert.run(id, JSON.stringify(s.initial));
      const [score, income] = changes(s);
      if (s.overlapped) {
        const a = read(id);
        const b = read(id);
        write(score(a));
        write(income(b)); // carries b's copy of the score: the provisional one
      } else {
        write(score(read(id)));
        write(income(read(id)));
      }
    }
    const lost = scripted.filter((s) => read(s.initial.applicantId).score !== s.refined).length;
    return { writes, lostUpdates: lost };
  } finally {
    db.close();
  }
}

/** A reader's view of a record run: its head version and the record at it. */
async function readRecord(store: StateStore, runId: string) {
  const versions = await store.readVersions(runId);
  const head = versions.at(-1)!;
  // Every version holds the whole record in its one slot: the head's payload is the record.
  const record = JSON.parse(head.payload) as CustomerRecord;
  return { version: head.version, hash: head.hash, record };
}

/** Appends `record` on top of `head` (compare-and-append); false when another writer got there first. */
async function append(
  store: StateStore,
  runId: string,
  head: { version: number; hash: string },
  record: CustomerRecord,
  by: string,
): Promise<boolean> {
  const version = buildVersion(
    {
      runId,
      version: head.version + 1,
      step: 'record',
      createdBy: by,
      inputVersion: head.version,
      contract: null,
      createdAt: Date.now(),
      prevHash: head.hash,
    },
    record as unknown as Json,
  );
  const [outcome] = await store.commit([
    { runId, expectedVersion: head.version, versions: [version] },
  ]);
  if (outcome?.ok) return true;
  if (isVersionConflictError(outcome?.error)) return false;
  throw outcome?.error ?? new Error(`commit of ${runId} returned nothing`);
}

/** Applicants in flight at once on the Baton side. */
const CONCURRENCY = 64;

/** The Baton side: the same script, each write a compare-and-append on the version read. */
async function runBatonRecords(scripted: readonly Scripted[], path: string) {
  const store = sqliteStore(path, { synchronous: 'NORMAL' });
  await store.migrate();
  let appends = 0;
  let conflicts = 0;
  /** Writes until it lands: on a conflict, read the new head and apply the change to it. */
  const writeFrom = async (
    runId: string,
    read: Awaited<ReturnType<typeof readRecord>>,
    change: Change,
    by: string,
  ): Promise<void> => {
    let view = read;
    while (!(await append(store, runId, view, change(view.record), by))) {
      conflicts++;
      view = await readRecord(store, runId);
    }
    appends++;
  };
  // Applicants run concurrently (the store batches their commits); within one applicant the
  // script's order holds, since each step awaits the one before.
  const one = async (s: Scripted): Promise<void> => {
    const runId = `customer-${s.initial.applicantId}`;
    await createRecordRun(store, runId, s.initial);
    const [score, income] = changes(s);
    if (s.overlapped) {
      const a = await readRecord(store, runId);
      const b = await readRecord(store, runId);
      await writeFrom(runId, a, score, 'credit-score@1.0.0');
      await writeFrom(runId, b, income, 'income-verification@1.0.0');
    } else {
      await writeFrom(runId, await readRecord(store, runId), score, 'credit-score@1.0.0');
      await writeFrom(runId, await readRecord(store, runId), income, 'income-verification@1.0.0');
    }
  };
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < scripted.length; i = next++) await one(scripted[i]!);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, scripted.length) }, worker));
    let lost = 0;
    for (const s of scripted) {
      const { record } = await readRecord(store, `customer-${s.initial.applicantId}`);
      if (record.score !== s.refined || record.verifiedIncome !== s.verifiedIncome) lost++;
    }
    return { appends, conflicts, lostUpdates: lost };
  } finally {
    await store.close();
  }
}

async function createRecordRun(store: StateStore, runId: string, record: CustomerRecord) {
  const now = Date.now();
  const firstVersion = buildVersion(
    {
      runId,
      version: 1,
      step: 'record',
      createdBy: 'system',
      inputVersion: null,
      contract: null,
      createdAt: now,
      prevHash: GENESIS_HASH,
    },
    record as unknown as Json,
  );
  await store.createRun({
    run: {
      runId,
      workflow: 'customer-record',
      workflowVersion: 1,
      status: 'completed',
      idempotencyKey: null,
      createdAt: now,
      updatedAt: now,
      output: null,
      error: null,
      waitingFor: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      parentRunId: null,
      parentVersion: null,
    },
    firstVersion,
  });
}

/**
 * Runs the script on the naive row and on a Baton store (both in a temporary directory, removed
 * afterwards) and counts the lost updates in each.
 * @throws RangeError for a bad option.
 */
export async function runLostUpdate(o: LostUpdateOptions): Promise<LostUpdateResult> {
  if (!(Number.isInteger(o.applications) && o.applications >= 0))
    throw new RangeError(`applications must be a non-negative integer, got ${o.applications}`);
  const scripted = script(o);
  const dir = mkdtempSync(join(tmpdir(), 'baton-lost-update-'));
  try {
    const naive = runNaiveRecords(scripted, join(dir, 'customers.db'));
    const baton = await runBatonRecords(scripted, join(dir, 'baton.db'));
    const overlapped = scripted.filter((s) => s.overlapped);
    return {
      applicants: scripted.length,
      overlapped: overlapped.length,
      visible: overlapped.filter((s) => s.refined !== s.initial.score).length,
      naive,
      baton,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report's lines for a lost-update result. */
export function formatLostUpdate(r: LostUpdateResult): string[] {
  return [
    `lost updates         naive ${r.naive.lostUpdates} of ${r.applicants} records; Baton ${r.baton.lostUpdates}`,
    `  scripted           ${r.overlapped} applicants where the score and income agents both read the record before either wrote`,
    `                     (${r.visible} of them with a refined score that differs from the provisional one, so the loss shows)`,
    `  naive              ${r.naive.writes} whole-record UPDATEs: the income agent's write put back the provisional score`,
    `  Baton              ${r.baton.appends} compare-and-append versions; ${r.baton.conflicts} VersionConflictError (the second writer), each re-read and re-applied`,
  ];
}
