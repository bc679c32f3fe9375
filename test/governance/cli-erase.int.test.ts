/**
 * `baton erase` on a real SQLite file written by a runtime with `piiEncryption`: the CLI reads
 * personal fields with $BATON_PII_KEK, erases a subject only with --yes, and afterwards every
 * chain still verifies while the fields read as [erased].
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, sqliteStore, storeGovernance } from '../../src/index.js';
import { baton, ensureBuilt, json } from '../cli/helpers.js';
import { untilStatus } from '../orchestrator/helpers.js';
import { tempDbPath } from '../support/temp-db.js';
import { APPLICATION, loan } from './fixtures/loan.js';

const db = tempDbPath('cli-erase');
const KEK = randomBytes(32).toString('base64');
const NAME = APPLICATION.applicant.name;
let runId = '';

beforeAll(async () => {
  await ensureBuilt();
  const rt = createRuntime({
    store: sqliteStore(db.path),
    workflows: [loan],
    piiEncryption: { kek: KEK, subjectOf: () => 'cust-7' },
  });
  runId = (await rt.start(loan, APPLICATION)).id;
  await untilStatus(rt, runId, 'waiting');
  await rt.close();
});
afterAll(() => db.remove());

const cli = (...args: string[]) =>
  baton(['--store', db.path, ...args], { env: { BATON_PII_KEK: KEK } });

describe('baton erase', () => {
  it('reads personal fields with the key, and shows only ciphertext without it', async () => {
    expect((await cli('history', runId, '--data', '--json')).stdout).toContain(NAME);
    const bare = await baton(['--store', db.path, 'history', runId, '--data', '--json']);
    expect(bare.code).toBe(0);
    expect(bare.stdout).not.toContain(NAME);
    expect(bare.stdout).toContain('$pii');
  });

  it('needs --yes; --dry-run names the key and changes nothing', async () => {
    const refused = await cli('erase', 'cust-7');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--yes');
    const dry = await cli('erase', 'cust-7', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would erase subject cust-7');
    expect((await cli('history', runId, '--data', '--json')).stdout).toContain(NAME);
  });

  it('a principal without MANAGE is refused; an unknown subject is an error', async () => {
    const store = sqliteStore(db.path);
    await store.migrate();
    await storeGovernance(store).grant('admin', 'MANAGE', '*');
    await store.close();
    const denied = await cli('--as', 'intern', 'erase', 'cust-7', '--yes');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('intern may not erase (needs MANAGE');
    const unknown = await cli('erase', 'nobody', '--yes');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('nobody');
  });

  it('erases: the fields read as [erased], the chain verifies, the erasure is audited', async () => {
    const done = await cli('--as', 'admin', 'erase', 'cust-7', '--yes', '--json');
    expect(done.code).toBe(0);
    expect(json<{ erased: boolean }>(done).erased).toBe(true);
    const history = (await cli('history', runId, '--data', '--json')).stdout;
    expect(history).not.toContain(NAME);
    expect(history).toContain('[erased]');
    expect((await cli('verify', runId)).code).toBe(0);
    const audit = (await cli('audit', 'list', '--json')).stdout;
    expect(audit).toContain('pii.erase');
    expect(audit).not.toContain('cust-7');
  });
});
