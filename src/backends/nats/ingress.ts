/**
 * `natsIngress()`: lets a plain NATS JetStream client — in any language, knowing nothing of
 * Baton but its wire format — start runs and deliver events. It publishes raw JSON to the
 * ingress stream; this consumer turns each message into `rt.start` or `rt.publish`, so the
 * store stays the source of truth (the choreography bus itself only carries stored events).
 *
 * Wire format (README "NATS wire format"):
 * - `<prefix>.start.<workflow>`: the body is the workflow input (JSON). The run id is the
 *   `Baton-Run-Id` header when given; the start is idempotent per `Nats-Msg-Id` (else per
 *   stream sequence), so a redelivered message starts nothing twice.
 * - `<prefix>.event.<type>`: the body is the event payload (JSON). The event id is
 *   `Baton-Event-Id`, else derived from `Nats-Msg-Id` or the stream sequence (publishing an id
 *   twice stores it once); `Baton-Correlation-Id` joins an existing flow.
 * - Names are encoded as on the bus (`.` as `~`; other bytes outside `[A-Za-z0-9@+-]` as
 *   `_XX`): event `credit.scored@1` is subject `baton.ingress.event.credit~scored@1`.
 *
 * Invariants:
 * - A message is acked only after the run or event is committed to the store; a store failure
 *   naks it (redelivered). A message that can never succeed (unknown subject, not JSON, a
 *   contract violation) is terminated and logged, never retried forever.
 */
import {
  AckPolicy,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { InvalidArgumentError, isBatonError, StoreUnavailableError } from '../../errors.js';
import { ensureStream, token } from './setup.js';

/** An event type the ingress accepts (an `event()` definition). */
export interface IngressEventType {
  readonly id: string;
}

/** A workflow the ingress starts (a `workflow()` definition). */
export interface IngressWorkflow {
  readonly name: string;
}

/** What the ingress drives: a runtime (`createRuntime`) or a view of one (`rt.as(principal)`). */
export interface IngressTarget<E extends IngressEventType, W extends IngressWorkflow> {
  publish(
    type: E,
    payload: never,
    options: { eventId: string; correlationId?: string },
  ): Promise<{ eventId: string }>;
  start(
    workflow: W,
    input: never,
    options: { runId?: string; idempotencyKey: string },
  ): Promise<{
    id: string;
  }>;
}

/** Options of {@link natsIngress}. */
export interface NatsIngressOptions<E extends IngressEventType, W extends IngressWorkflow> {
  readonly runtime: IngressTarget<E, W>;
  /** Event types foreign clients may publish. */
  readonly events?: readonly E[];
  /** Workflows foreign clients may start. */
  readonly workflows?: readonly W[];
  /** Server URL(s). Required unless `connection` is given. */
  readonly servers?: string | readonly string[];
  /** An open connection to use; the ingress does not close it. */
  readonly connection?: NatsConnection;
  /** The ingress stream (default `BATON_INGRESS`), created when missing. */
  readonly stream?: string;
  /** Its subject prefix (default `baton.ingress`). */
  readonly subjectPrefix?: string;
  /** The durable consumer's name (default `baton-ingress`); runtimes sharing it share the work. */
  readonly durable?: string;
  /** How long a message may stay unacknowledged before redelivery (default 30 s). */
  readonly ackWaitMs?: number;
  /** Where terminated (poison) messages are reported (default: a process warning). */
  readonly onRejected?: (subject: string, reason: string) => void;
}

/** A running ingress. */
export interface NatsIngress {
  /** Creates the stream and consumer and starts consuming. @throws StoreUnavailableError */
  start(): Promise<void>;
  /** Stops consuming (messages in hand finish first) and closes a connection it opened. */
  close(): Promise<void>;
}

type Outcome = { kind: 'ack' } | { kind: 'term'; reason: string } | { kind: 'nak' };

/**
 * Creates the ingress consumer of foreign NATS clients.
 * @throws InvalidArgumentError naming a bad option.
 */
export function natsIngress<E extends IngressEventType, W extends IngressWorkflow>(
  options: NatsIngressOptions<E, W>,
): NatsIngress {
  if (typeof options !== 'object' || options === null || typeof options.runtime !== 'object')
    throw new InvalidArgumentError(
      'natsIngress needs { runtime, servers | connection }',
      'options',
    );
  const servers =
    options.servers === undefined
      ? []
      : typeof options.servers === 'string'
        ? [options.servers]
        : [...options.servers];
  if (servers.length === 0 && !options.connection)
    throw new InvalidArgumentError('natsIngress needs servers or a connection', 'servers');
  const stream = options.stream ?? 'BATON_INGRESS';
  const prefix = options.subjectPrefix ?? 'baton.ingress';
  const durable = options.durable ?? 'baton-ingress';
  if (!/^[A-Za-z0-9_-]+$/.test(stream))
    throw new InvalidArgumentError(`stream must match [A-Za-z0-9_-]+, got ${stream}`, 'stream');
  if (!/^[A-Za-z0-9_-]+$/.test(durable))
    throw new InvalidArgumentError(`durable must match [A-Za-z0-9_-]+, got ${durable}`, 'durable');
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix))
    throw new InvalidArgumentError(
      `subjectPrefix must be dot-separated tokens, got ${prefix}`,
      'subjectPrefix',
    );
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const events = new Map((options.events ?? []).map((e) => [`${prefix}.event.${token(e.id)}`, e]));
  const workflows = new Map(
    (options.workflows ?? []).map((w) => [`${prefix}.start.${token(w.name)}`, w]),
  );
  const rt = options.runtime;
  const rejected =
    options.onRejected ??
    ((subject: string, reason: string) =>
      process.emitWarning(`baton ingress: message on ${subject} rejected: ${reason}`));

  let conn: NatsConnection | undefined;
  let owned = false;
  let running = false;
  let loop: Promise<void> | undefined;
  let stopConsuming: (() => void) | undefined;

  const handle = async (m: JsMsg): Promise<Outcome> => {
    const wf = workflows.get(m.subject);
    const type = events.get(m.subject);
    if (!wf && !type) return { kind: 'term', reason: 'no workflow or event type on this subject' };
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(m.data));
    } catch (e) {
      return { kind: 'term', reason: `the body is not JSON (${(e as Error).message})` };
    }
    const msgId = m.headers?.get('Nats-Msg-Id') ?? '';
    // Stable across redeliveries of one message: its id, else its place in the stream.
    const key = msgId !== '' ? `nats:${msgId}` : `nats:${stream}:${m.info.streamSequence}`;
    try {
      if (wf) {
        const runId = m.headers?.get('Baton-Run-Id') ?? '';
        await rt.start(wf, body as never, {
          idempotencyKey: key,
          ...(runId !== '' ? { runId } : {}),
        });
      } else {
        const eventId = m.headers?.get('Baton-Event-Id') ?? '';
        const correlationId = m.headers?.get('Baton-Correlation-Id') ?? '';
        await rt.publish(type!, body as never, {
          eventId: eventId !== '' ? eventId : key,
          ...(correlationId !== '' ? { correlationId } : {}),
        });
      }
      return { kind: 'ack' };
    } catch (e) {
      // Retryable failures (the store unreachable) come back; anything else never succeeds.
      if (isBatonError(e) && !e.retryable)
        return { kind: 'term', reason: `${e.code}: ${e.message}` };
      return { kind: 'nak' };
    }
  };

  return {
    async start() {
      if (running) return;
      try {
        conn = options.connection ?? (await connect({ servers, name: 'baton ingress' }));
        owned = !options.connection;
        const jsm = await jetstreamManager(conn);
        await ensureStream(jsm, { stream, prefix, duplicateWindowMs: 120_000 });
        const config = {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          filter_subject: `${prefix}.>`,
          ack_wait: ackWaitMs * 1_000_000,
        };
        await jsm.consumers.add(stream, config).catch(async () => {
          await jsm.consumers.update(stream, durable, { ack_wait: config.ack_wait });
        });
      } catch (e) {
        if (owned) await conn?.close().catch(() => {});
        throw new StoreUnavailableError(
          `cannot reach NATS at ${servers.join(', ') || 'the given connection'}: ${String(e)}`,
          e,
        );
      }
      const consumer = await jetstream(conn).consumers.get(stream, durable);
      const messages = await consumer.consume({ max_messages: 64 });
      stopConsuming = () => void messages.stop();
      running = true;
      loop = (async () => {
        for await (const m of messages) {
          const outcome = await handle(m);
          if (outcome.kind === 'ack') m.ack();
          else if (outcome.kind === 'nak') m.nak(1000);
          else {
            m.term(outcome.reason);
            rejected(m.subject, outcome.reason);
          }
        }
      })();
    },
    async close() {
      if (!running) return;
      running = false;
      stopConsuming?.();
      await loop?.catch(() => {});
      if (owned) await conn?.drain().catch(() => {});
    },
  };
}
