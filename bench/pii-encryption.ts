/**
 * Measures the cost of crypto-shredding (`piiEncryption`) on a real SQLite file: runs/s of the
 * governance loan workflow (an input with two PII fields, one scoring agent) with encryption
 * off, on with every run of one data subject (its key cached after the first), and on with a
 * new subject per run (a data key generated, wrapped and stored for every run). Modes are
 * interleaved and repeated; the median is reported, with CPU time per run.
 *
 *   npx tsx bench/pii-encryption.ts [runs=1000] [rounds=3]
 */
import { randomBytes } from 'node:crypto';
import { createRuntime, type PiiEncryptionOptions, sqliteStore } from '../src/index.js';
import { APPLICATION, quickLoan } from '../test/governance/fixtures/loan.js';
import { tempDbPath } from '../test/support/temp-db.js';

type Mode = 'off' | 'on, same subject' | 'on, new subject per run';
const MODES: Mode[] = ['off', 'on, same subject', 'on, new subject per run'];
const KEK = randomBytes(32);

interface Sample {
  readonly runsPerSec: number;
  readonly cpuUsPerRun: number;
}

async function measure(mode: Mode, runs: number): Promise<Sample> {
  const db = tempDbPath('bench-pii');
  const pii: PiiEncryptionOptions | undefined =
    mode === 'off'
      ? undefined
      : {
          kek: KEK,
          ...(mode === 'on, same subject' ? { subjectOf: () => 'one-customer' } : {}),
        };
  const rt = createRuntime({
    store: sqliteStore(db.path),
    workflows: [quickLoan],
    ...(pii ? { piiEncryption: pii } : {}),
  });
  await rt.ready();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < runs; i += 100) {
    const n = Math.min(100, runs - i);
    const batch = await Promise.all(
      Array.from({ length: n }, () => rt.start(quickLoan, APPLICATION)),
    );
    await Promise.all(batch.map((h) => h.result()));
  }
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await rt.close();
  await db.remove();
  return { runsPerSec: (runs / elapsed) * 1000, cpuUsPerRun: (used.user + used.system) / runs };
}

const runs = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 3);
const results = new Map<Mode, Sample[]>(MODES.map((m) => [m, []]));
await measure('off', 100); // warm-up
for (let r = 0; r < rounds; r++) {
  const order = MODES.map((_, i) => MODES[(i + r) % MODES.length]!);
  for (const mode of order) results.get(mode)!.push(await measure(mode, runs));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const of = (mode: Mode, k: keyof Sample) => median(results.get(mode)!.map((x) => x[k]));
const baseRate = of('off', 'runsPerSec');
for (const mode of MODES) {
  const rate = of(mode, 'runsPerSec');
  const d = (rate / baseRate - 1) * 100;
  process.stdout.write(
    `${mode.padEnd(26)} ${rate.toFixed(0).padStart(6)} runs/s (${d >= 0 ? '+' : ''}${d.toFixed(1)}%)  ` +
      `${of(mode, 'cpuUsPerRun').toFixed(0).padStart(5)} us CPU/run\n`,
  );
}
