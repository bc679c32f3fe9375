import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  auditLog,
  createRuntime,
  isCheckpointInvalidError,
  type Runtime,
  type StateStore,
  sqliteStore,
} from '../../src/index.js';
import { untilStatus } from '../orchestrator/helpers.js';
import { tempDbPath } from '../support/temp-db.js';
import { APPLICATION, loan, quickLoan } from './fixtures/loan.js';
import { attacker } from './fixtures/tamper.js';

const keyPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const signer = keyPair();

let db: ReturnType<typeof tempDbPath>;
let rt: Runtime;
let store: StateStore;
let runId: string;

/** A store with a history: grants, starts, a signal, a denial. */
beforeEach(async () => {
  db = tempDbPath('audit');
  rt = createRuntime({ store: sqliteStore(db.path), workflows: [loan, quickLoan] });
  const admin = rt.as('admin');
  await admin.grant('admin', 'MANAGE', '*');
  await admin.grant('op', 'EXECUTE', 'workflow:*');
  await admin.grant('op', 'SIGNAL', 'workflow:loan');
  const op = rt.as('op');
  const run = await op.start(loan, APPLICATION);
  runId = run.id;
  await untilStatus(rt, runId, 'waiting');
  await op.signal(runId, 'review', { approved: true });
  await run.result();
  await (await op.start(quickLoan, APPLICATION)).result();
  await op.cancel(runId).catch(() => undefined); // denied: audited
  store = sqliteStore(db.path);
  await store.migrate();
});
afterEach(async () => {
  await rt.close();
  await store.close();
  await db.remove();
});

/** Closes the runtime first so an attacker edits a file nobody writes to. */
async function tamper(fn: (a: ReturnType<typeof attacker>) => void) {
  const a = attacker(db.path);
  try {
    fn(a);
  } finally {
    a.close();
  }
}

describe('the audit chain', () => {
  it('records every privileged action and denial, in order, and verifies', async () => {
    const entries = await auditLog(store).entries();
    expect(
      entries
        .filter((e: AuditEntry) => e.action !== 'catalog.register')
        .map((e: AuditEntry) => [e.principal, e.action, e.result]),
    ).toEqual([
      ['admin', 'grant', 'ok'],
      ['admin', 'grant', 'ok'],
      ['admin', 'grant', 'ok'],
      ['op', 'start', 'ok'],
      ['op', 'signal', 'ok'],
      ['op', 'start', 'ok'],
      ['op', 'cancel', 'denied'],
    ]);
    expect(await auditLog(store).verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('refuses updates and deletes by default (append-only triggers)', async () => {
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(db.path);
    try {
      expect(() => raw.prepare("UPDATE audit SET principal = 'x' WHERE seq = 1").run()).toThrow(
        /append-only/,
      );
      expect(() => raw.prepare('DELETE FROM audit WHERE seq = 1').run()).toThrow(/append-only/);
    } finally {
      raw.close();
    }
  });

  const cases: [string, (a: ReturnType<typeof attacker>) => void, number, RegExp][] = [
    ['an edited entry', (a) => a.editAudit(3, 'eve'), 3, /edited/],
    ['a deleted entry', (a) => a.deleteAudit(2), 2, /missing/],
    ['an inserted entry', (a) => a.insertAudit(3), 4, /link/],
    ['two reordered entries', (a) => a.swapAudit(2, 3), 2, /link|edited/],
  ];
  it.each(cases)('detects %s, naming the first bad seq', async (_name, attack, seq, reason) => {
    await rt.close();
    await tamper(attack);
    const report = await auditLog(store).verify();
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: 'audit', seq });
    expect(report.problems[0]!.reason).toMatch(reason);
  });
});

describe('signed checkpoints', () => {
  it('verifies an untouched store against its checkpoint, and records the checkpoint', async () => {
    const log = auditLog(store);
    const cp = await log.checkpoint(signer.privateKey);
    expect(cp).toMatchObject({ format: 'baton-audit-checkpoint/1', runCount: 2 });
    const text = JSON.stringify(cp);
    const report = await log.verify({ checkpoint: text, publicKey: signer.publicKey });
    expect(report).toMatchObject({ ok: true, runs: 2, checkpoint: { keyId: cp.keyId } });
    expect(report.entries).toBe(cp.auditSize);
    expect((await store.governance!.listCheckpoints(1))[0]!.body).toBe(text);
    // Later activity does not invalidate an earlier checkpoint.
    await (await rt.start(quickLoan, APPLICATION)).result();
    await rt.as('op').start(quickLoan, APPLICATION);
    expect((await log.verify({ checkpoint: text })).ok).toBe(true);
  });

  it('detects an audit chain rewritten after an edit, which the chain alone cannot', async () => {
    const cp = JSON.stringify(await auditLog(store).checkpoint(signer.privateKey));
    await rt.close();
    await tamper((a) => {
      a.editAudit(4, 'someone-else');
      a.rechainAudit();
    });
    expect((await auditLog(store).verify()).ok).toBe(true);
    const report = await auditLog(store).verify({ checkpoint: cp });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'checkpoint', reason: expect.stringMatching(/rewritten/) }),
    ]);
  });

  it('detects a truncated tail', async () => {
    const cp = JSON.stringify(await auditLog(store).checkpoint(signer.privateKey));
    const size = (await auditLog(store).entries()).length;
    await rt.close();
    await tamper((a) => a.deleteAudit(size));
    const report = await auditLog(store).verify({ checkpoint: cp });
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'checkpoint', reason: expect.stringMatching(/truncated/) }),
    ]);
  });

  it("detects a version row edited together with its run's recomputed chain", async () => {
    const cp = JSON.stringify(await auditLog(store).checkpoint(signer.privateKey));
    await rt.close();
    await tamper((a) => {
      const forged = a.payloadOf(runId, 1).replace('529-14-7781', '000-00-0000');
      expect(forged).not.toBe(a.payloadOf(runId, 1));
      a.rewriteRun(runId, 1, forged);
    });
    // The run's own chain verifies: it was recomputed.
    const check = createRuntime({ store: sqliteStore(db.path), resume: false });
    expect(await check.verify(runId)).toMatchObject({ ok: true });
    await check.close();
    const report = await auditLog(store).verify({ checkpoint: cp });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'run', runId, reason: expect.stringMatching(/recomputed/) }),
    ]);
  });

  it('refuses a checkpoint signed by another key, an edited one and a malformed one', async () => {
    const log = auditLog(store);
    const cp = await log.checkpoint(signer.privateKey);
    const other = keyPair();
    const refusals = [
      log.verify({ checkpoint: cp, publicKey: other.publicKey }),
      log.verify({ checkpoint: { ...cp, auditSize: cp.auditSize - 1 } }),
      log.verify({ checkpoint: { ...cp, runs: cp.runs.slice(1) } }),
      log.verify({ checkpoint: '{"not":"a checkpoint"}' }),
      log.verify({ checkpoint: 'not json' }),
      log.checkpoint('not a key'),
    ];
    for (const r of refusals) await expect(r).rejects.toSatisfy(isCheckpointInvalidError);
    const e = await log
      .verify({ checkpoint: cp, publicKey: other.publicKey })
      .catch((x: unknown) => x);
    expect(String(e)).toMatch(/signed by another key/);
  });
});
