/**
 * Choreography bench: events/s through the three-reactor chain (research → analysis → report)
 * on the embedded bus over SQLite (synchronous=FULL), and end-to-end latency from publish to the
 * last handler's commit (p50/p99), read from the stored delivery rows.
 * Usage: npx tsx bench/events.ts [flows=300] [--quick] [--suite-json]
 * (`--suite-json`: the `@@bench-suite` line of bench/README.md as the last line; `--quick`: 100 flows.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore } from '../src/backends/sqlite/sqlite-store.js';
import { createRuntime } from '../src/runtime/create-runtime.js';
import { flowReactors, sideEffects } from '../test/events/fixtures/flow.js';
import { countFsyncs, countQueries, countStoreCalls, newCounts } from './event-counters.js';
import { flowArgs, measureFlows, suiteLine } from './event-flows.js';

/** The SQLite target of issue 21. */
export const SQLITE_TARGET_EVENTS_PER_SEC = 5000;

const args = flowArgs(process.argv.slice(2));
const counts = newCounts();
countFsyncs(counts);
countQueries(counts);
const dir = mkdtempSync(join(tmpdir(), 'baton-bench-events-'));
const store = sqliteStore(join(dir, 'baton.db'), { synchronous: 'FULL' });
// The reactors' own side effects are counted in memory: the bench measures the bus and the
// store, not an fsync per side effect of the flow's fixture ledger.
const fx = sideEffects(':memory:');
const rt = createRuntime({ store, reactors: flowReactors(fx), pollMs: 1000 });
try {
  await rt.ready();
  countStoreCalls(store.events, counts);
  const f = await measureFlows(rt, { ...args, counts, effects: fx });
  if (f.problems.length > 0) {
    console.error(`choreography on SQLite did wrong work:\n${f.problems.slice(0, 20).join('\n')}`);
    process.exitCode = 1;
  } else if (args.suiteJson) {
    const line = suiteLine(
      'choreo-sqlite',
      'choreography, SQLite (synchronous=FULL), embedded bus',
      'sqlite FULL, embedded bus',
      f,
    );
    const target = {
      target: `choreography on SQLite >= ${SQLITE_TARGET_EVENTS_PER_SEC} handled events/s`,
      measured: `${f.handledPerSecond} events/s (load ${f.loadAvg})`,
      met: f.handledPerSecond >= SQLITE_TARGET_EVENTS_PER_SEC,
    };
    console.log(
      `@@bench-suite ${JSON.stringify({ suite: 'choreography', lines: [line], targets: [target] })}`,
    );
  } else {
    const { problems: _none, ...figures } = f;
    console.log(
      JSON.stringify({
        bench: 'events',
        store: 'sqlite FULL, embedded bus',
        storedEvents: (2 * f.flows + args.singles) * 4, // warm-up burst, burst, singles
        ...figures,
      }),
    );
  }
} finally {
  await rt.close();
  fx.close();
  rmSync(dir, { recursive: true, force: true });
}
