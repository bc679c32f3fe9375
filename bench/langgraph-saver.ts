/**
 * The cost of Baton's guarantees under LangGraph: the reference workload's graph (bench/langgraph.ts)
 * checkpointed by BatonSaver beside LangGraph's own savers, same graph, same applications.
 * Run: `npm run bench:langgraph` (or `npx tsx bench/langgraph-saver.ts --quick`).
 *
 * Lines:
 * - durable: BatonSaver on `sqliteStore(file)` (Baton's default: synchronous=FULL, WAL fsynced
 *   on the thread pool before each append resolves) vs `SqliteSaver` on a file (WAL,
 *   synchronous=FULL, as bench/langgraph.ts);
 * - in memory: BatonSaver on `memoryStore()` vs LangGraph's `MemorySaver` (the saver's own
 *   overhead: serialization, hashing, the ledger layout).
 *
 * Every decision is checked against the oracle (warm-up included), and each durable file is
 * checked afterwards to hold one thread per run. Measurements alternate between the savers on
 * fresh stores; the table shows the median of the repetitions and the min-max.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { MemorySaver } from '@langchain/langgraph-checkpoint';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import Database from 'better-sqlite3';
import { memoryStore, type StateStore, sqliteStore } from '../src/index.js';
import { BatonSaver } from '../src/langgraph/index.js';
import { buildGraph, verifyLangGraphFile } from './langgraph.js';
import {
  type App,
  generateApplications,
  runPool,
  type StepMode,
  verifyDecisions,
} from './workload.js';

const quick = process.argv.includes('--quick');
const REPEATS = quick ? 1 : 3;

interface Line {
  readonly name: string;
  readonly mode: StepMode;
  readonly inFlight: number;
  readonly durable: boolean;
  /** Timed runs per measurement [full, quick]. */
  readonly runs: readonly [number, number];
}

const LINES: readonly Line[] = [
  { name: 'sqlite-trivial-1', mode: 'trivial', inFlight: 1, durable: true, runs: [200, 60] },
  { name: 'sqlite-trivial-64', mode: 'trivial', inFlight: 64, durable: true, runs: [1_000, 300] },
  { name: 'sqlite-io-64', mode: 'io', inFlight: 64, durable: true, runs: [1_000, 300] },
  { name: 'mem-trivial-64', mode: 'trivial', inFlight: 64, durable: false, runs: [2_000, 300] },
];

/** A saver under test, with what closes it and checks what it stored. */
interface Subject {
  readonly saver: BaseCheckpointSaver;
  readonly close: () => Promise<void>;
  readonly verify: (runs: number) => Promise<void>;
}

type SaverName = 'BatonSaver' | 'LangGraph';

function subject(name: SaverName, durable: boolean, path: string): Subject {
  if (name === 'BatonSaver') {
    const store: StateStore = durable ? sqliteStore(path) : memoryStore();
    return {
      saver: new BatonSaver(store, { graph: 'credit' }),
      close: () => store.close(),
      verify: async (runs) => {
        if (!durable) return;
        const check = sqliteStore(path);
        await check.migrate();
        const threads = await check.listRuns({ workflow: 'langgraph:credit' });
        await check.close();
        if (threads.length !== runs)
          throw new Error(`${path}: ${threads.length} threads, expected ${runs}`);
      },
    };
  }
  if (!durable) return { saver: new MemorySaver(), close: async () => {}, verify: async () => {} };
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return {
    saver: new SqliteSaver(db),
    close: async () => {
      db.close();
    },
    verify: async (runs) => verifyLangGraphFile(path, runs),
  };
}

/** One measurement: warm-up, then `total` timed runs; returns runs/s. */
async function measure(name: SaverName, line: Line, path: string, seed: number): Promise<number> {
  const total = line.runs[quick ? 1 : 0];
  const warm = Math.min(64, total);
  const apps: App[] = generateApplications(seed, warm + total);
  const s = subject(name, line.durable, path);
  const graph = buildGraph({ mode: line.mode }).compile({ checkpointer: s.saver });
  const decisions = new Array(apps.length);
  const run = async (i: number) => {
    const out = await graph.invoke({ app: apps[i]! }, { configurable: { thread_id: `run-${i}` } });
    decisions[i] = out.decision;
  };
  await runPool(warm, line.inFlight, run);
  const start = performance.now();
  await runPool(total, line.inFlight, (i) => run(warm + i));
  const seconds = (performance.now() - start) / 1000;
  await s.close();
  verifyDecisions(`${name} ${line.name}`, apps, decisions);
  await s.verify(apps.length);
  return total / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-langgraph-'));
  let files = 0;
  const rows: string[][] = [];
  try {
    for (const line of LINES) {
      const result: Record<SaverName, number[]> = { BatonSaver: [], LangGraph: [] };
      for (let r = 0; r < REPEATS; r++) {
        // Alternate which saver goes first, so drift on the machine hits both alike.
        const order: SaverName[] =
          r % 2 === 0 ? ['BatonSaver', 'LangGraph'] : ['LangGraph', 'BatonSaver'];
        for (const name of order) {
          result[name].push(await measure(name, line, join(dir, `${files++}.db`), 1000 + r));
        }
      }
      const [b, l] = [median(result.BatonSaver), median(result.LangGraph)];
      const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
      rows.push([
        line.name,
        line.durable ? 'SqliteSaver' : 'MemorySaver',
        `${fmt(b)} (${range(result.BatonSaver)})`,
        `${fmt(l)} (${range(result.LangGraph)})`,
        (b / l).toFixed(2),
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const header = [
    'line',
    'LangGraph saver',
    'BatonSaver runs/s',
    'LangGraph saver runs/s',
    'ratio',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const out = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    `Node ${process.version}, ${quick ? 'quick' : `median of ${REPEATS}`}; LangGraph.js graph of the reference workload, a thread per run`,
  );
  console.log(out(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(out(r));
}

await main();
