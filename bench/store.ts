/**
 * Store throughput: appends/s for the memory and SQLite ledgers, one append per transaction and
 * group-committed, side by side with raw better-sqlite3 inserting the same rows into an
 * equivalent table. Run: `npx tsx bench/store.ts` (optionally `--quick`).
 *
 * Every append is a real compare-and-append of one new ~300-byte version (built and hashed with
 * buildVersion before the clock starts, so both sides insert identical rows). Baton's figure
 * includes what raw inserts skip: the head/lease check, the head update and the outcome objects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { memoryStore } from '../src/backends/memory/memory-store.js';
import { sqliteStore } from '../src/backends/sqlite/sqlite-store.js';
import { MIGRATIONS } from '../src/ledger/migrations.js';
import type { StateStore } from '../src/ledger/store.js';
import type { RunWrite, VersionRecord } from '../src/ledger/types.js';
import { nextVersion, sampleRun } from '../src/testing/state-store-fixtures.js';

type Sync = 'FULL' | 'NORMAL';

const quick = process.argv.includes('--quick');
const BATCHES = [1, 64, 512] as const;
/** Each case runs this many times; the table shows the median. */
const REPEATS = quick ? 1 : 3;
/** Appends measured per case: enough for a stable figure, small enough for fsync-bound cases. */
const TOTALS: Record<number, number> = quick
  ? { 1: 300, 64: 6_400, 512: 20_480 }
  : { 1: 1_000, 64: 12_800, 512: 51_200 };

/** A ~300-byte slot value, like a credit agent's output. */
function payload(i: number) {
  return {
    applicationId: `app-${i.toString().padStart(8, '0')}`,
    score: 300 + (i % 550),
    band: ['A', 'B', 'C', 'D'][i % 4] ?? 'A',
    confidence: 0.9,
    reasons: ['payment history', 'credit utilisation', 'length of history'],
    model: 'credit-score@1.0.0',
    notes: 'x'.repeat(120),
  };
}

/** Prebuilds `total` appends spread over `runs` runs, chained per run, grouped into commits. */
function plan(heads: VersionRecord[], total: number, batch: number): RunWrite[][] {
  const commits: RunWrite[][] = [];
  for (let i = 0; i < total; i += batch) {
    const writes: RunWrite[] = [];
    for (let j = 0; j < batch && i + j < total; j++) {
      const r = (i + j) % heads.length;
      const head = heads[r]!;
      const v = nextVersion(head, 'score', payload(i + j));
      heads[r] = v;
      writes.push({ runId: v.runId, expectedVersion: head.version, versions: [v] });
    }
    commits.push(writes);
  }
  return commits;
}

async function benchBaton(store: StateStore, batch: number, total: number): Promise<number> {
  await store.migrate();
  const runs = Math.max(batch, 8);
  const heads: VersionRecord[] = [];
  for (let r = 0; r < runs; r++) {
    const init = sampleRun(`run-${batch}-${r}`);
    await store.createRun(init);
    heads.push(init.firstVersion);
  }
  const commits = plan(heads, total, batch);
  const start = performance.now();
  for (const writes of commits) {
    const outcomes = await store.commit(writes);
    for (const o of outcomes) if (!o.ok) throw o.error;
  }
  const seconds = (performance.now() - start) / 1000;
  await store.close();
  return total / seconds;
}

function benchRaw(path: string, sync: Sync, batch: number, total: number): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync}`);
  const ddl = MIGRATIONS[0]!.sqlite.find((s) => s.includes('CREATE TABLE versions'))!;
  db.exec(ddl);
  const insert = db.prepare(
    'INSERT INTO versions (run_id, version, step, kind, payload, created_by, input_version, contract, tag, created_at, trace_id, hash, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const heads = Array.from({ length: Math.max(batch, 8) }, (_, r) => {
    return sampleRun(`raw-${batch}-${r}`).firstVersion;
  });
  const rows = plan(heads, total, batch).map((writes) => writes.map((w) => w.versions![0]!));
  const tx = db.transaction((vs: VersionRecord[]) => {
    for (const v of vs) {
      insert.run(
        v.runId,
        v.version,
        v.step,
        v.kind,
        v.payload,
        v.createdBy,
        v.inputVersion,
        v.contract,
        v.tag,
        v.createdAt,
        v.traceId,
        v.hash,
        v.prevHash,
      );
    }
  });
  const start = performance.now();
  for (const vs of rows) tx.immediate(vs);
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return total / seconds;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Median of the repeats: one slow outlier (a checkpoint, a noisy neighbour) does not skew it. */
function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-store-'));
  let files = 0;
  const file = () => join(dir, `${files++}.db`);
  const rows: string[][] = [];
  try {
    for (const batch of BATCHES) {
      const runs: number[] = [];
      for (let r = 0; r < REPEATS; r++)
        runs.push(await benchBaton(memoryStore(), batch, TOTALS[batch]!));
      rows.push(['memory', String(batch), fmt(median(runs)), '-', '-']);
    }
    for (const sync of ['FULL', 'NORMAL'] as const) {
      for (const batch of BATCHES) {
        const total = TOTALS[batch]!;
        const baton: number[] = [];
        const raw: number[] = [];
        // Alternate the two sides on fresh files so drift on the machine hits both alike.
        for (let r = 0; r < REPEATS; r++) {
          baton.push(await benchBaton(sqliteStore(file(), { synchronous: sync }), batch, total));
          raw.push(benchRaw(file(), sync, batch, total));
        }
        const [b, w] = [median(baton), median(raw)];
        rows.push([`sqlite ${sync}`, String(batch), fmt(b), fmt(w), (b / w).toFixed(2)]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const header = ['store', 'writes/commit', 'Baton appends/s', 'raw inserts/s', 'Baton/raw'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  console.log(
    `Node ${process.version}, ${quick ? 'quick' : `median of ${REPEATS}`} run, ~300-byte payloads, one new version per write`,
  );
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

await main();
