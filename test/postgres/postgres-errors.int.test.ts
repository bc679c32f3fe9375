import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import {
  isInvalidArgumentError,
  isNotABatonStoreError,
  isStoreSchemaTooNewError,
  isStoreUnavailableError,
  type StoreSchemaTooNewError,
} from '../../src/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/ledger/migrations.js';
import type { StateStore } from '../../src/ledger/store.js';
import { sampleRun } from '../../src/testing/state-store-fixtures.js';
import {
  adminQuery,
  describeWithPostgres,
  dropSchema,
  POSTGRES_URL,
  uniqueSchema,
} from './server.js';

const url = new URL(POSTGRES_URL);
const schemas: string[] = [];
const stores: StateStore[] = [];

function open(options: Parameters<typeof postgresStore>[0]): StateStore {
  const store = postgresStore(options);
  stores.push(store);
  return store;
}

function schema(): string {
  const s = uniqueSchema('errors');
  schemas.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const s of schemas.splice(0)) await dropSchema(s);
});

it('rejects bad options with InvalidArgumentError naming the value', () => {
  expect(() => postgresStore({ schema: 'Bad-Name' })).toThrow(/schema.*"Bad-Name"/);
  expect(() => postgresStore({ poolSize: 0 })).toThrow(/poolSize.*0/);
  expect(() => postgresStore('')).toThrow(/non-empty/);
  let error: unknown;
  try {
    postgresStore('not a url :: sekret');
  } catch (e) {
    error = e;
  }
  expect(isInvalidArgumentError(error)).toBe(true);
  expect(String((error as Error).message)).not.toContain('sekret');
});

it('reports an unreachable server as StoreUnavailableError naming host, port and user, never the password', async () => {
  const store = open({
    connectionString: 'postgres://someone:sekret-pw@127.0.0.1:1/test',
    connectTimeoutMs: 2000,
  });
  const error = await store.migrate().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStoreUnavailableError(error)).toBe(true);
  const message = (error as Error).message;
  expect(message).toContain('127.0.0.1:1');
  expect(message).toContain("'someone'");
  expect(message).not.toContain('sekret-pw');
  expect(JSON.stringify(store)).not.toContain('sekret-pw');
  expect(JSON.stringify(store)).toContain('someone@127.0.0.1:1/test');
  expect(JSON.stringify((error as { toJSON(): unknown }).toJSON())).not.toContain('sekret-pw');
});

describeWithPostgres('postgresStore errors against the server', () => {
  it('reports an unknown user and an unknown database as StoreUnavailableError naming them', async () => {
    const badUser = new URL(POSTGRES_URL);
    badUser.username = 'baton_no_such_role';
    const userError = await open(badUser.toString())
      .migrate()
      .catch((e: unknown) => e);
    expect(isStoreUnavailableError(userError)).toBe(true);
    expect((userError as Error).message).toContain("refused user 'baton_no_such_role'");
    expect((userError as Error).message).toContain(`${url.hostname}:${url.port || 5432}`);

    const badDb = new URL(POSTGRES_URL);
    badDb.pathname = '/baton_no_such_database';
    const dbError = await open(badDb.toString())
      .migrate()
      .catch((e: unknown) => e);
    expect(isStoreUnavailableError(dbError)).toBe(true);
    expect((dbError as Error).message).toContain("no database 'baton_no_such_database'");
  });

  it('refuses a schema written by newer code with StoreSchemaTooNewError and writes nothing', async () => {
    const s = schema();
    const first = open({ connectionString: POSTGRES_URL, schema: s });
    await first.migrate();
    await first.close();
    await adminQuery(
      `INSERT INTO ${s}.baton_migrations (id, name, applied_at) VALUES ($1, 'future', 0)`,
      [SCHEMA_VERSION + 1],
    );
    const error = await open({ connectionString: POSTGRES_URL, schema: s })
      .migrate()
      .catch((e: unknown) => e);
    expect(isStoreSchemaTooNewError(error)).toBe(true);
    expect(error).toMatchObject({ storeVersion: SCHEMA_VERSION + 1, codeVersion: SCHEMA_VERSION });
    expect((error as StoreSchemaTooNewError).message).toContain(`schema ${s}`);
  });

  it('refuses a schema holding foreign tables with NotABatonStoreError and leaves it untouched', async () => {
    const s = schema();
    await adminQuery(`CREATE SCHEMA ${s}`);
    await adminQuery(`CREATE TABLE ${s}.invoices (id int)`);
    const error = await open({ connectionString: POSTGRES_URL, schema: s })
      .migrate()
      .catch((e: unknown) => e);
    expect(isNotABatonStoreError(error)).toBe(true);
    const tables = await adminQuery<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [s],
    );
    expect(tables.map((t) => t.table_name)).toEqual(['invoices']);
  });

  it('applies each migration exactly once when many stores migrate one schema at once', async () => {
    const s = schema();
    const racers = Array.from({ length: 6 }, () =>
      open({ connectionString: POSTGRES_URL, schema: s, poolSize: 1 }),
    );
    await Promise.all(racers.map((r) => r.migrate()));
    const applied = await adminQuery<{ id: number }>(
      `SELECT id FROM ${s}.baton_migrations ORDER BY id`,
    );
    expect(applied.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
    await racers[0]!.createRun(sampleRun('after-race'));
    expect((await racers[5]!.getRun('after-race'))?.headVersion).toBe(1);
  });

  it('keeps every table in its own schema and never opens more connections than poolSize', async () => {
    const s = schema();
    const app = `baton_pool_${s}`.slice(0, 60);
    const store = open({
      connectionString: POSTGRES_URL,
      schema: s,
      poolSize: 2,
      pool: { application_name: app },
    });
    await store.migrate();
    const seen = new Set<number>();
    const sample = async () => {
      const rows = await adminQuery<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
        [app],
      );
      for (const r of rows) seen.add(r.pid);
      return rows.length;
    };
    const counts: number[] = [];
    const creates = Array.from({ length: 40 }, (_, i) => store.createRun(sampleRun(`r${i}`)));
    counts.push(await sample());
    await Promise.all(creates);
    counts.push(await sample());
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    expect(seen.size).toBeGreaterThanOrEqual(1);
    expect(await store.listRuns({})).toHaveLength(40);
    const tables = await adminQuery<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
      [s],
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['baton_migrations', 'journal', 'records', 'runs', 'versions']),
    );
  });

  it('fails only the offending write when a hand-edited head lags the versions (23505 becomes VersionConflictError)', async () => {
    const s = schema();
    const store = open({ connectionString: POSTGRES_URL, schema: s });
    await store.migrate();
    const { nextVersion } = await import('../../src/testing/state-store-fixtures.js');
    const a = sampleRun('a');
    const b = sampleRun('b');
    await store.createRun(a);
    await store.createRun(b);
    const a2 = nextVersion(a.firstVersion, 'score', 1);
    await store.commit([{ runId: 'a', expectedVersion: 1, versions: [a2] }]);
    await adminQuery(`UPDATE ${s}.runs SET head_version = 1 WHERE run_id = 'a'`);
    const outcomes = await store.commit([
      { runId: 'a', expectedVersion: 1, versions: [nextVersion(a.firstVersion, 'score', 2)] },
      { runId: 'b', expectedVersion: 1, versions: [nextVersion(b.firstVersion, 'score', 3)] },
    ]);
    expect(outcomes[0]).toMatchObject({
      ok: false,
      error: { code: 'VERSION_CONFLICT', expectedVersion: 1, actualVersion: 2 },
    });
    expect(outcomes[1]).toEqual({ ok: true, headVersion: 2 });
    expect(await store.readVersions('a')).toEqual([a.firstVersion, a2]);
    expect((await store.readVersions('b')).map((v) => v.version)).toEqual([1, 2]);
  });

  it('creates many runs in one transaction: a bad init fails alone, an existing id is returned', async () => {
    const store = open({ connectionString: POSTGRES_URL, schema: schema() });
    await store.migrate();
    await store.createRun(sampleRun('old', { input: { n: 1 } }));
    const { nextVersion } = await import('../../src/testing/state-store-fixtures.js');
    const bad = sampleRun('bad');
    const results = await store.createRuns!([
      sampleRun('new-1'),
      { ...bad, firstVersion: nextVersion(bad.firstVersion, 'x', 1) },
      sampleRun('old', { input: { n: 2 } }),
      sampleRun('new-2', { idempotencyKey: 'k' }),
      sampleRun('new-3', { idempotencyKey: 'k' }),
    ]);
    expect(results.map((r) => (r instanceof Error ? r.name : [r.run.runId, r.created]))).toEqual([
      ['new-1', true],
      'InvalidArgumentError',
      ['old', false],
      ['new-2', true],
      ['new-2', false],
    ]);
    expect((await store.listRuns({})).map((r) => r.runId).sort()).toEqual([
      'new-1',
      'new-2',
      'old',
    ]);
    expect((await store.readVersions('old'))[0]?.payload).toBe('{"n":1}');
    expect(await store.getRun('bad')).toBeUndefined();
  });

  it('rejects a commit whose connection dies with a retryable StoreUnavailableError, and a retry cannot apply twice', async () => {
    const s = schema();
    const app = `baton_kill_${s}`.slice(0, 60);
    const store = open({
      connectionString: POSTGRES_URL,
      schema: s,
      poolSize: 1,
      pool: { application_name: app },
    });
    await store.migrate();
    const init = sampleRun('victim');
    await store.createRun(init);
    // Hold the run row from another session so the commit blocks inside its transaction.
    const blocker = new pg.Client({ connectionString: POSTGRES_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM ${s}.runs WHERE run_id = 'victim' FOR UPDATE`);
      const { nextVersion } = await import('../../src/testing/state-store-fixtures.js');
      const v2 = nextVersion(init.firstVersion, 'score', { score: 700 });
      const write = { runId: 'victim', expectedVersion: 1, versions: [v2] };
      const pending = store.commit([write]).then(
        (o) => ({ ok: true as const, o }),
        (e: unknown) => ({ ok: false as const, e }),
      );
      // Wait (by observation, not by time) until the commit is blocked on the row lock.
      for (let i = 0; i < 10_000; i++) {
        const waiting = await blocker.query(
          `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
          [app],
        );
        if (waiting.rowCount) break;
      }
      const killed = await blocker.query(
        'SELECT pg_terminate_backend(pid) AS k FROM pg_stat_activity WHERE application_name = $1',
        [app],
      );
      expect(killed.rows.some((r: { k: boolean }) => r.k)).toBe(true);
      await blocker.query('ROLLBACK');
      const result = await pending;
      expect(result.ok).toBe(false);
      const error = result.ok ? undefined : result.e;
      expect(isStoreUnavailableError(error)).toBe(true);
      expect((error as { retryable: boolean }).retryable).toBe(true);
      expect(await store.readVersions('victim')).toEqual([init.firstVersion]);
      // The caller retries: it applies once; a second retry conflicts instead of double-applying.
      expect(await store.commit([write])).toEqual([{ ok: true, headVersion: 2 }]);
      const [again] = await store.commit([write]);
      expect(again).toMatchObject({
        ok: false,
        error: { code: 'VERSION_CONFLICT', actualVersion: 2 },
      });
      expect((await store.readVersions('victim')).map((v) => v.version)).toEqual([1, 2]);
    } finally {
      await blocker.end().catch(() => {});
    }
  });
});
