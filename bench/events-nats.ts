/**
 * Choreography bench over NATS JetStream: the same three-reactor chain as bench/events.ts, on
 * SQLite (synchronous=FULL) with events travelling through `natsBus` (its own stream, deleted at
 * the end). Events/s and end-to-end latency from publish to the last handler's commit.
 * Usage: npx tsx bench/events-nats.ts [flows=300] [--quick] [--suite-json]
 * (TEST_NATS_URL, default nats://127.0.0.1:4222; unreachable: with --suite-json a `skipped` line.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsBus } from '../src/backends/nats/index.js';
import { sqliteStore } from '../src/backends/sqlite/sqlite-store.js';
import { createRuntime } from '../src/runtime/create-runtime.js';
import { flowReactors, sideEffects } from '../test/events/fixtures/flow.js';
import { deleteStream, NATS_URL, probeNats, uniqueStream } from '../test/nats/server.js';
import { countFsyncs, countQueries, countStoreCalls, newCounts } from './event-counters.js';
import { flowArgs, measureFlows, REACTORS, suiteLine } from './event-flows.js';

/** The NATS burst target of issue 21. */
export const NATS_TARGET_P99_MS = 50;

const args = flowArgs(process.argv.slice(2));
const probe = await probeNats();
if (!probe.available) {
  const skipped = `NATS at ${NATS_URL} unreachable: ${probe.reason}`;
  if (args.suiteJson)
    console.log(
      `@@bench-suite ${JSON.stringify({ suite: 'choreography', lines: [], targets: [], skipped })}`,
    );
  else console.error(skipped);
  process.exit(args.suiteJson ? 0 : 1);
}
const counts = newCounts();
countFsyncs(counts);
countQueries(counts);
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
  const f = await measureFlows(rt, { ...args, counts, effects: fx });
  if (f.problems.length > 0) {
    console.error(`choreography over NATS did wrong work:\n${f.problems.slice(0, 20).join('\n')}`);
    process.exitCode = 1;
  } else if (args.suiteJson) {
    const line = suiteLine(
      'choreo-nats',
      'choreography over NATS JetStream, SQLite (synchronous=FULL)',
      'sqlite FULL, NATS JetStream bus',
      f,
    );
    const target = {
      target: `choreography over NATS, burst p99 <= ${NATS_TARGET_P99_MS} ms`,
      measured: `${f.burstE2eLatencyMs.p99} ms p99 over ${f.flows} flows (load ${f.loadAvg})`,
      met: f.burstE2eLatencyMs.p99 <= NATS_TARGET_P99_MS,
    };
    console.log(
      `@@bench-suite ${JSON.stringify({ suite: 'choreography', lines: [line], targets: [target] })}`,
    );
  } else {
    const { problems: _none, ...figures } = f;
    const effectsPerReactor = REACTORS.map((r) => fx.effects(r));
    console.log(
      JSON.stringify({
        bench: 'events-nats',
        store: 'sqlite FULL, NATS JetStream bus',
        effectsPerReactor,
        ...figures,
      }),
    );
  }
} finally {
  await rt.close();
  fx.close();
  await deleteStream(names.stream);
  rmSync(dir, { recursive: true, force: true });
}
