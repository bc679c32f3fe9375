/**
 * Choreography bench: events/s through the three-reactor chain (research → analysis → report)
 * on the embedded bus over SQLite (synchronous=FULL), and end-to-end latency from publish to the
 * last handler's commit (p50/p99), read from the stored delivery rows.
 * Usage: npx tsx bench/events.ts [flows=300]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore } from '../src/backends/sqlite/sqlite-store.js';
import { createRuntime } from '../src/runtime/create-runtime.js';
import { flowReactors, sideEffects } from '../test/events/fixtures/flow.js';
import { countFsyncs, countStoreCalls, newCounts } from './event-counters.js';
import { measureFlows } from './event-flows.js';

const flows = Number(process.argv[2] ?? 300);
const counts = newCounts();
countFsyncs(counts);
const dir = mkdtempSync(join(tmpdir(), 'baton-bench-events-'));
const store = sqliteStore(join(dir, 'baton.db'), { synchronous: 'FULL' });
// The reactors' own side effects are counted in memory: the bench measures the bus and the
// store, not an fsync per side effect of the flow's fixture ledger.
const fx = sideEffects(':memory:');
const rt = createRuntime({ store, reactors: flowReactors(fx), pollMs: 1000 });
await rt.ready();
countStoreCalls(store.events, counts);

const figures = await measureFlows(rt, flows, counts);
console.log(
  JSON.stringify({
    bench: 'events',
    store: 'sqlite FULL, embedded bus',
    storedEvents: flows * 4,
    ...figures,
  }),
);
await rt.close();
fx.close();
rmSync(dir, { recursive: true, force: true });
