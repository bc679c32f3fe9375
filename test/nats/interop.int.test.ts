/**
 * Interop with plain NATS JetStream clients that know nothing of Baton but its wire format
 * (README "NATS wire format"): a raw consumer reads the events Baton publishes, and a raw
 * publisher starts runs and delivers events through `natsIngress()`. The clients below use only
 * the NATS library, raw subjects, headers and JSON bodies — what a Go or Python client would.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import { natsBus, natsIngress } from '../../src/backends/nats/index.js';
import {
  agent,
  contract,
  createRuntime,
  type Runtime,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { flowReactors, ResearchRequested, sideEffects } from '../events/fixtures/flow.js';
import { tempDbPath } from '../support/temp-db.js';
import { deleteStream, describeWithNats, NATS_URL, uniqueStream } from './server.js';

const Order = contract('interop.order@1', z.object({ sku: z.string(), qty: z.number().int() }));
const Priced = contract('interop.priced@1', z.object({ total: z.number() }));
const price = agent({
  name: 'price',
  version: '1.0.0',
  input: Order,
  output: Priced,
  execute: async (o) => ({ total: o.qty * 2.5 }),
});
const pricing = workflow('order-pricing', { version: 1, input: Order })
  .step('price', price, { input: (s) => s.input })
  .output((s) => s.price);

/** Polls until `check` holds (each check a store read), failing after `max` tries. */
async function until(check: () => Promise<boolean>, what: string, max = 1500): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}

describeWithNats('interop with plain NATS JetStream clients', () => {
  let bus: ReturnType<typeof uniqueStream>;
  let ingress: ReturnType<typeof uniqueStream>;
  let dir: ReturnType<typeof tempDbPath>;
  let nc: NatsConnection;
  const closing: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    bus = uniqueStream('bus');
    ingress = uniqueStream('ingress');
    dir = tempDbPath('nats-interop');
    nc = await connect({ servers: NATS_URL });
  });
  afterEach(async () => {
    for (const c of closing.splice(0).reverse()) await c();
    await nc.close();
    await deleteStream(bus.stream);
    await deleteStream(ingress.stream);
    await dir.remove();
  });

  const runtime = (fx?: ReturnType<typeof sideEffects>): Runtime => {
    const rt = createRuntime({
      store: sqliteStore(dir.path),
      workflows: [pricing],
      ...(fx ? { reactors: flowReactors(fx) } : {}),
      bus: natsBus({ servers: NATS_URL, ...bus, ackWaitMs: 2000 }),
    });
    closing.push(() => rt.close());
    return rt;
  };

  it('a raw JetStream consumer reads the events Baton publishes: subject, headers, JSON body', async () => {
    const rt = runtime();
    const { eventId } = await rt.publish(ResearchRequested, { topic: 'reefs' });
    // The send follows the commit: wait until the stream holds it.
    const jsm = await jetstreamManager(nc);
    await until(
      async () => ((await jsm.streams.info(bus.stream).catch(() => null))?.state.messages ?? 0) > 0,
      'the event on the stream',
    );
    // An ordered consumer: no durable state, no Baton code — just the stream.
    const consumer = await jetstream(nc).consumers.get(bus.stream);
    const m = await consumer.next({ expires: 5000 });
    expect(m).not.toBeNull();
    expect(m!.subject).toBe(`${bus.subjectPrefix}.research~requested@1.e`);
    expect(m!.headers?.get('Nats-Msg-Id')).toBe(eventId);
    expect(m!.headers?.get('Baton-Event-Id')).toBe(eventId);
    expect(m!.headers?.get('Baton-Event-Type')).toBe('research.requested@1');
    const body = m!.json<{ eventId: string; type: string; payload: string }>();
    expect(body).toMatchObject({ eventId, type: 'research.requested@1' });
    expect(JSON.parse(body.payload)).toEqual({ topic: 'reefs' });
  });

  it('a raw publisher starts a run and feeds a Baton reactor flow through the ingress', async () => {
    const fx = sideEffects(`${dir.path}.effects`);
    closing.push(async () => fx.close());
    const rt = runtime(fx);
    const rejected: string[] = [];
    const gate = natsIngress({
      runtime: rt,
      workflows: [pricing],
      events: [ResearchRequested],
      servers: NATS_URL,
      ...ingress,
      durable: 'ingress-test',
      onRejected: (subject, reason) => rejected.push(`${subject}: ${reason}`),
    });
    await gate.start();
    closing.push(() => gate.close());
    const js = jetstream(nc);

    // Start a run: the input as JSON, the run id in a header.
    const h = headers();
    h.set('Baton-Run-Id', 'order-77');
    await js.publish(
      `${ingress.subjectPrefix}.start.order-pricing`,
      JSON.stringify({ sku: 'A1', qty: 4 }),
      {
        msgID: 'client-msg-1',
        headers: h,
      },
    );
    // A message no one can handle is terminated and reported, and does not block the next.
    await js.publish(`${ingress.subjectPrefix}.event.research~requested@1`, 'not json', {
      msgID: 'client-msg-2',
    });
    const e = headers();
    e.set('Baton-Event-Id', 'ext-evt-1');
    await js.publish(
      `${ingress.subjectPrefix}.event.research~requested@1`,
      JSON.stringify({ topic: 'tides' }),
      { msgID: 'client-msg-3', headers: e },
    );

    await until(async () => (await rt.listRuns({})).some((r) => r.runId === 'order-77'), 'run');
    expect(await (await rt.handle('order-77')).result()).toEqual({ total: 10 });
    await until(
      async () => (await rt.eventTrace('ext-evt-1')).eventCount >= 4,
      'the flow from the external event',
    );
    await rt.eventsSettled();
    expect(fx.effects('researcher@1.0.0')).toBe(1);
    expect(fx.effects('writer@1.0.0')).toBe(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toContain(
      `${ingress.subjectPrefix}.event.research~requested@1: the body is not JSON`,
    );
  });

  it('terminates a message that violates the contract, naming it, and starts nothing', async () => {
    const rt = runtime();
    const rejected: string[] = [];
    const gate = natsIngress({
      runtime: rt,
      workflows: [pricing],
      servers: NATS_URL,
      ...ingress,
      onRejected: (_s, reason) => rejected.push(reason),
    });
    await gate.start();
    closing.push(() => gate.close());
    await jetstream(nc).publish(
      `${ingress.subjectPrefix}.start.order-pricing`,
      JSON.stringify({ sku: 'A1', qty: 'four' }),
    );
    await until(async () => rejected.length > 0, 'the rejection');
    expect(rejected[0]).toContain('CONTRACT_VIOLATION');
    expect(await rt.listRuns({})).toEqual([]);
  });
});
