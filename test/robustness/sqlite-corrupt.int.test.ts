/** Row 11 (on open): a damaged SQLite store is reported as corrupt, not as a foreign file. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createRuntime, isStoreCorruptError, sqliteStore, workflow } from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { Num, numAgent } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function damagedStore(): Promise<string> {
  const db = tempDbPath('corrupt');
  cleanups.push(db.remove);
  const a = numAgent('a');
  const wf = workflow('corrupt', { version: 1, input: Num })
    .step('a', a.agent, { input: (s) => s.input })
    .output((s) => s.a);
  const rt = createRuntime({ store: sqliteStore(db.path), workflows: [wf] });
  for (let i = 0; i < 20; i++) await (await rt.start(wf, i)).result();
  await rt.close();
  // Overwrite the page holding the schema's root (page 1 after its 100-byte header).
  const fd = openSync(db.path, 'r+');
  writeSync(fd, Buffer.alloc(3000, 0xa5), 0, 3000, 100);
  closeSync(fd);
  return db.path;
}

describe('a damaged SQLite store', () => {
  it('opens with StoreCorruptError naming the file', async () => {
    const path = await damagedStore();
    const e = await sqliteStore(path)
      .migrate()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(isStoreCorruptError(e)).toBe(true);
    expect((e as Error).message).toContain(path);
    expect((e as Error).message).toContain('is corrupt');
  });

  it('the CLI says corrupt, not "not a Baton store"', async () => {
    const path = await damagedStore();
    const err: string[] = [];
    const io = { out: () => {}, err: (s: string) => void err.push(s), color: false };
    expect(await runCli(['--store', path, 'runs'], io)).toBe(1);
    expect(err.join('')).toContain('is corrupt');
    expect(err.join('')).not.toContain('not a Baton store');
  });
});
