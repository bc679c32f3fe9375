/**
 * Row 7 (library side): `sqliteStore(path, { readOnly: true })` opens an existing Baton store
 * without changing it, refuses anything else with a typed error, and refuses every write.
 *
 * What SQLite really does, and so what is asserted: the database file is never written (bytes
 * and mtime unchanged); to read a WAL database SQLite needs `-wal` and `-shm` files and creates
 * them when missing, with the database file's mode (and, run as root, its owner); a process that
 * is neither the owner nor root is refused instead, before anything is created.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRuntime,
  isInvalidArgumentError,
  isNotABatonStoreError,
  isStoreReadOnlyError,
  isStoreSchemaOutdatedError,
  isStoreSchemaTooNewError,
  type StateStore,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { MIGRATIONS, MIGRATIONS_TABLE, MIGRATIONS_TABLE_DDL } from '../../src/ledger/migrations.js';
import { Num, numAgent } from '../robustness/fixtures.js';
import { tempDbPath } from '../support/temp-db.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const wf = workflow('read-only', { version: 1, input: Num })
  .step('a', numAgent('a').agent, { input: (s) => s.input })
  .output((s) => s.a);

function newPath(label: string): string {
  const db = tempDbPath(label);
  cleanups.push(db.remove);
  return db.path;
}

/** A store with one completed run, closed cleanly (so its -wal and -shm files are gone). */
async function storeWithRun(label: string): Promise<{ path: string; runId: string }> {
  const path = newPath(label);
  const rt = createRuntime({ store: sqliteStore(path), workflows: [wf] });
  const run = await rt.start(wf, 1);
  await run.result();
  await rt.close();
  return { path, runId: run.id };
}

/** What must not change: the file's bytes and mtime. */
function fingerprint(path: string): { sha: string; mtimeMs: number; size: number } {
  const st = statSync(path);
  return {
    sha: createHash('sha256').update(readFileSync(path)).digest('hex'),
    mtimeMs: st.mtimeMs,
    size: st.size,
  };
}

function readOnly(path: string): StateStore {
  const store = sqliteStore(path, { readOnly: true });
  cleanups.push(() => store.close());
  return store;
}

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('sqliteStore readOnly: what is not a Baton store', () => {
  it('an empty file: NotABatonStoreError, and the file stays 0 bytes with no side files', async () => {
    const path = newPath('ro-empty');
    writeFileSync(path, '');
    const e = await failure(readOnly(path).migrate());
    expect(isNotABatonStoreError(e)).toBe(true);
    expect((e as Error).message).toContain('the file is empty');
    expect(statSync(path).size).toBe(0);
    expect(readdirSync(dirname(path))).toEqual(['baton.db']);
  });

  it('a missing file: NotABatonStoreError, and nothing is created', async () => {
    const path = newPath('ro-missing');
    const e = await failure(readOnly(path).migrate());
    expect(isNotABatonStoreError(e)).toBe(true);
    expect((e as Error).message).toContain('does not exist');
    expect(readdirSync(dirname(path))).toEqual([]);
  });

  it('a SQLite file without Baton tables, with tables of its own, or a text file', async () => {
    const blank = newPath('ro-blank');
    const empty = new Database(blank);
    empty.pragma('user_version = 1'); // a valid SQLite database holding no table at all
    empty.close();
    const foreign = newPath('ro-foreign');
    const other = new Database(foreign);
    other.exec('CREATE TABLE customers (id INTEGER)');
    other.close();
    const text = newPath('ro-text');
    writeFileSync(text, 'not a database, just text');
    for (const path of [blank, foreign, text]) {
      const before = fingerprint(path);
      const e = await failure(readOnly(path).migrate());
      expect(isNotABatonStoreError(e), String(e)).toBe(true);
      expect(fingerprint(path)).toEqual(before);
    }
    const e = (await failure(readOnly(blank).migrate())) as Error;
    expect(e.message).toContain('no Baton tables');
  });

  it('refuses readOnly for a private in-memory database and a non-boolean value', () => {
    expect(
      isInvalidArgumentError(catchSync(() => sqliteStore(':memory:', { readOnly: true }))),
    ).toBe(true);
    const bad = catchSync(() => sqliteStore('x.db', { readOnly: 'yes' as unknown as boolean }));
    expect(isInvalidArgumentError(bad)).toBe(true);
    expect((bad as Error).message).toContain('"yes"');
  });
});

describe('sqliteStore readOnly on a Baton store', () => {
  it('reads runs, history and verify through a runtime without changing the file', async () => {
    const { path, runId } = await storeWithRun('ro-read');
    const before = fingerprint(path);
    const rt = createRuntime({ store: sqliteStore(path, { readOnly: true }), resume: false });
    cleanups.push(() => rt.close());
    await rt.ready();
    expect((await rt.getRun(runId)).status).toBe('completed');
    expect((await rt.history(runId)).map((s) => s.step)).toEqual(['input', 'a']);
    expect((await rt.verify(runId)).ok).toBe(true);
    expect((await rt.listRuns({})).map((r) => r.runId)).toEqual([runId]);
    await rt.close();
    expect(fingerprint(path)).toEqual(before);
  });

  it('creates -wal/-shm only as SQLite needs them, with the file’s mode and owner', async () => {
    const { path } = await storeWithRun('ro-side');
    chmodSync(path, 0o640);
    expect(existsSync(`${path}-wal`)).toBe(false);
    const store = readOnly(path);
    await store.migrate();
    await store.listRuns({});
    await store.close();
    const st = statSync(path);
    for (const side of [`${path}-wal`, `${path}-shm`]) {
      const s = statSync(side);
      expect(s.mode & 0o777).toBe(0o640);
      expect([s.uid, s.gid]).toEqual([st.uid, st.gid]);
    }
    expect(statSync(`${path}-wal`).size).toBe(0);
  });

  it('refuses every write with StoreReadOnlyError and leaves the file as it was', async () => {
    const { path, runId } = await storeWithRun('ro-writes');
    const before = fingerprint(path);
    const store = readOnly(path);
    await store.migrate();
    expect(store.readOnly).toBe(true);
    const [run] = await store.listRuns({});
    const attempts: [string, () => Promise<unknown>][] = [
      [
        'appendRecords',
        () => store.appendRecords([{ kind: 'alert', key: 'k', runId, at: 1, body: {} }]),
      ],
      ['deleteRun', () => store.deleteRun(runId)],
      ['claimRuns', () => store.claimRuns({ owner: 'o', now: 1, expiresAt: 2, limit: 1 })],
      [
        'saveShape',
        () =>
          store.saveShape({
            name: 'w',
            version: 1,
            input: 'x',
            steps: [],
            order: [],
            contracts: {},
            registeredAt: 1,
          }),
      ],
      ['governance.appendAudit', () => store.governance.appendAudit([])],
      ['events.appendEvents', () => store.events.appendEvents([])],
      [
        'quotas.take',
        () =>
          store.quotas.take({ key: 'k', now: 1, estimate: 1, leaseMs: 1, limits: { windowMs: 1 } }),
      ],
    ];
    for (const [operation, attempt] of attempts) {
      const e = await failure(attempt());
      expect(isStoreReadOnlyError(e), `${operation}: ${String(e)}`).toBe(true);
      expect(e).toMatchObject({ operation, location: path });
    }
    expect(run?.runId).toBe(runId);
    // Reading needs no write: an empty batch of records is fine.
    await store.appendRecords([]);
    await store.close();
    expect(fingerprint(path)).toEqual(before);
  });

  it('a runtime on it starts no run: StoreReadOnlyError, nothing written', async () => {
    const { path } = await storeWithRun('ro-start');
    const before = fingerprint(path);
    const rt = createRuntime({ store: sqliteStore(path, { readOnly: true }), workflows: [wf] });
    cleanups.push(() => rt.close());
    await rt.ready();
    const e = await failure(rt.start(wf, 2));
    expect(isStoreReadOnlyError(e)).toBe(true);
    await rt.close();
    expect(fingerprint(path)).toEqual(before);
  });

  it('a runtime on it resumes nothing, and refuses options that would write in the background', async () => {
    const { path } = await storeWithRun('ro-options');
    const store = () => sqliteStore(path, { readOnly: true });
    for (const [name, extra] of [
      ['resume', { resume: true }],
      ['scheduler', { scheduler: true }],
      ['retention', { retention: { olderThan: 1, everyMs: 1000 } }],
    ] as const) {
      const e = catchSync(() => createRuntime({ store: store(), ...extra }));
      expect(isInvalidArgumentError(e), name).toBe(true);
      expect((e as Error).message).toContain(`options.${name} needs a writable store`);
    }
  });

  it('reads what a live writer commits, through the writer’s -wal and -shm', async () => {
    const path = newPath('ro-live');
    const writer = createRuntime({ store: sqliteStore(path), workflows: [wf] });
    cleanups.push(() => writer.close());
    await (await writer.start(wf, 1)).result();
    const reader = readOnly(path);
    await reader.migrate();
    expect(await reader.listRuns({})).toHaveLength(1);
    const second = await writer.start(wf, 2);
    await second.result();
    expect((await reader.getRun(second.id))?.status).toBe('completed');
  });
});

describe('sqliteStore readOnly and schema versions', () => {
  it('an older schema is StoreSchemaOutdatedError (unchanged), read after a writable open migrates it', async () => {
    const path = newPath('ro-old');
    const previous = MIGRATIONS[MIGRATIONS.length - 2]!.id;
    writeOlderStore(path, previous);
    const before = fingerprint(path);
    const e = await failure(readOnly(path).migrate());
    expect(isStoreSchemaOutdatedError(e)).toBe(true);
    expect(e).toMatchObject({ storeVersion: previous, location: path });
    expect((e as Error).message).toContain('baton migrate');
    expect(fingerprint(path)).toEqual(before);
    const writable = sqliteStore(path);
    await writable.migrate();
    await writable.close();
    const again = sqliteStore(path, { readOnly: true });
    await again.migrate();
    expect(await again.listRuns({})).toEqual([]);
    await again.close();
  });

  it('a newer schema is StoreSchemaTooNewError, as on a writable open', async () => {
    const { path } = await storeWithRun('ro-new');
    const raw = new Database(path);
    raw
      .prepare(`INSERT INTO ${MIGRATIONS_TABLE} (id, name, applied_at) VALUES (999, 'x', 0)`)
      .run();
    raw.close();
    const e = await failure(readOnly(path).migrate());
    expect(isStoreSchemaTooNewError(e)).toBe(true);
  });
});

const nobody = process.geteuid?.() === 0;

describe('sqliteStore readOnly as another user', () => {
  it.skipIf(!nobody)(
    '(needs root to switch users) is refused before SQLite creates -wal/-shm it would own',
    async () => {
      const { path } = await storeWithRun('ro-nobody');
      // The folder is open to everyone (like /tmp), the file readable by everyone.
      chmodSync(dirname(path), 0o1777);
      chmodSync(path, 0o644);
      const before = fingerprint(path);
      const script = `import('${pathToImport('src/backends/sqlite/sqlite-store.ts')}').then(async ({ sqliteStore }) => {
        const s = sqliteStore(${JSON.stringify(path)}, { readOnly: true });
        try { await s.migrate(); console.log('opened'); } catch (e) { console.log(e.code + ' ' + e.message); }
      })`;
      const out = await runAs(65534, script);
      expect(out).toContain('STORE_UNAVAILABLE');
      expect(out).toContain('run the command as the store');
      expect(readdirSync(dirname(path))).toEqual(['baton.db']);
      expect(fingerprint(path)).toEqual(before);
    },
  );
});

function catchSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

function pathToImport(relative: string): string {
  return join(process.cwd(), relative);
}

/**
 * A path to this Node binary that any user may run: the binary itself when every folder above it
 * is open to others, else a copy in a temporary folder (CI installs Node 24 under /root, which
 * other users cannot enter).
 */
function nodeForOtherUsers(): string {
  const open = (p: string, bits: number) => (statSync(p).mode & bits) === bits;
  let dir = dirname(process.execPath);
  let reachable = open(process.execPath, 0o005);
  for (; reachable && dir !== dirname(dir); dir = dirname(dir)) reachable = open(dir, 0o001);
  if (reachable) return process.execPath;
  const copyDir = mkdtempSync(join(tmpdir(), 'baton-node-'));
  chmodSync(copyDir, 0o755);
  const copy = join(copyDir, 'node');
  copyFileSync(process.execPath, copy);
  chmodSync(copy, 0o755);
  return copy;
}

/** Runs an ESM snippet through tsx as `uid`, returning its stdout. */
function runAs(uid: number, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      nodeForOtherUsers(),
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        uid,
        gid: uid,
        cwd: process.cwd(),
        env: { ...process.env, HOME: '/' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', () => resolve(out + err));
  });
}

/** A store exactly as a release whose last migration was `upTo` left it, with no runs. */
function writeOlderStore(path: string, upTo: number): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(MIGRATIONS_TABLE_DDL.sqlite);
  for (const m of MIGRATIONS.filter((x) => x.id <= upTo)) {
    for (const sql of m.sqlite) db.exec(sql);
    db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (id, name, applied_at) VALUES (?, ?, ?)`).run(
      m.id,
      m.name,
      1,
    );
  }
  db.close();
}
