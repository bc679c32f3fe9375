/**
 * Choreography bench over NATS JetStream: the same three-reactor chain as bench/events.ts, on
 * SQLite (synchronous=FULL) with events travelling through `natsBus` (its own stream, deleted at
 * the end). Events/s and end-to-end latency from publish to the last handler's commit.
 * Usage: npx tsx bench/events-nats.ts [flows=300]   (TEST_NATS_URL, default nats://127.0.0.1:4222)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsBus } from '../src/nats/index.js';
import { createRuntime } from '../src/orchestrator/runtime.js';
import { sqliteStore } from '../src/state/sqlite/sqlite-store.js';
import { flowReactors, ResearchRequested, sideEffects } from '../test/events/fixtures/flow.js';
import { deleteStream, NATS_URL, uniqueStream } from '../test/nats/server.js';

const flows = Number(process.argv[2] ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'baton-bench-events-nats-'));
const names = uniqueStream('bench');
const store = sqliteStore(join(dir, 'baton.db'), { synchronous: 'FULL' });
const fx = sideEffects(join(dir, 'effects.db'));
const rt = createRuntime({
  store,
  reactors: flowReactors(fx),
  bus: natsBus({ servers: NATS_URL, ...names }),
});
try {
  await rt.ready();
  const t0 = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < flows; i++)
    ids.push((await rt.publish(ResearchRequested, { topic: `t${i}` })).correlationId);
  await rt.eventsSettled();
  const seconds = (performance.now() - t0) / 1000;

  const latencies: number[] = [];
  for (const id of ids) {
    const trace = await rt.eventTrace(id);
    latencies.push(trace.lastActivityAt - trace.startedAt);
  }
  const single: number[] = [];
  for (let i = 0; i < 50; i++) {
    const { correlationId } = await rt.publish(ResearchRequested, { topic: `s${i}` });
    await rt.eventsSettled();
    const trace = await rt.eventTrace(correlationId);
    single.push(trace.lastActivityAt - trace.startedAt);
  }
  single.sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  const at = (xs: number[], p: number): number =>
    xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  const handled = flows * 3;
  const effects = ['researcher@1.0.0', 'analyst@1.0.0', 'writer@1.0.0'].map((r) => fx.effects(r));
  console.log(
    JSON.stringify({
      bench: 'events-nats',
      store: 'sqlite FULL, NATS JetStream bus',
      flows,
      handledEvents: handled,
      effectsPerReactor: effects,
      seconds: Number(seconds.toFixed(3)),
      handledPerSecond: Math.round(handled / seconds),
      burstE2eLatencyMs: {
        p50: at(latencies, 0.5),
        p99: at(latencies, 0.99),
        max: latencies.at(-1),
      },
      singleFlowE2eLatencyMs: { p50: at(single, 0.5), p99: at(single, 0.99) },
    }),
  );
} finally {
  await rt.close();
  fx.close();
  await deleteStream(names.stream);
  rmSync(dir, { recursive: true, force: true });
}
