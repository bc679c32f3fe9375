/**
 * The PostgreSQL event log and deliveries (the EventStore contract of event-store.ts).
 *
 * Invariants:
 * - Appends (including a settlement's outbox) hold a transaction-scoped advisory lock of the
 *   schema's event log while they take `seq` values and until they commit, so events become
 *   visible in `seq` order: a reader that saw seq N will never later see a smaller seq appear,
 *   which is what lets a consumer keep a durable position.
 * - A claim locks the consumer's position row first, so claimers of one consumer (any number of
 *   processes) run one at a time: materialize past the position, advance it, lease due rows. The
 *   lease UPDATE re-checks its conditions on the newest row, so a delivery is never leased twice.
 * - A settlement locks its delivery row (`FOR UPDATE`) and judges the lease under that lock:
 *   the inbox mark and the outbox events commit together or not at all.
 */
import type pg from 'pg';
import type { ErrorInfo } from '../../errors.js';
import type {
  ClaimedDelivery,
  DeliveryQuery,
  DeliveryRecord,
  DeliverySettlement,
  EventRecord,
  EventStore,
  NewEvent,
  SettleResult,
} from '../../ledger/event-store.js';
import { decodeJson } from '../../ledger/json.js';
import { checkListLimit } from '../../ledger/ledger-rules.js';

type Num = string | number;

interface EventRow {
  seq: Num;
  event_id: string;
  type: string;
  payload: string;
  correlation_id: string;
  causation_id: string | null;
  producer: string;
  failure: boolean;
  at: Num;
}

interface DeliveryRow {
  event_id: string;
  consumer: string;
  kind: string;
  seq: Num;
  correlation_id: string;
  status: string;
  attempts: number;
  available_at: Num;
  lease_owner: string | null;
  lease_expires_at: Num | null;
  started_at: Num | null;
  finished_at: Num | null;
  duplicates: number;
  error: string | null;
}

const n = (v: Num): number => Number(v);
const nn = (v: Num | null): number | null => (v === null ? null : Number(v));

const toEvent = (r: EventRow): EventRecord =>
  Object.freeze({
    eventId: r.event_id,
    seq: n(r.seq),
    type: r.type,
    payload: r.payload,
    correlationId: r.correlation_id,
    causationId: r.causation_id,
    producer: r.producer,
    failure: r.failure,
    at: n(r.at),
  });

const toDelivery = (r: DeliveryRow): DeliveryRecord =>
  Object.freeze({
    eventId: r.event_id,
    consumer: r.consumer,
    kind: r.kind as DeliveryRecord['kind'],
    seq: n(r.seq),
    correlationId: r.correlation_id,
    status: r.status as DeliveryRecord['status'],
    attempts: r.attempts,
    availableAt: n(r.available_at),
    leaseOwner: r.lease_owner,
    leaseExpiresAt: nn(r.lease_expires_at),
    startedAt: nn(r.started_at),
    finishedAt: nn(r.finished_at),
    duplicates: r.duplicates,
    error: r.error === null ? null : decodeJson<ErrorInfo>(r.error),
  });

/** How the event store reaches the database: a connection for a transaction, and plain queries. */
export interface EventStoreAccess {
  /** Runs `fn` inside BEGIN/COMMIT on one connection (rolled back if it throws). */
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]>;
  readonly schema: string;
}

async function append(
  client: pg.PoolClient,
  schema: string,
  list: readonly NewEvent[],
): Promise<{ stored: EventRecord[]; duplicates: string[] }> {
  const stored: EventRecord[] = [];
  const duplicates: string[] = [];
  if (list.length === 0) return { stored, duplicates };
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`baton-events:${schema}`]);
  for (const e of list) {
    const r = await client.query<EventRow>(
      `INSERT INTO events (event_id, type, payload, correlation_id, causation_id, producer, failure, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id) DO NOTHING RETURNING *`,
      [e.eventId, e.type, e.payload, e.correlationId, e.causationId, e.producer, e.failure, e.at],
    );
    if (r.rows[0]) stored.push(toEvent(r.rows[0]));
    else duplicates.push(e.eventId);
  }
  return { stored, duplicates };
}

async function put(client: pg.PoolClient, d: DeliveryRecord): Promise<void> {
  await client.query(
    `UPDATE deliveries SET status = $1, attempts = $2, available_at = $3, lease_owner = NULL,
       lease_expires_at = NULL, finished_at = $4, error = $5, duplicates = $6
     WHERE event_id = $7 AND consumer = $8 AND kind = $9`,
    [
      d.status,
      d.attempts,
      d.availableAt,
      d.finishedAt,
      d.error === null ? null : JSON.stringify(d.error),
      d.duplicates,
      d.eventId,
      d.consumer,
      d.kind,
    ],
  );
}

/** Creates the event store of a PostgreSQL ledger. */
export function createPostgresEventStore(db: EventStoreAccess): EventStore {
  return {
    appendEvents: (list) => db.transaction((c) => append(c, db.schema, list)),

    // async: a bad limit rejects the promise, like every other method, instead of throwing.
    claimDeliveries: async (claim) => {
      const limit = checkListLimit(claim.limit, 'limit') ?? 0;
      return db.transaction(async (c): Promise<ClaimedDelivery[]> => {
        await c.query(
          `INSERT INTO consumer_positions (consumer, position) VALUES ($1, 0)
           ON CONFLICT (consumer) DO NOTHING`,
          [claim.consumer],
        );
        const pos = await c.query<{ position: Num }>(
          'SELECT position FROM consumer_positions WHERE consumer = $1 FOR UPDATE',
          [claim.consumer],
        );
        const from = n(pos.rows[0]?.position ?? 0);
        const max = await c.query<{ m: Num | null }>('SELECT MAX(seq) AS m FROM events');
        const to = n(max.rows[0]?.m ?? 0);
        if (to > from) {
          const byFailure = 'failures' in claim.match;
          await c.query(
            `INSERT INTO deliveries (event_id, consumer, kind, seq, correlation_id, status, attempts,
               available_at, duplicates)
             SELECT event_id, $1, 'handle', seq, correlation_id, 'pending', 0, $2, 0 FROM events
             WHERE seq > $3 AND seq <= $4 AND ${byFailure ? 'failure' : 'type = ANY($5::text[])'}
             ON CONFLICT DO NOTHING`,
            byFailure
              ? [claim.consumer, claim.now, from, to]
              : [
                  claim.consumer,
                  claim.now,
                  from,
                  to,
                  'types' in claim.match ? claim.match.types : [],
                ],
          );
          await c.query('UPDATE consumer_positions SET position = $2 WHERE consumer = $1', [
            claim.consumer,
            to,
          ]);
        }
        const leased = await c.query<DeliveryRow>(
          `UPDATE deliveries AS u SET attempts = u.attempts + 1, lease_owner = $3,
             lease_expires_at = $4, started_at = COALESCE(u.started_at, $2)
           FROM (
             SELECT d.event_id FROM deliveries d
             WHERE d.consumer = $1 AND d.kind = 'handle' AND d.status = 'pending'
               AND d.available_at <= $2 AND (d.lease_owner IS NULL OR d.lease_expires_at <= $2)
               AND NOT EXISTS (SELECT 1 FROM deliveries e
                 WHERE e.consumer = d.consumer AND e.correlation_id = d.correlation_id
                   AND e.kind = 'handle' AND e.status = 'pending' AND e.seq < d.seq)
             ORDER BY d.seq LIMIT $5
           ) AS due
           WHERE u.event_id = due.event_id AND u.consumer = $1 AND u.kind = 'handle'
             AND u.status = 'pending' AND (u.lease_owner IS NULL OR u.lease_expires_at <= $2)
           RETURNING u.*`,
          [claim.consumer, claim.now, claim.owner, claim.expiresAt, limit],
        );
        if (leased.rows.length === 0) return [];
        const events = await c.query<EventRow>('SELECT * FROM events WHERE event_id = ANY($1)', [
          leased.rows.map((r) => r.event_id),
        ]);
        const byId = new Map(events.rows.map((e) => [e.event_id, toEvent(e)]));
        return leased.rows
          .map((r) => ({ delivery: toDelivery(r), event: byId.get(r.event_id)! }))
          .sort((a, b) => a.delivery.seq - b.delivery.seq);
      });
    },

    renewDeliveries: async (owner, keys, expiresAt) => {
      if (keys.length === 0) return 0;
      const rows = await db.query<{ event_id: string }>(
        `UPDATE deliveries AS d SET lease_expires_at = $1
         FROM unnest($2::text[], $3::text[]) AS k(event_id, consumer)
         WHERE d.event_id = k.event_id AND d.consumer = k.consumer AND d.kind = 'handle'
           AND d.status = 'pending' AND d.lease_owner = $4
         RETURNING d.event_id`,
        [expiresAt, keys.map((k) => k.eventId), keys.map((k) => k.consumer), owner],
      );
      return rows.length;
    },

    settleDelivery: (st: DeliverySettlement) =>
      db.transaction(async (c): Promise<SettleResult> => {
        const r = await c.query<DeliveryRow>(
          `SELECT * FROM deliveries WHERE event_id = $1 AND consumer = $2 AND kind = 'handle'
           FOR UPDATE`,
          [st.eventId, st.consumer],
        );
        const d = r.rows[0] ? toDelivery(r.rows[0]) : undefined;
        if (d?.status === 'done') {
          await put(c, { ...d, duplicates: d.duplicates + 1 });
          return 'duplicate';
        }
        if (d?.status !== 'pending' || d.leaseOwner !== st.owner) return 'lost';
        if (st.outcome === 'done') {
          await append(c, db.schema, st.emitted);
          await put(c, { ...d, status: 'done', finishedAt: st.at, error: null });
        } else if (st.outcome === 'retry') {
          const attempts = st.countAttempt ? d.attempts : d.attempts - 1;
          await put(c, { ...d, attempts, availableAt: st.availableAt, error: st.error });
        } else {
          await put(c, { ...d, status: 'dead', finishedAt: st.at, error: st.error });
        }
        return 'settled';
      }),

    redeliverEvent: (eventId, now, consumer) =>
      db.transaction(async (c) => {
        const rows = await c.query<DeliveryRow>(
          `SELECT * FROM deliveries WHERE event_id = $1 AND kind = 'handle'
             AND ($2::text IS NULL OR consumer = $2) ORDER BY consumer FOR UPDATE`,
          [eventId, consumer ?? null],
        );
        let requeued = 0;
        let suppressed = 0;
        for (const row of rows.rows) {
          const d = toDelivery(row);
          if (d.status === 'done') {
            await put(c, { ...d, duplicates: d.duplicates + 1 });
            suppressed++;
          } else {
            await put(c, {
              ...d,
              status: 'pending',
              attempts: 0,
              availableAt: now,
              finishedAt: null,
            });
            requeued++;
          }
        }
        return { requeued, suppressed };
      }),

    recordCompensation: async (eventId, consumer, at) => {
      const rows = await db.query<{ event_id: string }>(
        `INSERT INTO deliveries (event_id, consumer, kind, seq, correlation_id, status, attempts,
           available_at, started_at, finished_at, duplicates)
         SELECT event_id, $2, 'compensate', seq, correlation_id, 'done', 1, $3, $3, $3, 0
         FROM events WHERE event_id = $1
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [eventId, consumer, at],
      );
      return rows.length > 0;
    },

    readEvents: async (q) => {
      const limit = checkListLimit(q.limit);
      const rows = await db.query<EventRow>(
        `SELECT * FROM events WHERE ($1::text IS NULL OR correlation_id = $1)
           AND ($2::text IS NULL OR event_id = $2) ORDER BY seq LIMIT $3`,
        [q.correlationId ?? null, q.eventId ?? null, limit ?? null],
      );
      return rows.map(toEvent);
    },

    readDeliveries: async (q: DeliveryQuery) => {
      const limit = checkListLimit(q.limit);
      const rows = await db.query<DeliveryRow>(
        `SELECT * FROM deliveries WHERE ($1::text IS NULL OR correlation_id = $1)
           AND ($2::text IS NULL OR event_id = $2) AND ($3::text IS NULL OR consumer = $3)
           AND ($4::text IS NULL OR status = $4) AND ($5::text IS NULL OR kind = $5)
         ORDER BY seq, consumer, CASE kind WHEN 'handle' THEN 0 ELSE 1 END LIMIT $6`,
        [
          q.correlationId ?? null,
          q.eventId ?? null,
          q.consumer ?? null,
          q.status ?? null,
          q.kind ?? null,
          limit ?? null,
        ],
      );
      return rows.map(toDelivery);
    },
  };
}
