/**
 * Choreography bench: events/s through the three-reactor chain (research → analysis → report)
 * on the embedded bus over SQLite (synchronous=FULL), and end-to-end latency from publish to the
 * last handler's commit (p50/p99), read from the stored delivery rows.
 * Usage: npx tsx bench/events.ts [flows=300]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '../src/orchestrator/runtime.js';
import { sqliteStore } from '../src/state/sqlite/sqlite-store.js';
import { flowReactors, ResearchRequested, sideEffects } from '../test/events/fixtures/flow.js';

const flows = Number(process.argv[2] ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'baton-bench-events-'));
const store = sqliteStore(join(dir, 'baton.db'), { synchronous: 'FULL' });
const fx = sideEffects(join(dir, 'effects.db'));
const rt = createRuntime({ store, reactors: flowReactors(fx), pollMs: 1000 });
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
  const last = trace.lastActivityAt - trace.startedAt;
  latencies.push(last);
}
// Unloaded latency too: one flow at a time.
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
const pct = (p: number): number => at(latencies, p);
const handled = flows * 3;
console.log(
  JSON.stringify({
    bench: 'events',
    store: 'sqlite FULL, embedded bus',
    flows,
    handledEvents: handled,
    storedEvents: flows * 4,
    seconds: Number(seconds.toFixed(3)),
    handledPerSecond: Math.round(handled / seconds),
    burstE2eLatencyMs: { p50: pct(0.5), p99: pct(0.99), max: latencies.at(-1) },
    singleFlowE2eLatencyMs: { p50: at(single, 0.5), p99: at(single, 0.99) },
  }),
);
await rt.close();
fx.close();
rmSync(dir, { recursive: true, force: true });
