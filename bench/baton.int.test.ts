import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBatonImpl, verifyBatonFile } from './baton.js';
import { decideAll } from './impl.js';
import { type Decision, generateApplications, verifyDecisions } from './workload.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-baton-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const apps = generateApplications(4, 24);

async function runAll(dbPath: string | null): Promise<(Decision | undefined)[]> {
  return decideAll(await createBatonImpl({ mode: 'trivial', dbPath }), apps, 8);
}

describe('the Baton implementation of the bench workload', () => {
  it('decides every application as the oracle does on the memory store', async () => {
    verifyDecisions('baton', apps, await runAll(null));
  });

  it('decides as the oracle does on a SQLite file holding every run and version', async () => {
    const dbPath = join(dir, 'baton.db');
    verifyDecisions('baton+sqlite', apps, await runAll(dbPath));
    expect(() => verifyBatonFile(dbPath, apps.length)).not.toThrow();
    expect(() => verifyBatonFile(dbPath, apps.length + 1)).toThrow(/24 completed runs/);
  });
});
