import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/backends/memory/memory-store.js';
import { natsBus } from '../../src/backends/nats/index.js';
import { sqliteStore } from '../../src/backends/sqlite/sqlite-store.js';
import type { BusContext } from '../../src/choreography/bus.js';
import { isInvalidArgumentError, isStoreUnavailableError } from '../../src/errors.js';
import { systemClock } from '../../src/resilience/clock.js';
import { createRuntime } from '../../src/runtime/create-runtime.js';
import type { Runtime } from '../../src/runtime/runtime-types.js';
import { flowReactors, ResearchRequested, sideEffects } from '../events/fixtures/flow.js';
import { tempDbPath } from '../support/temp-db.js';
import { deleteStream, describeWithNats, NATS_URL, uniqueStream } from './server.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const context = (): BusContext => ({
  store: memoryStore().events!,
  clock: systemClock,
  logger: silent,
  owner: 'test',
});

async function withManager<T>(
  body: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>,
): Promise<T> {
  const nc = await connect({ servers: NATS_URL });
  try {
    return await body(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

describeWithNats('natsBus on a real JetStream server', () => {
  let names: ReturnType<typeof uniqueStream>;
  let dir: ReturnType<typeof tempDbPath>;
  const runtimes: Runtime[] = [];
  beforeEach(() => {
    names = uniqueStream('bus');
    dir = tempDbPath('nats-bus');
  });
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.close()));
    await deleteStream(names.stream);
    await dir.remove();
  });

  it('creates the stream and one durable consumer per reactor, and acks every message after the flow', async () => {
    const fx = sideEffects(`${dir.path}.effects`);
    const rt = createRuntime({
      store: sqliteStore(dir.path),
      reactors: flowReactors(fx),
      bus: natsBus({ servers: NATS_URL, ...names, ackWaitMs: 2000 }),
    });
    runtimes.push(rt);
    const { eventId } = await rt.publish(ResearchRequested, { topic: 'reefs' });
    await rt.eventsSettled();
    fx.close();
    await withManager(async (jsm) => {
      const info = await jsm.streams.info(names.stream);
      expect(info.config.subjects).toEqual([`${names.subjectPrefix}.>`]);
      expect(info.state.messages).toBe(4);
      const first = await jsm.streams.getMessage(names.stream, { seq: 1 });
      // The message id is the event id: a republish within the window is dropped.
      expect(first?.header.get('Nats-Msg-Id')).toBe(eventId);
      expect(first?.subject).toBe(`${names.subjectPrefix}.research~requested@1.e`);
      const consumers: string[] = [];
      for await (const c of jsm.consumers.list(names.stream)) {
        consumers.push(c.name);
        expect(c.num_pending).toBe(0);
        expect(c.num_ack_pending).toBe(0);
        expect(c.config.ack_wait).toBe(2000 * 1_000_000);
      }
      expect(consumers.sort()).toEqual([
        '_24compensator',
        'analyst@1~0~0',
        'researcher@1~0~0',
        'writer@1~0~0',
      ]);
    });
  });

  it('shares the work of two runtimes on one stream: every effect once, every flow complete', async () => {
    const fx = sideEffects(`${dir.path}.effects`);
    const make = (owner: string) =>
      createRuntime({
        store: sqliteStore(dir.path),
        owner,
        reactors: flowReactors(fx),
        bus: natsBus({ servers: NATS_URL, ...names, ackWaitMs: 2000 }),
      });
    const a = make('a');
    const b = make('b');
    runtimes.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const flows = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).publish(ResearchRequested, { topic: `t${i}` }),
      ),
    );
    await Promise.all([a.eventsSettled(), b.eventsSettled()]);
    for (const id of ['researcher@1.0.0', 'analyst@1.0.0', 'writer@1.0.0']) {
      expect(fx.effects(id)).toBe(20);
      expect(fx.calls(id)).toBe(20);
    }
    fx.close();
    for (const f of flows) expect((await a.eventTrace(f.correlationId)).eventCount).toBe(4);
  });

  it('refuses an existing stream that does not capture its subjects, naming the stream', async () => {
    await withManager((jsm) =>
      jsm.streams.add({ name: names.stream, subjects: [`${names.subjectPrefix}_other.>`] }),
    );
    const bus = natsBus({ servers: NATS_URL, ...names });
    const err = await bus.start(context()).catch((e: unknown) => e);
    await bus.close();
    expect(isInvalidArgumentError(err)).toBe(true);
    expect(String((err as Error).message)).toContain(names.stream);
  });
});

describe('natsBus without a server', () => {
  it('fails to start with StoreUnavailableError naming the URL', async () => {
    const bus = natsBus({ servers: 'nats://127.0.0.1:1' });
    const err = await bus.start(context()).catch((e: unknown) => e);
    await bus.close();
    expect(isStoreUnavailableError(err)).toBe(true);
    expect(String((err as Error).message)).toContain('nats://127.0.0.1:1');
  });
});
