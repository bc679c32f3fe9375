/**
 * Choreography bench over NATS JetStream: the same three-reactor chain as bench/events.ts, on
 * SQLite (synchronous=FULL) with events travelling through `natsBus` (its own stream, deleted at
 * the end). Events/s and end-to-end latency from publish to the last handler's commit.
 * Usage: npx tsx bench/events-nats.ts [flows=300]   (TEST_NATS_URL, default nats://127.0.0.1:4222)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsBus } from '../src/backends/nats/index.js';
import { sqliteStore } from '../src/backends/sqlite/sqlite-store.js';
import { createRuntime } from '../src/runtime/create-runtime.js';
import { flowReactors, sideEffects } from '../test/events/fixtures/flow.js';
import { deleteStream, NATS_URL, uniqueStream } from '../test/nats/server.js';
import { countFsyncs, countStoreCalls, newCounts } from './event-counters.js';
import { measureFlows } from './event-flows.js';

const flows = Number(process.argv[2] ?? 300);
const counts = newCounts();
countFsyncs(counts);
const dir = mkdtempSync(join(tmpdir(), 'baton-bench-events-nats-'));
const names = uniqueStream('bench');
const store = sqliteStore(join(dir, 'baton.db'), { synchronous: 'FULL' });
// As in bench/events.ts: the reactors' side effects are counted in memory, so both benches
// measure the bus and the store, not an fsync per side effect of the fixture's ledger.
const fx = sideEffects(':memory:');
const rt = createRuntime({
  store,
  reactors: flowReactors(fx),
  bus: natsBus({ servers: NATS_URL, ...names }),
});
try {
  await rt.ready();
  countStoreCalls(store.events, counts);
  const figures = await measureFlows(rt, flows, counts);
  const effects = ['researcher@1.0.0', 'analyst@1.0.0', 'writer@1.0.0'].map((r) => fx.effects(r));
  console.log(
    JSON.stringify({
      bench: 'events-nats',
      store: 'sqlite FULL, NATS JetStream bus',
      effectsPerReactor: effects,
      ...figures,
    }),
  );
} finally {
  await rt.close();
  fx.close();
  await deleteStream(names.stream);
  rmSync(dir, { recursive: true, force: true });
}
