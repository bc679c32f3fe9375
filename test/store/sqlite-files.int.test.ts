/**
 * SQLite-specific behaviour on real files: lifecycle, refusing foreign or newer files, tamper
 * detection after hand edits with raw SQL, and translation of driver errors.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/backends/sqlite/sqlite-store.js';
import {
  isInvalidArgumentError,
  isNotABatonStoreError,
  isStoreSchemaTooNewError,
  isStoreUnavailableError,
  isVersionConflictError,
} from '../../src/errors.js';
import { hashVersion } from '../../src/ledger/hash.js';
import { SCHEMA_VERSION } from '../../src/ledger/migrations.js';
import { verifyChain } from '../../src/ledger/versions.js';
import { appendWithRetry, nextVersion, sampleRun } from '../../src/testing/state-store-fixtures.js';
import { tempDbPath } from '../support/temp-db.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function tempPath(): string {
  const { path, remove } = tempDbPath('files');
  cleanups.push(remove);
  return path;
}

async function open(path: string, options?: Parameters<typeof sqliteStore>[1]) {
  const store = sqliteStore(path, options);
  await store.migrate();
  cleanups.unshift(() => store.close());
  return store;
}

/** Raw SQL on the file, as an operator with the sqlite3 CLI would do it. */
function raw(path: string, fn: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    fn(db);
  } finally {
    db.close();
  }
}

describe('sqliteStore lifecycle', () => {
  it('does no I/O until migrate(), and refuses to be used before it', async () => {
    const path = tempPath();
    const store = sqliteStore(path);
    expect(existsSync(path)).toBe(false);
    await expect(store.getRun('x')).rejects.toThrow(/call await store\.migrate\(\)/);
    await expect(store.commit([])).rejects.toSatisfy(isInvalidArgumentError);
    await store.migrate();
    expect(existsSync(path)).toBe(true);
    await store.close();
  });

  it('stays closed when close() is called while migrate() is opening the file', async () => {
    const store = sqliteStore(tempPath());
    const migrating = store.migrate();
    await store.close();
    await migrating;
    await expect(store.getRun('x')).rejects.toThrow(/closed/);
    await expect(store.migrate()).rejects.toThrow(/closed/);
  });

  it('rejects bad options with an error naming the value', () => {
    expect(() => sqliteStore('')).toThrow(/path/);
    expect(() => sqliteStore('x.db', { synchronous: 'OFF' as 'FULL' })).toThrow(/"OFF"/);
    expect(() => sqliteStore('x.db', { busyTimeoutMs: -5 })).toThrow(/busyTimeoutMs.*-5/);
    expect(() => sqliteStore('x.db', { busyTimeoutMs: 1.5 })).toThrow(/1\.5/);
  });

  it('uses WAL, records its migrations, and keeps data across reopen', async () => {
    const path = tempPath();
    const first = await open(path);
    await first.createRun(sampleRun('run-a'));
    await appendWithRetry(first, 'run-a', 'score', { score: 700 });
    await first.close();
    raw(path, (db) => {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const ids = db.prepare('SELECT id FROM baton_migrations ORDER BY id').pluck().all();
      expect(ids).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    });
    const second = await open(path, { synchronous: 'NORMAL' });
    const versions = await second.readVersions('run-a');
    expect(versions.map((v) => v.step)).toEqual(['input', 'score']);
    expect(verifyChain(versions, 2).ok).toBe(true);
    expect(JSON.stringify(second)).toContain('"kind":"sqlite"');
  });
});

describe('opening files that are not (this) Baton store', () => {
  it('refuses a file written by a newer schema with StoreSchemaTooNewError', async () => {
    const path = tempPath();
    await (await open(path)).close();
    raw(path, (db) =>
      db
        .prepare('INSERT INTO baton_migrations (id, name, applied_at) VALUES (?, ?, ?)')
        .run(SCHEMA_VERSION + 1, 'from_the_future', 0),
    );
    const error = await sqliteStore(path)
      .migrate()
      .catch((e: unknown) => e);
    expect(isStoreSchemaTooNewError(error)).toBe(true);
    expect(error).toMatchObject({ storeVersion: SCHEMA_VERSION + 1, codeVersion: SCHEMA_VERSION });
  });

  it('refuses a SQLite file of another application without modifying it', async () => {
    const path = tempPath();
    raw(path, (db) =>
      db.exec('CREATE TABLE customers (id INTEGER); INSERT INTO customers VALUES (1)'),
    );
    const before = readFileSync(path);
    const error = await sqliteStore(path)
      .migrate()
      .catch((e: unknown) => e);
    expect(isNotABatonStoreError(error)).toBe(true);
    expect(String(error)).toMatch(/customers/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a file that is not SQLite at all without modifying it', async () => {
    const path = tempPath();
    const text = 'name,amount\nada,100\n'.repeat(64);
    writeFileSync(path, text);
    const error = await sqliteStore(path)
      .migrate()
      .catch((e: unknown) => e);
    expect(isNotABatonStoreError(error)).toBe(true);
    expect(String(error)).toMatch(/not a SQLite database/);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});

/** A closed store file holding run 'run-a' with versions 1..8. */
async function ledgerWithEightVersions(): Promise<string> {
  const path = tempPath();
  const store = sqliteStore(path);
  await store.migrate();
  await store.createRun(sampleRun('run-a'));
  for (let i = 2; i <= 8; i++) await appendWithRetry(store, 'run-a', `s${i}`, { i, ok: true });
  await store.close();
  return path;
}

async function verifyFile(path: string) {
  const store = await open(path);
  const run = await store.getRun('run-a');
  return verifyChain(await store.readVersions('run-a'), run?.headVersion);
}

describe('tamper detection after hand edits with raw SQL', () => {
  it('reports an edited payload at the version that was edited', async () => {
    const path = await ledgerWithEightVersions();
    expect(await verifyFile(path)).toMatchObject({ ok: true, versions: 8 });
    raw(path, (db) =>
      db.exec(
        `UPDATE versions SET payload = '{"i":5,"ok":false}' WHERE run_id = 'run-a' AND version = 5`,
      ),
    );
    expect(await verifyFile(path)).toMatchObject({
      ok: false,
      brokenAt: 5,
      reason: expect.stringMatching(/edited/),
    });
  });

  it('reports a re-hashed edit at the next version, whose prevHash no longer matches', async () => {
    const path = await ledgerWithEightVersions();
    raw(path, (db) => {
      const row = db
        .prepare("SELECT * FROM versions WHERE run_id = 'run-a' AND version = 5")
        .get() as Record<string, string | number | null>;
      const payload = '{"i":5,"ok":false}';
      const hash = hashVersion({
        runId: 'run-a',
        version: 5,
        step: String(row.step),
        kind: String(row.kind),
        createdBy: String(row.created_by),
        inputVersion: row.input_version as number,
        contract: null,
        tag: null,
        createdAt: Number(row.created_at),
        payload,
        prevHash: String(row.prev_hash),
      });
      db.prepare(
        "UPDATE versions SET payload = ?, hash = ? WHERE run_id = 'run-a' AND version = 5",
      ).run(payload, hash);
    });
    expect(await verifyFile(path)).toMatchObject({ ok: false, brokenAt: 6 });
  });

  it('reports a removed row at the missing version, and a removed tail against the head', async () => {
    const path = await ledgerWithEightVersions();
    raw(path, (db) => db.exec("DELETE FROM versions WHERE run_id = 'run-a' AND version = 5"));
    expect(await verifyFile(path)).toMatchObject({
      ok: false,
      brokenAt: 5,
      reason: expect.stringMatching(/missing/),
    });

    const tail = await ledgerWithEightVersions();
    raw(tail, (db) => db.exec("DELETE FROM versions WHERE run_id = 'run-a' AND version = 8"));
    expect(await verifyFile(tail)).toMatchObject({ ok: false, brokenAt: 8 });
  });

  it('reports two swapped rows at the first of them', async () => {
    const path = await ledgerWithEightVersions();
    raw(path, (db) =>
      db.exec(`
        UPDATE versions SET version = -1 WHERE run_id = 'run-a' AND version = 3;
        UPDATE versions SET version = 3 WHERE run_id = 'run-a' AND version = 4;
        UPDATE versions SET version = 4 WHERE run_id = 'run-a' AND version = -1;`),
    );
    expect(await verifyFile(path)).toMatchObject({ ok: false, brokenAt: 3 });
  });
});

describe('driver errors become domain errors', () => {
  it('turns a duplicate (run_id, version) into VersionConflictError for that write only', async () => {
    const path = tempPath();
    const store = await open(path);
    await store.createRun(sampleRun('a'));
    await store.createRun(sampleRun('b'));
    const a2 = (await appendWithRetry(store, 'a', 's', 1)).version;
    // A run row whose head lags its versions (a bad hand edit) passes the head check...
    raw(path, (db) => db.exec("UPDATE runs SET head_version = 1 WHERE run_id = 'a'"));
    const b1 = (await store.readVersions('b'))[0]!;
    const v1 = (await store.readVersions('a'))[0]!;
    const outcomes = await store.commit([
      { runId: 'a', expectedVersion: 1, versions: [nextVersion(v1, 'other', 2)] },
      { runId: 'b', expectedVersion: 1, versions: [nextVersion(b1, 's', 1)] },
    ]);
    // ...and is then refused by the primary key, without failing its neighbour.
    const [first, second] = outcomes;
    expect(first?.ok).toBe(false);
    const error = first && !first.ok ? first.error : undefined;
    expect(isVersionConflictError(error)).toBe(true);
    expect(error).toMatchObject({ runId: 'a', expectedVersion: 1, actualVersion: 2 });
    expect(second).toEqual({ ok: true, headVersion: 2 });
    expect(await store.readVersions('a')).toEqual([v1, a2]);
  });

  it('turns a lock held past busyTimeoutMs into a retryable StoreUnavailableError', async () => {
    const path = tempPath();
    const store = await open(path, { busyTimeoutMs: 20 });
    await store.createRun(sampleRun('a'));
    const other = new Database(path);
    cleanups.push(() => {
      other.close();
    });
    other.exec('BEGIN IMMEDIATE');
    const error = await store
      .commit([{ runId: 'a', run: { updatedAt: 2 } }])
      .catch((e: unknown) => e);
    other.exec('ROLLBACK');
    expect(isStoreUnavailableError(error)).toBe(true);
    expect(error).toMatchObject({ retryable: true });
    expect(await store.commit([{ runId: 'a', run: { updatedAt: 3 } }])).toEqual([
      { ok: true, headVersion: 1 },
    ]);
  });
});
