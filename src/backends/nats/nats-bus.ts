/**
 * The choreography bus over NATS JetStream (`natsBus()` from `baton-runtime/nats`).
 *
 * Invariants:
 * - The store is the source of truth: events are committed there before `published()` sends
 *   them, and every delivery ends with the store's settle (inbox + outbox in one transaction)
 *   before the message is acked, nak'ed or termed (see subscription.ts).
 * - Each event is published once with `Nats-Msg-Id` = its event id, so the stream's duplicate
 *   window drops a second send. A send JetStream reports as a duplicate is a redelivery request
 *   (`rt.redeliver` of a dead letter): it goes out again under a fresh id, and consumers whose
 *   delivery is already done just ack it.
 * - The stream and one durable pull consumer per reactor are created or verified at `start()`;
 *   `close()` stops the consumers (waiting for deliveries in hand) and drains the connection
 *   the bus opened (a connection passed in stays open: its owner closes it).
 */

import { randomUUID } from 'node:crypto';
import { type Consumer, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import type { BusContext, EventBus, Subscription } from '../../choreography/bus.js';
import { settleWithHandOff } from '../../choreography/hand-off.js';
import { InvalidArgumentError, StoreUnavailableError } from '../../errors.js';
import type { NewEvent } from '../../ledger/event-store.js';
import { redactCredentials } from './redact.js';
import { consumerFilter, ensureConsumer, ensureStream, eventSubject, token } from './setup.js';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, NatsSubscription } from './subscription.js';

/** Options of {@link natsBus}. */
export interface NatsBusOptions {
  /** Server URL(s), e.g. `nats://127.0.0.1:4222`. Required unless `connection` is given. */
  readonly servers?: string | readonly string[];
  /** An open connection to use instead of `servers`; the bus does not close it. */
  readonly connection?: NatsConnection;
  /** JetStream stream name (default `BATON_EVENTS`). */
  readonly stream?: string;
  /** Subject prefix of the stream, dot-separated tokens (default `baton.events`). */
  readonly subjectPrefix?: string;
  /**
   * How long a delivered message may go unacknowledged (default 30 s); also the store lease of
   * a delivery in hand. A crashed consumer's deliveries are redelivered after it.
   */
  readonly ackWaitMs?: number;
  /**
   * JetStream's `max_deliver` (default -1, unbounded): Baton dead-letters from the store's
   * attempt count, and a bounded value only stops redeliveries the store sweep then picks up.
   */
  readonly maxDeliver?: number;
}

/** Options after defaults and validation. */
export interface ResolvedNatsBusOptions {
  readonly servers: readonly string[];
  readonly connection: NatsConnection | undefined;
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
}

const DUPLICATE_WINDOW_MS = 120_000;
const MAX_ACK_PENDING = 1000;

/**
 * Validates and completes {@link NatsBusOptions}.
 * @throws InvalidArgumentError naming the bad option.
 */
export function resolveNatsBusOptions(o: NatsBusOptions): ResolvedNatsBusOptions {
  if (typeof o !== 'object' || o === null)
    throw new InvalidArgumentError('natsBus options must be an object', 'options');
  const servers =
    o.servers === undefined ? [] : typeof o.servers === 'string' ? [o.servers] : o.servers;
  if (!Array.isArray(servers) || servers.some((s) => typeof s !== 'string' || s.length === 0))
    throw new InvalidArgumentError(
      `servers must be a URL or a list of URLs, got ${redactCredentials(JSON.stringify(o.servers) ?? 'undefined')}`,
      'servers',
    );
  if (servers.length === 0 && o.connection === undefined)
    throw new InvalidArgumentError('natsBus needs servers or a connection', 'servers');
  const stream = o.stream ?? 'BATON_EVENTS';
  if (typeof stream !== 'string' || !/^[A-Za-z0-9_-]+$/.test(stream))
    throw new InvalidArgumentError(
      `stream must match [A-Za-z0-9_-]+, got ${JSON.stringify(stream)}`,
      'stream',
    );
  const subjectPrefix = o.subjectPrefix ?? 'baton.events';
  if (
    typeof subjectPrefix !== 'string' ||
    !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(subjectPrefix)
  )
    throw new InvalidArgumentError(
      `subjectPrefix must be dot-separated tokens of [A-Za-z0-9_-] (no wildcards), got ${JSON.stringify(subjectPrefix)}`,
      'subjectPrefix',
    );
  const ackWaitMs = o.ackWaitMs ?? 30_000;
  if (!(Number.isInteger(ackWaitMs) && ackWaitMs >= 30))
    throw new InvalidArgumentError(
      `ackWaitMs must be an integer >= 30, got ${String(ackWaitMs)}`,
      'ackWaitMs',
    );
  const maxDeliver = o.maxDeliver ?? -1;
  if (!(Number.isInteger(maxDeliver) && (maxDeliver === -1 || maxDeliver >= 1)))
    throw new InvalidArgumentError(
      `maxDeliver must be -1 (unbounded) or an integer >= 1, got ${String(maxDeliver)}`,
      'maxDeliver',
    );
  return { servers, connection: o.connection, stream, subjectPrefix, ackWaitMs, maxDeliver };
}

/**
 * Creates the choreography bus over NATS JetStream; pass it as `createRuntime({ bus })`.
 * @throws InvalidArgumentError for a bad option. `start()` throws StoreUnavailableError when no
 * server answers, InvalidArgumentError when an existing stream cannot carry Baton's events.
 * @example
 * const rt = createRuntime({ store, reactors, bus: natsBus({ servers: 'nats://127.0.0.1:4222' }) });
 */
export function natsBus(options: NatsBusOptions): EventBus {
  const o = resolveNatsBusOptions(options);
  let nc: NatsConnection | undefined;
  let ctx: BusContext | undefined;
  const subs = new Set<NatsSubscription>();
  const sends = new Set<Promise<void>>();

  let opening: Promise<NatsConnection> | undefined;
  let closed = false;
  // A runtime with no reactors never calls start(), yet its publishes must reach the stream.
  const open = (name: string): Promise<NatsConnection> => {
    opening ??= (async () => {
      let conn: NatsConnection;
      try {
        // Reconnect for as long as the bus lives: the client's default gives up after ten
        // attempts and leaves a closed connection behind, after which nothing is ever sent.
        conn =
          o.connection ??
          (await connect({
            servers: [...o.servers],
            name,
            maxReconnectAttempts: -1,
            // Without it every publish and request builds an Error (with its stack) up front,
            // only to annotate a timeout: a tenth of a burst's CPU went there.
            noAsyncTraces: true,
          }));
      } catch (e) {
        throw new StoreUnavailableError(
          redactCredentials(`NATS at ${o.servers.join(', ')} is unreachable: ${String(e)}`),
          e,
        );
      }
      nc = conn;
      try {
        await ensureStream(await jetstreamManager(conn), {
          stream: o.stream,
          prefix: o.subjectPrefix,
          duplicateWindowMs: DUPLICATE_WINDOW_MS,
        });
      } catch (e) {
        if (!o.connection) await conn.close().catch(() => {});
        nc = undefined;
        throw e;
      }
      return conn;
    })().catch((e: unknown) => {
      // Not cached: the next start or send tries again (a failed first attempt was permanent).
      opening = undefined;
      throw e;
    });
    return opening;
  };

  const send = async (e: NewEvent): Promise<void> => {
    if (closed) throw new InvalidArgumentError('the NATS bus is closed', 'bus');
    const js = jetstream(await open('baton publisher'));
    const h = headers();
    h.set(EVENT_ID_HEADER, e.eventId);
    h.set(EVENT_TYPE_HEADER, e.type);
    const subject = eventSubject(o.subjectPrefix, e.type, e.failure);
    const body = JSON.stringify(e);
    const ack = await js.publish(subject, body, { msgID: e.eventId, headers: h });
    // Already on the stream: a redelivery request. Send it again under a fresh id.
    if (ack.duplicate)
      await js.publish(subject, body, { msgID: `${e.eventId}:again:${randomUUID()}`, headers: h });
  };

  return {
    kind: 'nats',
    async start(c) {
      ctx = c;
      await open(`baton ${c.owner}`);
    },
    published(events) {
      for (const e of events) {
        const p = send(e)
          .catch((err: unknown) => {
            const message = 'event stored but not sent on NATS; the store sweep delivers it';
            const error = redactCredentials(String(err));
            if (ctx) ctx.logger.error(message, { eventId: e.eventId, error });
            else process.emitWarning(`${message}: ${e.eventId}: ${error}`);
          })
          .finally(() => sends.delete(p));
        sends.add(p);
      }
    },
    subscribe(spec, handler) {
      if (!ctx || !nc) throw new InvalidArgumentError('the bus is not started', 'bus');
      const conn = nc;
      const durable = token(spec.name);
      const { filter, local } = consumerFilter(o.subjectPrefix, spec);
      // A factory, not a promise: a setup that fails (NATS unreachable, a request timed out)
      // is retried by the subscription instead of failing it for good.
      const consumer = async (): Promise<Consumer> => {
        const jsm = await jetstreamManager(conn);
        await ensureConsumer(jsm, o.stream, durable, filter, spec, {
          ackWaitMs: o.ackWaitMs,
          maxDeliver: o.maxDeliver,
          maxAckPending: MAX_ACK_PENDING,
        });
        return jetstream(conn).consumers.get(o.stream, durable);
      };
      const busCtx = ctx;
      const sub = new NatsSubscription({
        ctx,
        spec,
        consumer,
        handler,
        ackWaitMs: o.ackWaitMs,
        local,
        // Events a delivery emits are leased to this process's consumers in its settle
        // transaction (hand-off.ts); their messages are acked when those deliveries are done.
        settleDone: (st) => settleWithHandOff(busCtx, subs, o.ackWaitMs, st),
      });
      subs.add(sub);
      return {
        stop: async () => {
          subs.delete(sub);
          await sub.stop();
        },
      } satisfies Subscription;
    },
    async quiet() {
      await Promise.all([...sends]);
      await Promise.all([...subs].map((s) => s.quiet()));
    },
    async close() {
      const all = [...subs];
      subs.clear();
      await Promise.all(all.map((s) => s.stop()));
      await Promise.all([...sends]);
      closed = true;
      const conn = await opening?.catch(() => undefined);
      if (conn && !o.connection && !conn.isClosed()) await conn.drain();
      nc = undefined;
    },
  };
}
