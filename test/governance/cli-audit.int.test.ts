import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, sqliteStore } from '../../src/index.js';
import { baton, ensureBuilt, json } from '../cli/helpers.js';
import { tempDbPath } from '../support/temp-db.js';
import { APPLICATION, quickLoan } from './fixtures/loan.js';
import { attacker } from './fixtures/tamper.js';

const db = tempDbPath('cli-audit');
const dir = mkdtempSync(join(tmpdir(), 'baton-cli-audit-'));
const key = join(dir, 'signer.pem');
const otherKey = join(dir, 'other.pem');
const cp = join(dir, 'checkpoint.json');
let runId = '';

beforeAll(async () => {
  await ensureBuilt();
  const rt = createRuntime({ store: sqliteStore(db.path), workflows: [quickLoan] });
  await rt.as('admin').grant('admin', 'MANAGE', '*');
  await rt.as('admin').grant('ana', 'EXECUTE', 'workflow:quick-loan');
  const run = await rt.as('ana').start(quickLoan, APPLICATION);
  runId = run.id;
  await run.result();
  await rt.close();
});
afterAll(async () => {
  await db.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('baton audit', () => {
  it('lists the entries with their principals', async () => {
    const r = await baton(['--store', db.path, '--json', 'audit', 'list']);
    expect(r.code, r.stderr).toBe(0);
    const { entries } = json<{ entries: { principal: string; action: string }[] }>(r);
    expect(
      entries.filter((e) => e.action !== 'catalog.register').map((e) => [e.principal, e.action]),
    ).toEqual([
      ['admin', 'grant'],
      ['admin', 'grant'],
      ['ana', 'start'],
    ]);
  });

  it('creates keys, exports a signed checkpoint and verifies against it', async () => {
    expect((await baton(['audit', 'keygen', '--out', key])).code).toBe(0);
    expect((await baton(['audit', 'keygen', '--out', otherKey])).code).toBe(0);
    expect(existsSync(`${key}.pub`)).toBe(true);
    const made = await baton([
      '--store',
      db.path,
      'audit',
      'checkpoint',
      '--out',
      cp,
      '--key',
      key,
    ]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/checkpoint written to .*: \d+ audit entries, 1 runs/);
    const ok = await baton([
      '--store',
      db.path,
      'audit',
      'verify',
      '--checkpoint',
      cp,
      '--public-key',
      `${key}.pub`,
    ]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok: \d+ audit entries, 1 run heads against checkpoint/);
  });

  it('refuses a checkpoint signed by another key (exit 1, nothing read)', async () => {
    const r = await baton([
      '--store',
      db.path,
      'audit',
      'verify',
      '--checkpoint',
      cp,
      '--public-key',
      `${otherKey}.pub`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('signed by another key');
  });

  it('needs a signing key to checkpoint', async () => {
    const r = await baton([
      '--store',
      db.path,
      'audit',
      'checkpoint',
      '--out',
      join(dir, 'x.json'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('a signing key is needed');
  });

  it('reports a run whose version was edited and whose chain was recomputed', async () => {
    const a = attacker(db.path);
    try {
      a.rewriteRun(runId, 1, a.payloadOf(runId, 1).replace('12000', '99000'));
    } finally {
      a.close();
    }
    expect((await baton(['--store', db.path, 'verify', runId])).code).toBe(0);
    const r = await baton(['--store', db.path, 'audit', 'verify', '--checkpoint', cp]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('TAMPERED');
    expect(r.stdout).toContain(`run ${runId} version`);
    expect(r.stdout).toContain('the chain was recomputed');
  });
});
