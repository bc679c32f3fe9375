/**
 * The SQLite event log and deliveries (the EventStore contract of event-store.ts).
 *
 * Invariants:
 * - Every write runs in a BEGIN IMMEDIATE transaction, so a claim (materialize + lease) and a
 *   settlement (inbox mark + outbox events) are each atomic across processes on one file, and
 *   two processes never lease the same delivery.
 * - Statements are prepared once per open database, on first use.
 */
import type { ErrorInfo } from '../../errors.js';
import type {
  ClaimedDelivery,
  DeliveryClaim,
  DeliveryQuery,
  DeliveryRecord,
  DeliverySettlement,
  EventQuery,
  EventRecord,
  EventStore,
  NewEvent,
  SettleResult,
} from '../../ledger/event-store.js';
import { decodeJson } from '../../ledger/json.js';
import { checkListLimit } from '../../ledger/ledger-rules.js';
import { EventWriteBatch } from './event-write-batch.js';
import type { Db } from './open.js';
import { runLocked } from './sqlite-commit.js';
import type { Param } from './sqlite-rows.js';

interface EventRow {
  seq: number;
  event_id: string;
  type: string;
  payload: string;
  correlation_id: string;
  causation_id: string | null;
  producer: string;
  failure: number;
  at: number;
}

interface DeliveryRow {
  event_id: string;
  consumer: string;
  kind: string;
  seq: number;
  correlation_id: string;
  status: string;
  attempts: number;
  available_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  duplicates: number;
  error: string | null;
}

const toEvent = (r: EventRow): EventRecord =>
  Object.freeze({
    eventId: r.event_id,
    seq: r.seq,
    type: r.type,
    payload: r.payload,
    correlationId: r.correlation_id,
    causationId: r.causation_id,
    producer: r.producer,
    failure: r.failure === 1,
    at: r.at,
  });

const toDelivery = (r: DeliveryRow): DeliveryRecord =>
  Object.freeze({
    eventId: r.event_id,
    consumer: r.consumer,
    kind: r.kind as DeliveryRecord['kind'],
    seq: r.seq,
    correlationId: r.correlation_id,
    status: r.status as DeliveryRecord['status'],
    attempts: r.attempts,
    availableAt: r.available_at,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    duplicates: r.duplicates,
    error: r.error === null ? null : decodeJson<ErrorInfo>(r.error),
  });

// Due deliveries with their events (one query: no read-back per claimed row).
const DUE = `SELECT d.*, e.type, e.payload, e.causation_id, e.producer, e.failure, e.at
  FROM deliveries d JOIN events e ON e.seq = d.seq
  WHERE d.consumer = ? AND d.kind = 'handle' AND d.status = 'pending'
    AND d.available_at <= ? AND (d.lease_owner IS NULL OR d.lease_expires_at <= ?)
    AND NOT EXISTS (SELECT 1 FROM deliveries p
      WHERE p.consumer = d.consumer AND p.correlation_id = d.correlation_id AND p.kind = 'handle'
        AND p.status = 'pending' AND p.seq < d.seq)
  ORDER BY d.seq LIMIT ?`;

// One delivery, if due: the hand-off of an emitted event to a consumer of this process.
const DUE_ONE = `SELECT d.*, e.type, e.payload, e.causation_id, e.producer, e.failure, e.at
  FROM deliveries d JOIN events e ON e.seq = d.seq
  WHERE d.event_id = ? AND d.consumer = ? AND d.kind = 'handle' AND d.status = 'pending'
    AND d.available_at <= ? AND (d.lease_owner IS NULL OR d.lease_expires_at <= ?)
    AND NOT EXISTS (SELECT 1 FROM deliveries p
      WHERE p.consumer = d.consumer AND p.correlation_id = d.correlation_id AND p.kind = 'handle'
        AND p.status = 'pending' AND p.seq < d.seq)`;

function prepare(db: Db) {
  const insertEvent = db.prepare<Param[]>(
    `INSERT INTO events (event_id, type, payload, correlation_id, causation_id, producer, failure, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
  );
  const eventById = db.prepare<[string], EventRow>('SELECT * FROM events WHERE event_id = ?');
  const getDelivery = db.prepare<[string, string, string], DeliveryRow>(
    'SELECT * FROM deliveries WHERE event_id = ? AND consumer = ? AND kind = ?',
  );
  const position = db
    .prepare<[string], number>('SELECT position FROM consumer_positions WHERE consumer = ?')
    .pluck();
  const maxSeq = db.prepare<[], number | null>('SELECT MAX(seq) FROM events').pluck();
  const setPosition = db.prepare<[string, number]>(
    `INSERT INTO consumer_positions (consumer, position) VALUES (?, ?)
     ON CONFLICT (consumer) DO UPDATE SET position = excluded.position`,
  );
  const materialize = (byFailure: boolean) =>
    db.prepare<Param[]>(
      `INSERT INTO deliveries (event_id, consumer, kind, seq, correlation_id, status, attempts,
         available_at, duplicates)
       SELECT event_id, ?, 'handle', seq, correlation_id, 'pending', 0, ?, 0 FROM events
       WHERE seq > ? AND seq <= ? AND ${byFailure ? 'failure = 1' : 'type IN (SELECT value FROM json_each(?))'}
       ON CONFLICT DO NOTHING`,
    );
  const s = {
    insertEvent,
    eventById,
    getDelivery,
    position,
    maxSeq,
    setPosition,
    materializeTypes: materialize(false),
    materializeFailures: materialize(true),
    due: db.prepare<[string, number, number, number], DeliveryRow & EventRow>(DUE),
    dueOne: db.prepare<[string, string, number, number], DeliveryRow & EventRow>(DUE_ONE),
    lease: db.prepare<Param[]>(
      `UPDATE deliveries SET attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?,
         started_at = COALESCE(started_at, ?) WHERE event_id = ? AND consumer = ? AND kind = 'handle'`,
    ),
    renew: db.prepare<Param[]>(
      `UPDATE deliveries SET lease_expires_at = ? WHERE event_id = ? AND consumer = ?
         AND kind = 'handle' AND status = 'pending' AND lease_owner = ?`,
    ),
    update: db.prepare<Param[]>(
      `UPDATE deliveries SET status = ?, attempts = ?, available_at = ?, lease_owner = NULL,
         lease_expires_at = NULL, finished_at = ?, error = ?, duplicates = ?
       WHERE event_id = ? AND consumer = ? AND kind = ?`,
    ),
    insertDelivery: db.prepare<Param[]>(
      `INSERT INTO deliveries (event_id, consumer, kind, seq, correlation_id, status, attempts,
         available_at, started_at, finished_at, duplicates)
       VALUES (?, ?, ?, ?, ?, 'done', 1, ?, ?, ?, 0) ON CONFLICT DO NOTHING`,
    ),
    byEvent: db.prepare<Param[], DeliveryRow>(
      `SELECT * FROM deliveries WHERE event_id = ? AND kind = 'handle' AND (? IS NULL OR consumer = ?)`,
    ),
  };
  const append = (list: readonly NewEvent[]) => {
    const stored: EventRecord[] = [];
    const duplicates: string[] = [];
    for (const e of list) {
      const p = [e.eventId, e.type, e.payload, e.correlationId, e.causationId, e.producer];
      const r = insertEvent.run(...p, e.failure ? 1 : 0, e.at);
      // seq is the rowid: the stored record is known without reading it back.
      if (r.changes === 0) duplicates.push(e.eventId);
      else stored.push(Object.freeze({ ...e, seq: Number(r.lastInsertRowid) }));
    }
    return { stored, duplicates };
  };
  return { s, append };
}

type Prepared = ReturnType<typeof prepare>;

const put = (s: Prepared['s'], d: DeliveryRecord): void => {
  s.update.run(
    d.status,
    d.attempts,
    d.availableAt,
    d.finishedAt,
    d.error === null ? null : JSON.stringify(d.error),
    d.duplicates,
    d.eventId,
    d.consumer,
    d.kind,
  );
};

/**
 * Creates the event store of a SQLite ledger; `db()` returns the open database or throws, and
 * `durable()` resolves once the writes made so far are on disk (see wal-sync.ts).
 */
export function createSqliteEventStore(
  db: () => Db,
  durable: () => Promise<void> | undefined = () => undefined,
): EventStore {
  let cached: { db: Db; p: Prepared; tx: ReturnType<typeof transactions> } | undefined;
  const get = () => {
    const d = db();
    if (cached?.db !== d) {
      const p = prepare(d);
      cached = { db: d, p, tx: transactions(d, p) };
    }
    return cached;
  };
  const read = <T>(fn: () => T): T => runLocked(fn);
  // Read statements by SQL text: the filters combine into a handful of shapes, each prepared
  // once per open database instead of on every call.
  let readStatements = new Map<string, ReturnType<Db['prepare']>>();
  let readDb: Db | undefined;
  const statement = <R>(sql: string) => {
    const d = get().db;
    if (readDb !== d) {
      readDb = d;
      readStatements = new Map();
    }
    let st = readStatements.get(sql);
    if (!st) {
      st = d.prepare(sql);
      readStatements.set(sql, st);
    }
    return st as unknown as { all(...p: Param[]): R[] };
  };
  // Writes requested in one turn of the event loop share a transaction and an fsync.
  const batch = new EventWriteBatch(() => get().db, durable);
  const write = <T>(fn: () => T): Promise<T> => batch.submit(fn);
  // A renewal needs no fsync of its own: a renewal lost in a crash only shortens the lease of a
  // process that is gone. (A claim does: it counts the attempt, and a poison event that crashes
  // the process must still reach the dead letters.)
  const renewal = async <T>(fn: () => T): Promise<T> => runLocked(fn);

  return {
    appendEvents: (list) => write(() => get().tx.append(list)),
    claimDeliveries: (c) => write(() => get().tx.claim(c)),
    renewDeliveries: (owner, keys, expiresAt) =>
      renewal(() => get().tx.renew.immediate(owner, keys, expiresAt)),
    settleDelivery: (s) => write(() => get().tx.settle(s)),
    settleAndClaim: (s, claims) => write(() => get().tx.settleAndClaim(s, claims)),
    redeliverEvent: (eventId, now, consumer) =>
      write(() => get().tx.redeliver(eventId, now, consumer)),
    recordCompensation: (eventId, consumer, at) =>
      write(() => get().tx.compensate(eventId, consumer, at)),
    readEvents: async (q: EventQuery) =>
      read(() => {
        const limit = checkListLimit(q.limit) ?? -1;
        const used = (
          [
            ['correlation_id', q.correlationId],
            ['event_id', q.eventId],
          ] as const
        ).filter(([, v]) => v !== undefined);
        const where = used.map(([c]) => `${c} = ?`).join(' AND ');
        const sql = `SELECT * FROM events ${where ? `WHERE ${where}` : ''} ORDER BY seq LIMIT ?`;
        return statement<EventRow>(sql)
          .all(...used.map(([, v]) => v!), limit)
          .map(toEvent);
      }),
    readDeliveries: async (q: DeliveryQuery) =>
      read(() => {
        const limit = checkListLimit(q.limit) ?? -1;
        const filters: [string, string | undefined][] = [
          ['correlation_id', q.correlationId],
          ['event_id', q.eventId],
          ['consumer', q.consumer],
          ['status', q.status],
          ['kind', q.kind],
        ];
        const used = filters.filter(([, v]) => v !== undefined);
        const where = used.map(([c]) => `${c} = ?`).join(' AND ');
        const sql = `SELECT * FROM deliveries ${where ? `WHERE ${where}` : ''}
          ORDER BY seq, consumer, CASE kind WHEN 'handle' THEN 0 ELSE 1 END LIMIT ?`;
        return statement<DeliveryRow>(sql)
          .all(...used.map(([, v]) => v!), limit)
          .map(toDelivery);
      }),
  };
}

function transactions(db: Db, { s, append }: Prepared) {
  const materialize = (c: DeliveryClaim): void => {
    const from = s.position.get(c.consumer) ?? 0;
    const to = s.maxSeq.get() ?? 0;
    if (to > from) {
      if ('failures' in c.match) s.materializeFailures.run(c.consumer, c.now, from, to);
      else s.materializeTypes.run(c.consumer, c.now, from, to, JSON.stringify(c.match.types));
      s.setPosition.run(c.consumer, to);
    }
  };
  const leaseRow = (c: DeliveryClaim, row: DeliveryRow & EventRow): ClaimedDelivery => {
    s.lease.run(c.owner, c.expiresAt, c.now, row.event_id, c.consumer);
    const leased = {
      ...row,
      attempts: row.attempts + 1,
      lease_owner: c.owner,
      lease_expires_at: c.expiresAt,
      started_at: row.started_at ?? c.now,
    };
    return { delivery: toDelivery(leased), event: toEvent(row) };
  };
  const claim = (c: DeliveryClaim): ClaimedDelivery[] => {
    const limit = checkListLimit(c.limit, 'limit') ?? 0;
    materialize(c);
    return s.due.all(c.consumer, c.now, c.now, limit).map((row) => leaseRow(c, row));
  };
  const renew = db.transaction(
    (owner: string, keys: readonly { eventId: string; consumer: string }[], exp: number) =>
      keys.reduce((n, k) => n + s.renew.run(exp, k.eventId, k.consumer, owner).changes, 0),
  );
  const settle = (st: DeliverySettlement): SettleResult => {
    const row = s.getDelivery.get(st.eventId, st.consumer, 'handle');
    const d = row ? toDelivery(row) : undefined;
    if (d?.status === 'done') {
      put(s, { ...d, duplicates: d.duplicates + 1 });
      return 'duplicate';
    }
    if (d?.status !== 'pending' || d.leaseOwner !== st.owner) return 'lost';
    if (st.outcome === 'done') {
      append(st.emitted);
      put(s, { ...d, status: 'done', finishedAt: st.at, error: null });
    } else if (st.outcome === 'retry') {
      const attempts = st.countAttempt ? d.attempts : d.attempts - 1;
      put(s, { ...d, attempts, availableAt: st.availableAt, error: st.error });
    } else {
      put(s, { ...d, status: 'dead', finishedAt: st.at, error: st.error });
    }
    return 'settled';
  };
  const settleAndClaim = (
    st: DeliverySettlement & { outcome: 'done' },
    claims: readonly DeliveryClaim[],
  ) => {
    const result = settle(st);
    const claimed = claims.map((c): ClaimedDelivery[] => {
      const limit = checkListLimit(c.limit, 'limit') ?? 0;
      if (result !== 'settled' || limit === 0) return [];
      const mine = st.emitted.filter((e) =>
        'failures' in c.match ? e.failure : c.match.types.includes(e.type),
      );
      if (mine.length === 0) return [];
      materialize(c);
      const out: ClaimedDelivery[] = [];
      for (const e of mine) {
        if (out.length >= limit) break;
        const row = s.dueOne.get(e.eventId, c.consumer, c.now, c.now);
        if (row) out.push(leaseRow(c, row));
      }
      return out;
    });
    return { result, claimed };
  };
  const redeliver = (eventId: string, now: number, consumer?: string) => {
    let requeued = 0;
    let suppressed = 0;
    const c = consumer ?? null;
    for (const row of s.byEvent.all(eventId, c, c)) {
      const d = toDelivery(row);
      if (d.status === 'done') {
        put(s, { ...d, duplicates: d.duplicates + 1 });
        suppressed++;
      } else {
        put(s, { ...d, status: 'pending', attempts: 0, availableAt: now, finishedAt: null });
        requeued++;
      }
    }
    return { requeued, suppressed };
  };
  const compensate = (eventId: string, consumer: string, at: number) => {
    const e = s.eventById.get(eventId);
    if (!e) return false;
    const p = [eventId, consumer, 'compensate', e.seq, e.correlation_id, at, at, at];
    return s.insertDelivery.run(...p).changes > 0;
  };
  return {
    append,
    claim,
    renew,
    settle,
    settleAndClaim,
    redeliver,
    compensate,
  };
}
