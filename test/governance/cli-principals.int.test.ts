import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, sqliteStore, storeGovernance } from '../../src/index.js';
import { baton, ensureBuilt, json, ROOT } from '../cli/helpers.js';
import { untilStatus } from '../orchestrator/helpers.js';
import { tempDbPath } from '../support/temp-db.js';
import { APPLICATION, loan } from './fixtures/loan.js';

const db = tempDbPath('cli-principals');
const dir = mkdtempSync(join(tmpdir(), 'baton-cli-principals-'));
const auditorKey = join(dir, 'auditor.pem');
const strangerKey = join(dir, 'stranger.pem');
let runId = '';
const SSN = APPLICATION.applicant.ssn;
const LOAN = join(ROOT, 'test', 'governance', 'fixtures', 'loan.ts');

const pem = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};

beforeAll(async () => {
  await ensureBuilt();
  const rt = createRuntime({ store: sqliteStore(db.path), workflows: [loan] });
  const run = await rt.start(loan, APPLICATION);
  runId = run.id;
  await untilStatus(rt, runId, 'waiting');
  await rt.close();
  const auditor = pem();
  writeFileSync(auditorKey, auditor.privateKey);
  writeFileSync(strangerKey, pem().privateKey);
  const store = sqliteStore(db.path);
  await store.migrate();
  await storeGovernance(store).addPrincipal('auditor', { publicKey: auditor.publicKey });
  await store.close();
});
afterAll(async () => {
  await db.remove();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => baton(['--store', db.path, ...args]);

describe('the CLI with principals', () => {
  it('says a store without grants has a single owner, then grants as the owner', async () => {
    expect((await cli('grants')).stdout).toContain('single owner');
    for (const g of [
      ['admin', 'MANAGE', '*'],
      ['analyst', 'READ', 'workflow:loan'],
      ['op', 'READ', 'workflow:loan'],
      ['op', 'SIGNAL', 'workflow:loan@1'],
      ['auditor', 'READ', 'workflow:*'],
      ['auditor', 'READ_PII', 'workflow:*'],
    ]) {
      const r = await cli('grant', ...g);
      expect(r.code, r.stderr).toBe(0);
    }
    const listed = json<{ mode: string; grants: unknown[] }>(await cli('--json', 'grants'));
    expect(listed).toMatchObject({ mode: 'enforced' });
    expect(listed.grants).toHaveLength(6);
  });

  it('masks personal data for an analyst without READ_PII, in history and diff', async () => {
    const history = await cli('--as', 'analyst', '--json', 'history', runId, '--data');
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain('"ssn": "[pii]"');
    expect(history.stdout).not.toContain(SSN);
    const diff = await cli('--as', 'analyst', '--json', 'diff', runId, '1', '2');
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).not.toContain(SSN);
    const owner = await cli('--json', 'history', runId, '--data');
    expect(owner.stdout).toContain(SSN);
  });

  it('refuses an analyst who signals, and lets the operator signal the review', async () => {
    const denied = await cli('--as', 'analyst', 'signal', runId, 'review', '{"approved":true}');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('analyst may not signal (needs SIGNAL on workflow:loan@1)');
    const ok = await baton(
      [
        '--store',
        db.path,
        '--as',
        'op',
        'signal',
        runId,
        'review',
        '{"approved":true}',
        '--workflows',
        LOAN,
      ],
      { tsx: true },
    );
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('refuses a principal with a key named without it, or with another key; accepts the right key', async () => {
    const bare = await cli('--as', 'auditor', 'history', runId);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('auditor may not act from the CLI without its key');
    const forged = await cli('--as', 'auditor', '--principal-key', strangerKey, 'history', runId);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain('with another key');
    const real = await cli(
      '--as',
      'auditor',
      '--principal-key',
      auditorKey,
      '--json',
      'history',
      runId,
      '--data',
    );
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain(SSN);
  });

  it('refuses a grant by a principal without MANAGE, and audits it', async () => {
    const r = await cli('--as', 'analyst', 'grant', 'analyst', 'READ_PII', '*');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('needs MANAGE');
    const audit = json<{ entries: { principal: string; action: string; result: string }[] }>(
      await cli('--json', 'audit', 'list', '--limit', '1000'),
    );
    expect(audit.entries.at(-1)).toMatchObject({
      principal: 'analyst',
      action: 'grant',
      result: 'denied',
    });
    expect(JSON.stringify(audit.entries)).not.toContain(SSN);
  });

  it('shows the lineage of a value as a tree, to a principal with READ', async () => {
    const r = await cli('--as', 'analyst', 'lineage', runId, 'score.score');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`score.score of run ${runId}`);
    expect(r.stdout).toContain('└─ v2 score: by loan-score@1.0.0, read v1, contract loan.score@1');
    expect(r.stdout).toContain('└─ v1 input: workflow input, contract loan.application@1');
    expect(r.stdout).not.toContain(SSN);
    const denied = await cli('--as', 'nobody', 'lineage', runId, 'score');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('needs READ on workflow:loan@1');
  });
});
