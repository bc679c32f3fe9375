/**
 * The in-memory ledger, for tests and for runs that need no durability. It follows the same
 * contract as the durable stores and asserts its own invariant: every stored version is frozen,
 * so a stored version can never change after commit.
 */
import { InvalidArgumentError, NotFoundError, StoreClosedError, toError } from '../../errors.js';
import type { EventStore } from '../../ledger/event-store.js';
import { checkListLimit, checkWrite, DEFAULT_CLAIM_STATUSES } from '../../ledger/ledger-rules.js';
import type { SearchAttributes, WorkflowShape } from '../../ledger/observe.js';
import {
  checkAttributes,
  checkRunFilters,
  matchesWhere,
  unknownCursor,
} from '../../ledger/observe-rules.js';
import { freezeRun, journalWithSeq, patchRun } from '../../ledger/records.js';
import type { StateStore } from '../../ledger/store.js';
import type {
  AuxKind,
  AuxQuery,
  AuxRecord,
  ClaimRequest,
  CommitOutcome,
  CreateRunResult,
  JournalEntry,
  NewRun,
  RunQuery,
  RunRecord,
  RunStatus,
  RunWrite,
  VersionRecord,
} from '../../ledger/types.js';
import { TERMINAL_STATUSES } from '../../ledger/types.js';
import { MemoryChangeFeed } from './memory-changes.js';
import { createMemoryEventStore } from './memory-event-store.js';
import { createMemoryGovernanceStore } from './memory-governance-store.js';

interface MemoryRun {
  record: RunRecord;
  versions: VersionRecord[];
  /** Entries as committed (frozen in place); their sequence numbers alongside. */
  journal: JournalEntry[];
  seqs: number[];
  attributes: SearchAttributes | undefined;
}

/** Creates an in-memory store. Nothing survives the process. */
export function memoryStore(): StateStore {
  return new MemoryStore();
}

class MemoryStore implements StateStore {
  readonly kind = 'memory' as const;
  private readonly runs = new Map<string, MemoryRun>();
  /** Runs not in a terminal status: what claims scan (finished runs are never claimed). */
  private readonly unfinished = new Set<string>();
  private readonly byIdempotencyKey = new Map<string, string>();
  private readonly records = new Map<AuxKind, AuxRecord[]>();
  private closed = false;
  readonly events: EventStore = createMemoryEventStore(() => this.assertOpen());
  readonly governance = createMemoryGovernanceStore(() => this.assertOpen());
  private readonly shapes = new Map<string, WorkflowShape>();
  readonly changes = new MemoryChangeFeed(
    () => this.assertOpen(),
    (runId) => {
      const entry = this.runs.get(runId);
      return entry && { workflow: entry.record.workflow, attributes: entry.attributes };
    },
  );

  async migrate(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }

  toJSON(): { kind: string } {
    return { kind: this.kind };
  }

  async createRun(init: NewRun): Promise<CreateRunResult> {
    return this.create(init);
  }

  async createRuns(inits: readonly NewRun[]): Promise<(CreateRunResult | Error)[]> {
    this.assertOpen();
    const out = inits.map((init) => {
      try {
        return this.createOne(init);
      } catch (e) {
        return toError(e);
      }
    });
    this.changes.committed();
    return out;
  }

  private create(init: NewRun): CreateRunResult {
    const out = this.createOne(init);
    this.changes.committed();
    return out;
  }

  private createOne(init: NewRun): CreateRunResult {
    this.assertOpen();
    const existingId =
      (init.run.idempotencyKey !== null && this.byIdempotencyKey.get(init.run.idempotencyKey)) ||
      (this.runs.has(init.run.runId) ? init.run.runId : undefined);
    if (existingId) return { run: this.runs.get(existingId)!.record, created: false };
    if (init.firstVersion.version !== 1 || init.firstVersion.runId !== init.run.runId) {
      throw new InvalidArgumentError(
        'the first version of a run must be version 1 of that run',
        'firstVersion',
      );
    }
    const attributes = init.attributes
      ? Object.freeze({ ...checkAttributes(init.attributes) })
      : undefined;
    const record = freezeRun(init.run, 1);
    const entry: MemoryRun = {
      record,
      versions: [Object.freeze(init.firstVersion)],
      journal: [],
      seqs: [],
      attributes,
    };
    this.appendJournal(entry, init.journal ?? [], record.status);
    this.runs.set(record.runId, entry);
    this.track(record);
    if (record.idempotencyKey !== null)
      this.byIdempotencyKey.set(record.idempotencyKey, record.runId);
    return { run: record, created: true };
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    this.assertOpen();
    return this.runs.get(runId)?.record;
  }

  async listRuns(query: RunQuery): Promise<RunRecord[]> {
    this.assertOpen();
    const limit = checkListLimit(query.limit);
    checkRunFilters(query);
    let after: RunRecord | undefined;
    if (query.cursor !== undefined) {
      after = this.runs.get(query.cursor)?.record;
      if (!after) throw unknownCursor(query.cursor);
    }
    const out: RunRecord[] = [];
    for (const { record, attributes } of this.runs.values()) {
      if (query.status && record.status !== query.status) continue;
      if (query.workflow && record.workflow !== query.workflow) continue;
      if (query.createdAfter !== undefined && record.createdAt < query.createdAfter) continue;
      if (query.createdBefore !== undefined && record.createdAt >= query.createdBefore) continue;
      if (query.where && !matchesWhere(attributes, query.where)) continue;
      if (after && newestFirst(record, after) <= 0) continue;
      out.push(record);
    }
    out.sort(newestFirst);
    return limit === undefined ? out : out.slice(0, limit);
  }

  async readAttributes(runId: string): Promise<SearchAttributes> {
    this.assertOpen();
    return this.runs.get(runId)?.attributes ?? Object.freeze({});
  }

  async saveShape(shape: WorkflowShape): Promise<void> {
    this.assertOpen();
    this.shapes.set(`${shape.name}@${shape.version}`, JSON.parse(JSON.stringify(shape)));
  }

  async readShapes(name?: string): Promise<WorkflowShape[]> {
    this.assertOpen();
    return [...this.shapes.values()]
      .filter((sh) => name === undefined || sh.name === name)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version));
  }

  async commit(writes: readonly RunWrite[]): Promise<CommitOutcome[]> {
    this.assertOpen();
    const out = writes.map((w) => this.commitOne(w));
    this.changes.committed();
    return out;
  }

  private commitOne(w: RunWrite): CommitOutcome {
    const entry = this.runs.get(w.runId);
    if (!entry) return { ok: false, error: new NotFoundError('run', w.runId) };
    const rec = entry.record;
    const rejected = checkWrite(w, rec.headVersion, rec.leaseOwner);
    if (rejected) return { ok: false, error: rejected };
    const versions = w.versions ?? [];
    for (const v of versions) entry.versions.push(Object.freeze(v));
    this.appendJournal(entry, w.journal ?? [], w.run?.status);
    entry.record = patchRun(rec, rec.headVersion + versions.length, w.run);
    this.track(entry.record);
    if (w.records) this.addRecords(w.records);
    return { ok: true, headVersion: entry.record.headVersion };
  }

  async readVersions(
    runId: string,
    from = 1,
    to = Number.MAX_SAFE_INTEGER,
  ): Promise<VersionRecord[]> {
    this.assertOpen();
    const entry = this.runs.get(runId);
    if (!entry) return [];
    return entry.versions.slice(Math.max(0, from - 1), Math.max(0, to));
  }

  async readJournal(runId: string): Promise<JournalEntry[]> {
    this.assertOpen();
    const entry = this.runs.get(runId);
    return entry
      ? entry.journal.map((j, i) =>
          journalWithSeq(j, entry.seqs[i]!, this.changes.statusAt(entry.seqs[i]!)),
        )
      : [];
  }

  async claimRuns(req: ClaimRequest): Promise<RunRecord[]> {
    this.assertOpen();
    const limit = checkListLimit(req.limit, 'limit') ?? 0;
    const statuses = new Set(req.statuses ?? DEFAULT_CLAIM_STATUSES);
    const workflows = req.workflows ? new Set(req.workflows) : undefined;
    const candidates: MemoryRun[] = [];
    // Claims of unfinished runs (the usual case) scan only those; others scan everything.
    const scan = [...statuses].some((st) => TERMINAL_STATUSES.has(st))
      ? this.runs.keys()
      : this.unfinished.values();
    for (const runId of scan) {
      const entry = this.runs.get(runId)!;
      const r = entry.record;
      if (!statuses.has(r.status)) continue;
      if (workflows && !workflows.has(r.workflow)) continue;
      const free =
        r.leaseOwner === null || (r.leaseExpiresAt ?? 0) <= req.now || r.leaseOwner === req.owner;
      if (free) candidates.push(entry);
    }
    // Oldest runs first, as every backend does, so a backlog drains in arrival order.
    candidates.sort(
      (a, b) =>
        a.record.createdAt - b.record.createdAt ||
        (a.record.runId < b.record.runId ? -1 : a.record.runId > b.record.runId ? 1 : 0),
    );
    return candidates.slice(0, limit).map((entry) => {
      entry.record = freezeRun({
        ...entry.record,
        leaseOwner: req.owner,
        leaseExpiresAt: req.expiresAt,
      });
      return entry.record;
    });
  }

  async renewLeases(
    owner: string,
    runIds: readonly string[],
    expiresAt: number,
  ): Promise<string[]> {
    this.assertOpen();
    const held: string[] = [];
    for (const id of runIds) {
      const entry = this.runs.get(id);
      if (!entry || entry.record.leaseOwner !== owner) continue;
      entry.record = freezeRun({ ...entry.record, leaseExpiresAt: expiresAt });
      held.push(id);
    }
    return held;
  }

  async appendRecords(records: readonly AuxRecord[]): Promise<void> {
    this.assertOpen();
    this.addRecords(records);
  }

  async queryRecords(q: AuxQuery): Promise<AuxRecord[]> {
    this.assertOpen();
    let out = (this.records.get(q.kind) ?? []).filter(
      (r) =>
        (q.key === undefined || r.key === q.key) && (q.runId === undefined || r.runId === q.runId),
    );
    const limit = checkListLimit(q.limit);
    if (q.newestFirst) out = out.reverse();
    return limit === undefined ? out : out.slice(0, limit);
  }

  async deleteRun(runId: string): Promise<boolean> {
    this.assertOpen();
    const entry = this.runs.get(runId);
    if (!entry) return false;
    this.runs.delete(runId);
    this.unfinished.delete(runId);
    const key = entry.record.idempotencyKey;
    if (key !== null && this.byIdempotencyKey.get(key) === runId) this.byIdempotencyKey.delete(key);
    for (const [kind, list] of this.records) {
      if (kind === 'audit' || kind === 'tombstone') continue;
      this.records.set(
        kind,
        list.filter((r) => r.runId !== runId),
      );
    }
    return true;
  }

  async pruneRecords(kind: AuxKind, before: number): Promise<number> {
    this.assertOpen();
    const list = this.records.get(kind) ?? [];
    const kept = list.filter((r) => r.at >= before);
    this.records.set(kind, kept);
    return list.length - kept.length;
  }

  private addRecords(records: readonly AuxRecord[]): void {
    for (const r of records) {
      const list = this.records.get(r.kind) ?? [];
      if (list.length === 0) this.records.set(r.kind, list);
      list.push(Object.freeze({ ...r }));
    }
  }

  private appendJournal(
    entry: MemoryRun,
    journal: readonly JournalEntry[],
    status: RunStatus | undefined,
  ): void {
    // Kept as given, frozen; the sequence number is attached on read (reads are rare, and a copy
    // per entry on every commit was a measurable share of the memory store's cost).
    for (let i = 0; i < journal.length; i++) {
      const j = Object.freeze(journal[i]!);
      // The status the write set rides on its last entry: what watchers see as the change.
      const st = i === journal.length - 1 ? (status ?? null) : null;
      entry.journal.push(j);
      entry.seqs.push(this.changes.append(j, st));
    }
  }

  private track(record: RunRecord): void {
    if (TERMINAL_STATUSES.has(record.status)) this.unfinished.delete(record.runId);
    else this.unfinished.add(record.runId);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError('store');
  }
}

/** Newest-first order of runs: createdAt, then runId, both descending. */
function newestFirst(a: RunRecord, b: RunRecord): number {
  return b.createdAt - a.createdAt || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0);
}
