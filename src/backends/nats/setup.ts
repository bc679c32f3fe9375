/**
 * The JetStream layout of the NATS bus: subject and durable names, and the stream and consumer
 * configurations created or verified at start.
 *
 * Invariants:
 * - One event = one subject `<prefix>.<type token>.<e|f>` (`f` for failure events), so a
 *   reactor's consumer takes its type with ONE filter (`<prefix>.<type token>.*`) and the
 *   compensator takes every failure event with ONE filter (`<prefix>.*.f`): servers before 2.10
 *   accept a single filter subject per consumer.
 * - Tokens are injective: `.` becomes `~` (never in a Baton name) and any other character outside
 *   `[A-Za-z0-9@+-]` (`_` included) is escaped as `_XX`, so two types or two consumers never
 *   share a name. No `%` or `$`: durable names end up in ack subjects, where the server
 *   mangles `%`.
 * - An existing stream is used only if it captures `<prefix>.>` and keeps messages for several
 *   consumers (not a work queue); anything else is refused with a message naming the stream.
 */
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import type { ConsumerSpec } from '../../choreography/bus.js';
import { InvalidArgumentError } from '../../errors.js';

/** Encodes a Baton name as one subject token / durable name. */
export function token(name: string): string {
  let out = '';
  for (const ch of name) {
    if (ch === '.') out += '~';
    else if (/^[A-Za-z0-9@+-]$/.test(ch)) out += ch;
    else
      out += [...Buffer.from(ch, 'utf8')]
        .map((b) => `_${b.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('');
  }
  return out;
}

/** The subject an event travels on. */
export function eventSubject(prefix: string, type: string, failure: boolean): string {
  return `${prefix}.${token(type)}.${failure ? 'f' : 'e'}`;
}

/** The one filter subject of a consumer; `local` types are checked on arrival when it is broad. */
export function consumerFilter(
  prefix: string,
  spec: ConsumerSpec,
): { filter: string; local: ReadonlySet<string> | null } {
  const { match } = spec;
  if ('failures' in match) return { filter: `${prefix}.*.f`, local: null };
  const [only, ...rest] = match.types;
  if (only !== undefined && rest.length === 0)
    return { filter: `${prefix}.${token(only)}.*`, local: null };
  // Several types need several filters (server 2.10+); take everything and filter here.
  return { filter: `${prefix}.>`, local: new Set(match.types) };
}

/** What the bus needs from its stream. */
export interface StreamLayout {
  readonly stream: string;
  readonly prefix: string;
  readonly duplicateWindowMs: number;
}

/**
 * Creates the stream, or verifies an existing one.
 * @throws InvalidArgumentError when an existing stream cannot carry Baton's events.
 */
export async function ensureStream(jsm: JetStreamManager, layout: StreamLayout): Promise<void> {
  const { stream, prefix } = layout;
  const wanted = `${prefix}.>`;
  const existing = await jsm.streams.info(stream).catch((e: unknown) => {
    if (isNotFound(e, 10059)) return null;
    throw e;
  });
  if (!existing) {
    await jsm.streams.add({
      name: stream,
      subjects: [wanted],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: layout.duplicateWindowMs * 1_000_000,
      description: 'Baton choreography events (the store stays the source of truth)',
    });
    return;
  }
  const { subjects = [], retention } = existing.config;
  if (!subjects.includes(wanted) && !subjects.includes('>')) {
    throw new InvalidArgumentError(
      `NATS stream '${stream}' exists with subjects [${subjects.join(', ')}], which do not capture '${wanted}'; choose another stream or subjectPrefix`,
      'stream',
    );
  }
  if (retention === RetentionPolicy.Workqueue) {
    throw new InvalidArgumentError(
      `NATS stream '${stream}' is a work queue, but every reactor needs its own copy of an event; use a stream with limits or interest retention`,
      'stream',
    );
  }
}

/** Consumer settings derived from the bus options. */
export interface ConsumerLayout {
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly maxAckPending: number;
}

/** Creates a reactor's durable pull consumer, or updates it to the wanted settings. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  filter: string,
  spec: ConsumerSpec,
  layout: ConsumerLayout,
): Promise<void> {
  const config = {
    durable_name: durable,
    description: `Baton consumer ${spec.name}`,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: filter,
    ack_wait: layout.ackWaitMs * 1_000_000,
    max_deliver: layout.maxDeliver,
    max_ack_pending: layout.maxAckPending,
  };
  const existing = await jsm.consumers.info(stream, durable).catch((e: unknown) => {
    if (isNotFound(e, 10014)) return null;
    throw e;
  });
  if (!existing) {
    await jsm.consumers.add(stream, config);
    return;
  }
  const c = existing.config;
  if (
    c.filter_subject !== filter ||
    c.ack_wait !== config.ack_wait ||
    c.max_deliver !== config.max_deliver ||
    c.max_ack_pending !== config.max_ack_pending
  ) {
    // A restarted process with new settings: the durable keeps its position and pending acks.
    const { durable_name: _name, deliver_policy: _policy, ack_policy: _ack, ...update } = config;
    await jsm.consumers.update(stream, durable, update);
  }
}

function isNotFound(e: unknown, apiCode: number): boolean {
  const err = e as { code?: unknown; name?: unknown; message?: unknown };
  return err?.code === apiCode || /not found/i.test(String(err?.message ?? ''));
}
