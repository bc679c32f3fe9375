/**
 * Runtimes and NATS JetStream with a faulty network between them (test/support/fault-proxy.ts):
 * two runtimes share one store and one stream, every NATS connection through the proxy, while
 * a burst of flows is published and the proxy resets every connection, then stalls half-open.
 * The documented promise is at-least-once delivery with the effect once (inbox and outbox
 * commit with the handling): every flow completes, every reactor's keyed effect happens exactly
 * once per event, and settling waits no longer than the bus's timeouts allow.
 */
import { afterEach, expect, it } from 'vitest';
import { natsBus } from '../../src/backends/nats/index.js';
import { sqliteStore } from '../../src/backends/sqlite/sqlite-store.js';
import { createRuntime } from '../../src/runtime/create-runtime.js';
import type { Runtime } from '../../src/runtime/runtime-types.js';
import { flowReactors, ResearchRequested, sideEffects } from '../events/fixtures/flow.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { tempDbPath } from '../support/temp-db.js';
import { deleteStream, describeWithNats, NATS_URL, uniqueStream } from './server.js';

const ACK_WAIT_MS = 2000;
/** JetStream publish and API requests time out after this (the client's default). */
const REQUEST_TIMEOUT_MS = 5000;
/** The longest settling may take once the network is healthy again. */
const SETTLE_MS = ACK_WAIT_MS * 4 + REQUEST_TIMEOUT_MS * 2;
const FLOWS = 40;
/** The NATS client retries a lost server every 2 s (its default), with jitter. */
const RECONNECT_MS = 2000 * 3;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** Rejects naming `what` when `p` takes longer than `ms`. */
function within<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describeWithNats('choreography over NATS through a fault proxy', () => {
  it('handles every event of a burst with its effect once while connections are reset and stalled', async () => {
    const names = uniqueStream('faults');
    cleanups.push(() => deleteStream(names.stream));
    const dir = tempDbPath('nats-faults');
    cleanups.push(() => dir.remove());
    const nats = new URL(NATS_URL);
    const proxy = await startFaultProxy({
      host: nats.hostname,
      port: Number(nats.port || 4222),
    });
    cleanups.push(() => proxy.close());
    const fx = sideEffects(`${dir.path}.effects`);
    cleanups.push(async () => fx.close());
    const errors: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error: (m: string) => void errors.push(m),
    };
    const make = (owner: string): Runtime => {
      const rt = createRuntime({
        store: sqliteStore(dir.path),
        owner,
        reactors: flowReactors(fx),
        logger,
        bus: natsBus({
          servers: `nats://127.0.0.1:${proxy.port}`,
          ...names,
          ackWaitMs: ACK_WAIT_MS,
        }),
      });
      cleanups.push(() => rt.close());
      return rt;
    };
    const a = make('a');
    const b = make('b');
    await Promise.all([a.ready(), b.ready()]);

    const flows: Promise<{ correlationId: string }>[] = [];
    const publish = (i: number) =>
      flows.push((i % 2 ? a : b).publish(ResearchRequested, { topic: `t${i}` }));
    for (let i = 0; i < FLOWS / 4; i++) publish(i);
    // Mid-burst: every NATS connection reset (consumers and publishers reconnect).
    const connections = proxy.resetAll();
    expect(connections).toBeGreaterThan(0);
    for (let i = FLOWS / 4; i < FLOWS / 2; i++) publish(i);
    await within(
      'the runtimes to reconnect',
      (async () => {
        while (proxy.open() < connections) await new Promise((r) => setTimeout(r, 25));
      })(),
      RECONNECT_MS,
    );
    // A half-open partition while the rest of the burst is published, held until a send failed.
    proxy.mode('stall');
    for (let i = FLOWS / 2; i < FLOWS; i++) publish(i);
    const published = await Promise.all(flows);
    await within(
      'a NATS send to fail during the stall',
      (async () => {
        while (!errors.some((m) => m.includes('not sent on NATS')))
          await new Promise((r) => setTimeout(r, 25));
      })(),
      REQUEST_TIMEOUT_MS * 3,
    );
    proxy.mode('pass');
    await within(
      'both runtimes to settle',
      Promise.all([a.eventsSettled(), b.eventsSettled()]),
      SETTLE_MS,
    );

    for (const id of ['researcher@1.0.0', 'analyst@1.0.0', 'writer@1.0.0']) {
      // The effect once per event (keyed by the idempotency key), the handler at least once.
      expect(fx.effects(id), id).toBe(FLOWS);
      expect(fx.calls(id), id).toBeGreaterThanOrEqual(FLOWS);
    }
    for (const f of published) expect((await a.eventTrace(f.correlationId)).eventCount).toBe(4);
    expect(proxy.stats.reset).toBeGreaterThan(0);
    expect(proxy.stats.held).toBeGreaterThan(0);
  }, 120_000);
});
