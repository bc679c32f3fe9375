/**
 * The figures of governance on a real SQLite file:
 * - the cost of privilege checks and auditing per run on the reference workload: runs/s of
 *   `rt.start` (governance off) against `rt.as('operator').start` on a store with grants (each
 *   start checked against the store's grants and audited), interleaved, medians;
 * - audit append throughput: one entry per transaction, and 100 per transaction;
 * - checkpoint time (Merkle root over every audit entry and run head, signed) for N entries.
 *
 *   npx tsx bench/governance.ts [runs=500] [rounds=3] [checkpointEntries=1000000]
 */
import { generateKeyPairSync } from 'node:crypto';
import { type AuditDraft, auditLog, createRuntime, sqliteStore } from '../src/index.js';
import { applications, referenceWorkflow } from '../test/orchestrator/fixtures.js';
import { tempDbPath } from '../test/support/temp-db.js';

type Mode = 'governance off' | 'governance on (rt.as, audited)';
const MODES: Mode[] = ['governance off', 'governance on (rt.as, audited)'];

async function runsPerSec(mode: Mode, runs: number): Promise<number> {
  const db = tempDbPath('bench-gov');
  const wf = referenceWorkflow();
  const rt = createRuntime({ store: sqliteStore(db.path), workflows: [wf] });
  await rt.ready();
  if (mode !== 'governance off') {
    const admin = rt.as('admin');
    await admin.grant('admin', 'MANAGE', '*');
    await admin.grant('operator', 'EXECUTE', `workflow:${wf.name}`);
    await admin.grant('operator', 'READ', `workflow:${wf.name}`);
  }
  const actor = mode === 'governance off' ? rt : rt.as('operator');
  const apps = applications(runs);
  const started = performance.now();
  for (let i = 0; i < runs; i += 100) {
    const batch = await Promise.all(apps.slice(i, i + 100).map((a) => actor.start(wf, a)));
    await Promise.all(batch.map((h) => h.result()));
  }
  const rate = (runs / (performance.now() - started)) * 1000;
  await rt.close();
  await db.remove();
  return rate;
}

const draft = (i: number): AuditDraft => ({
  at: 1_700_000_000_000 + i,
  principal: 'operator',
  action: 'start',
  securable: 'workflow:credit-decision@1',
  params: { workflow: 'credit-decision', version: 1, input: { id: `app-${i}` } },
  result: 'ok',
  detail: { runId: `run-${i}` },
});

async function appendThroughput(entries: number, perTx: number): Promise<number> {
  const db = tempDbPath('bench-audit');
  const store = sqliteStore(db.path);
  await store.migrate();
  const started = performance.now();
  for (let i = 0; i < entries; i += perTx) {
    await store.governance.appendAudit(
      Array.from({ length: Math.min(perTx, entries - i) }, (_, k) => draft(i + k)),
    );
  }
  const rate = (entries / (performance.now() - started)) * 1000;
  await store.close();
  await db.remove();
  return rate;
}

async function checkpointMs(entries: number): Promise<{ fillS: number; checkpointS: number }> {
  const db = tempDbPath('bench-checkpoint');
  const store = sqliteStore(db.path);
  await store.migrate();
  const filled = performance.now();
  for (let i = 0; i < entries; i += 10_000) {
    await store.governance.appendAudit(
      Array.from({ length: Math.min(10_000, entries - i) }, (_, k) => draft(i + k)),
    );
  }
  const fillS = (performance.now() - filled) / 1000;
  const { privateKey } = generateKeyPairSync('ed25519');
  const started = performance.now();
  const cp = await auditLog(store).checkpoint(privateKey);
  const checkpointS = (performance.now() - started) / 1000;
  if (cp.auditSize !== entries) throw new Error(`checkpoint covers ${cp.auditSize} entries`);
  await store.close();
  await db.remove();
  return { fillS, checkpointS };
}

const runs = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 3);
const cpEntries = Number(process.argv[4] ?? 1_000_000);
const samples = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
await runsPerSec('governance off', 100); // warm-up
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? MODES : [...MODES].reverse();
  for (const mode of order) samples.get(mode)!.push(await runsPerSec(mode, runs));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(samples.get('governance off')!);
for (const mode of MODES) {
  const rate = median(samples.get(mode)!);
  const d = (rate / base - 1) * 100;
  process.stdout.write(
    `${mode.padEnd(32)} ${rate.toFixed(0).padStart(6)} runs/s (${d >= 0 ? '+' : ''}${d.toFixed(1)}%)\n`,
  );
}
process.stdout.write(
  `audit append, 1 entry per transaction   ${(await appendThroughput(2_000, 1)).toFixed(0)} entries/s\n`,
);
process.stdout.write(
  `audit append, 100 per transaction       ${(await appendThroughput(20_000, 100)).toFixed(0)} entries/s\n`,
);
const cp = await checkpointMs(cpEntries);
process.stdout.write(
  `checkpoint over ${cpEntries} audit entries: ${cp.checkpointS.toFixed(1)} s (filling them took ${cp.fillS.toFixed(1)} s)\n`,
);
