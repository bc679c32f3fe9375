/**
 * Crypto-shredding end to end on a real SQLite file: personal fields are stored encrypted (the
 * hash chain covers the ciphertext), read back in clear, and after `erase` read as `[erased]`
 * while every chain still verifies.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  createRuntime,
  ERASED,
  type Runtime,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { untilStatus } from '../orchestrator/helpers.js';
import { tempDbPath } from '../support/temp-db.js';

const Application = contract(
  'shred.application@1',
  z.object({
    customerId: z.string(),
    name: z.string().meta({ pii: true }),
    amount: z.number(),
  }),
);
const Letter = contract(
  'shred.letter@1',
  z.object({ salutation: z.string().meta({ pii: true }), approved: z.boolean() }),
);
const Review = contract(
  'shred.review@1',
  z.object({ reviewer: z.string(), note: z.string().meta({ pii: true }) }),
);

const letter = agent({
  name: 'letter',
  version: '1.0.0',
  input: Application,
  output: Letter,
  // Reads the plaintext name: the agent sees decrypted input.
  execute: async (a) => ({ salutation: `Dear ${a.name}`, approved: a.amount < 50_000 }),
});

const loan = workflow('shred-loan', { version: 1, input: Application })
  .step('letter', letter, { input: (s) => s.input })
  .wait('review', { contract: Review, needs: ['letter'] })
  .output((s) => ({ approved: s.letter.approved }));

const KEK = randomBytes(32);
const subjectOf = (input: unknown) => (input as { customerId: string }).customerId;

let db: ReturnType<typeof tempDbPath>;
let rt: Runtime;

const open = (kek: Uint8Array | string = KEK) =>
  createRuntime({
    store: sqliteStore(db.path),
    workflows: [loan],
    piiEncryption: { kek, subjectOf },
  });

/** The stored payloads of a run, read from the file itself. */
function rawVersions(runId: string): { payload: string; hash: string }[] {
  const d = new Database(db.path, { readonly: true });
  try {
    return d
      .prepare('SELECT payload, hash FROM versions WHERE run_id = ? ORDER BY version')
      .all(runId) as { payload: string; hash: string }[];
  } finally {
    d.close();
  }
}

/** The state at a run's head. */
async function headOf(runId: string) {
  return rt.state(runId, (await rt.getRun(runId)).headVersion);
}

/** The store's audit chain, read through a store of its own. */
async function auditOf() {
  const store = sqliteStore(db.path);
  await store.migrate();
  try {
    return await store.governance.readAudit();
  } finally {
    await store.close();
  }
}

async function reviewedRun(customerId: string, name: string): Promise<string> {
  const h = await rt.start(loan, { customerId, name, amount: 12_000 });
  await untilStatus(rt, h.id, 'waiting');
  await rt.signal(h.id, 'review', { reviewer: 'ops-1', note: `spoke with ${name}` });
  await h.result();
  return h.id;
}

beforeEach(() => {
  db = tempDbPath('pii-shred');
  rt = open();
});

afterEach(async () => {
  await rt.close();
  await db.remove();
});

describe('crypto-shredding of personal fields', () => {
  it('stores personal fields as ciphertext and reads them back in clear', async () => {
    const runId = await reviewedRun('cust-1', 'Mara Lindqvist');
    const stored = rawVersions(runId).map((v) => v.payload);
    expect(stored.join('\n')).not.toContain('Mara');
    expect(stored.join('\n')).toContain('"$pii"');
    // Fields not tagged PII stay readable in the ledger.
    expect(stored[0]).toContain('"customerId":"cust-1"');
    const head = await headOf(runId);
    expect(head.data).toMatchObject({
      input: { name: 'Mara Lindqvist', customerId: 'cust-1' },
      letter: { salutation: 'Dear Mara Lindqvist', approved: true },
      review: { reviewer: 'ops-1', note: 'spoke with Mara Lindqvist' },
    });
    expect((await rt.verify(runId)).ok).toBe(true);
  });

  it('erases a subject: its values read as erased, other subjects and every chain intact', async () => {
    const mara = await reviewedRun('cust-1', 'Mara Lindqvist');
    const ivo = await reviewedRun('cust-2', 'Ivo Brandt');
    const before = rawVersions(mara);

    const dry = await rt.erase('cust-1', { dryRun: true });
    expect(dry).toMatchObject({ subject: 'cust-1', erased: false, dryRun: true });
    expect((await headOf(mara)).data).toMatchObject({ input: { name: 'Mara Lindqvist' } });

    const done = await rt.erase('cust-1');
    expect(done).toMatchObject({ subject: 'cust-1', erased: true, dryRun: false });
    const head = (await headOf(mara)).data;
    expect(head).toMatchObject({
      input: { name: ERASED, customerId: 'cust-1', amount: 12_000 },
      letter: { salutation: ERASED, approved: true },
      review: { reviewer: 'ops-1', note: ERASED },
    });
    expect(JSON.stringify(await rt.history(mara))).not.toContain('Mara');
    // Nothing in the ledger changed: the same rows, so the chain still verifies.
    expect(rawVersions(mara)).toEqual(before);
    expect((await rt.verify(mara)).ok).toBe(true);
    expect((await headOf(ivo)).data).toMatchObject({ input: { name: 'Ivo Brandt' } });

    // Another runtime on the file (no cache) sees the erasure too.
    await rt.close();
    rt = open();
    expect((await headOf(mara)).data).toMatchObject({ input: { name: ERASED } });

    const audit = await auditOf();
    const entry = audit.find((e) => e.action === 'pii.erase');
    expect(entry).toMatchObject({ result: 'ok', securable: `subject:${done.keyId}` });
    expect(JSON.stringify(audit)).not.toContain('cust-1');
  });

  it("a runtime without subjectOf (as the CLI) seals a signal for the run's subject", async () => {
    const h = await rt.start(loan, { customerId: 'cust-1', name: 'Mara Lindqvist', amount: 1 });
    await untilStatus(rt, h.id, 'waiting');
    await rt.close();
    // Only the key, as `$BATON_PII_KEK` gives the CLI: no subjectOf.
    rt = createRuntime({
      store: sqliteStore(db.path),
      workflows: [loan],
      piiEncryption: { kek: KEK },
    });
    await rt.signal(h.id, 'review', { reviewer: 'ops-2', note: 'called Mara' });
    await untilStatus(rt, h.id, 'completed');
    await rt.erase('cust-1');
    expect((await headOf(h.id)).data).toMatchObject({
      review: { reviewer: 'ops-2', note: ERASED },
    });
    await expect(rt.erase(h.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('erasing twice destroys nothing more; an unknown subject is a typed error', async () => {
    await reviewedRun('cust-1', 'Mara Lindqvist');
    await rt.erase('cust-1');
    const again = await rt.erase('cust-1');
    expect(again.erased).toBe(false);
    expect(again.erasedAt).not.toBeNull();
    await expect(rt.erase('nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(rt.erase('')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('a new run of an erased subject gets a new key; the old values stay erased', async () => {
    const old = await reviewedRun('cust-1', 'Mara Lindqvist');
    const first = await rt.erase('cust-1', { dryRun: true });
    await rt.erase('cust-1');
    const fresh = await reviewedRun('cust-1', 'Mara L.');
    expect((await headOf(fresh)).data).toMatchObject({ input: { name: 'Mara L.' } });
    expect((await headOf(old)).data).toMatchObject({ input: { name: ERASED } });
    expect((await rt.erase('cust-1', { dryRun: true })).keyId).not.toBe(first.keyId);
  });

  it('rollback and replay copy the ciphertext, so an erasure reaches the copies', async () => {
    const runId = await reviewedRun('cust-1', 'Mara Lindqvist');
    const rolled = await rt.rollback(runId, 2);
    expect(rolled.data).toMatchObject({ input: { name: 'Mara Lindqvist' } });
    const fork = await rt.replay(runId, { fromVersion: 2 });
    await untilStatus(rt, fork.id, 'waiting');
    expect((await headOf(fork.id)).data).toMatchObject({
      letter: { salutation: 'Dear Mara Lindqvist' },
    });
    expect(rawVersions(fork.id)[0]!.payload).not.toContain('Mara');
    await rt.erase('cust-1');
    expect((await headOf(runId)).data).toMatchObject({ input: { name: ERASED } });
    expect((await headOf(fork.id)).data).toMatchObject({ input: { name: ERASED } });
    expect((await rt.verify(runId)).ok).toBe(true);
    expect((await rt.verify(fork.id)).ok).toBe(true);
  });

  it('refuses a malformed key, and a key that does not unwrap the stored ones', async () => {
    expect(() => open('too-short')).toThrow(expect.objectContaining({ code: 'ENCRYPTION_KEY' }));
    const runId = await reviewedRun('cust-1', 'Mara Lindqvist');
    await rt.close();
    rt = open(randomBytes(32));
    await expect(headOf(runId)).rejects.toMatchObject({ code: 'ENCRYPTION_KEY' });
    // The wrong key destroyed nothing: the right one still reads.
    await rt.close();
    rt = open(KEK.toString('base64'));
    expect((await headOf(runId)).data).toMatchObject({ input: { name: 'Mara Lindqvist' } });
  });

  it('erase through a principal needs MANAGE and is audited with the subject masked', async () => {
    await reviewedRun('cust-1', 'Mara Lindqvist');
    const admin = rt.as('owner');
    await admin.grant('dpo', 'MANAGE', 'catalog:*');
    await expect(rt.as('analyst').erase('cust-1')).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });
    const done = await rt.as('dpo').erase('cust-1');
    expect(done.erased).toBe(true);
    const audit = await auditOf();
    expect(audit.filter((e) => e.action === 'erase').map((e) => [e.principal, e.result])).toEqual([
      ['analyst', 'denied'],
      ['dpo', 'ok'],
    ]);
    expect(JSON.stringify(audit)).not.toContain('cust-1');
  });
});
