/** Rows 12 and 15, and file permissions: bad SQLite paths get typed errors naming the path. */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRuntime,
  isInvalidArgumentError,
  isNotABatonStoreError,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { Num, numAgent } from './fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'baton-paths-'));
  dirs.push(d);
  return d;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

async function migrateError(path: string): Promise<unknown> {
  return sqliteStore(path)
    .migrate()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
}

describe('SQLite paths', () => {
  it('refuses a path with NUL before creating anything', () => {
    const d = folder();
    const e = thrown(() => sqliteStore(join(d, 'x\u0000.db')));
    expect(isInvalidArgumentError(e)).toBe(true);
    expect((e as Error).message).toContain('contains a NUL character');
    expect(existsSync(join(d, 'x'))).toBe(false);
  });

  it('a directory is not a Baton store, and the error names it', async () => {
    const d = folder();
    const e = await migrateError(d);
    expect(isNotABatonStoreError(e)).toBe(true);
    expect((e as Error).message).toContain(d);
    expect((e as Error).message).toContain('it is a directory');
  });

  it('a missing folder is an InvalidArgumentError naming the folder', async () => {
    const d = folder();
    const path = join(d, 'missing', 'baton.db');
    const e = await migrateError(path);
    expect(isInvalidArgumentError(e)).toBe(true);
    expect((e as Error).message).toContain(join(d, 'missing'));
    expect((e as Error).message).toContain('does not exist');
  });

  it('creates a new store file 0600 by default, and with fileMode when given', async () => {
    const d = folder();
    const a = numAgent('a');
    const wf = workflow('perm', { version: 1, input: Num })
      .step('a', a.agent, { input: (s) => s.input })
      .output((s) => s.a);
    const path = join(d, 'private.db');
    const rt = createRuntime({ store: sqliteStore(path), workflows: [wf] });
    try {
      const run = await rt.start(wf, 1);
      await run.result();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600);
    } finally {
      await rt.close();
    }
    const shared = join(d, 'shared.db');
    const store = sqliteStore(shared, { fileMode: 0o640 });
    await store.migrate();
    await store.close();
    expect(statSync(shared).mode & 0o777).toBe(0o640 & ~process.umask());
    // An existing file keeps its mode.
    const existing = join(d, 'existing.db');
    writeFileSync(existing, '', { mode: 0o644 });
    const kept = sqliteStore(existing);
    await kept.migrate();
    await kept.close();
    expect(statSync(existing).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it('refuses a fileMode out of range', () => {
    const e = thrown(() => sqliteStore(':memory:', { fileMode: 0o1777 }));
    expect(isInvalidArgumentError(e)).toBe(true);
  });
});
