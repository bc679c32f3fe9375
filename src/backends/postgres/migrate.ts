/**
 * Applying Baton's migrations to a PostgreSQL schema.
 *
 * Invariants:
 * - Each migration runs in its own transaction together with its row in `baton_migrations`,
 *   under a transaction-scoped advisory lock keyed by the schema name: concurrent migrators
 *   (many workers starting at once) queue on the lock, re-read the applied version inside it,
 *   and apply each migration exactly once.
 * - A schema that holds tables but no `baton_migrations` is refused before anything is written.
 * - A schema written by newer code is refused (`StoreSchemaTooNewError`), never downgraded.
 */
import type pg from 'pg';
import { NotABatonStoreError, StoreSchemaTooNewError } from '../../errors.js';
import {
  MIGRATIONS,
  MIGRATIONS_TABLE,
  MIGRATIONS_TABLE_DDL,
  SCHEMA_VERSION,
} from '../../ledger/migrations.js';
import { assertReadableSchema } from '../../ledger/read-only-store.js';
import { rollbackUnlessBroken } from './driver-errors.js';

/** Applies pending migrations to `schema` through one connection of `pool`. */
export async function migrateSchema(
  client: pg.PoolClient,
  schema: string,
  location: string,
): Promise<void> {
  const lockKey = `baton:${schema}`;
  const current = await inTransaction(client, lockKey, async () => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const tables = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    const names = tables.rows.map((r) => r.table_name);
    if (names.length > 0 && !names.includes(MIGRATIONS_TABLE)) {
      throw new NotABatonStoreError(
        location,
        `schema '${schema}' has tables (${names.slice(0, 5).join(', ')}) but no ${MIGRATIONS_TABLE} table`,
      );
    }
    await client.query(MIGRATIONS_TABLE_DDL.postgres);
    return appliedVersion(client);
  });
  if (current > SCHEMA_VERSION) throw new StoreSchemaTooNewError(location, current, SCHEMA_VERSION);
  for (const m of MIGRATIONS) {
    if (m.id <= current) continue;
    await inTransaction(client, lockKey, async () => {
      // Another process may have applied it while we waited for the lock.
      if ((await appliedVersion(client)) >= m.id) return;
      for (const sql of m.postgres) await client.query(sql);
      await client.query(
        `INSERT INTO ${MIGRATIONS_TABLE} (id, name, applied_at) VALUES ($1, $2, $3)`,
        [m.id, m.name, Date.now()],
      );
    });
  }
}

async function appliedVersion(client: pg.PoolClient): Promise<number> {
  const r = await client.query<{ v: number | null }>(
    `SELECT MAX(id)::int AS v FROM ${MIGRATIONS_TABLE}`,
  );
  return r.rows[0]?.v ?? 0;
}

async function inTransaction<T>(
  client: pg.PoolClient,
  lockKey: string,
  body: () => Promise<T>,
): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey]);
    const out = await body();
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await rollbackUnlessBroken(client, e);
    throw e;
  }
}

/**
 * For a read-only store: checks that `schema` holds a Baton store of this code's schema version,
 * in a READ ONLY transaction that creates and locks nothing.
 * @throws NotABatonStoreError, StoreSchemaTooNewError, StoreSchemaOutdatedError
 */
export async function checkSchemaReadOnly(
  client: pg.PoolClient,
  schema: string,
  location: string,
): Promise<void> {
  await client.query('BEGIN READ ONLY');
  try {
    const tables = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    const names = tables.rows.map((r) => r.table_name);
    if (names.length === 0) {
      throw new NotABatonStoreError(
        location,
        `schema '${schema}' does not exist or has no tables; a read-only open never creates it`,
      );
    }
    if (!names.includes(MIGRATIONS_TABLE)) {
      throw new NotABatonStoreError(
        location,
        `schema '${schema}' has tables (${names.slice(0, 5).join(', ')}) but no ${MIGRATIONS_TABLE} table`,
      );
    }
    assertReadableSchema(location, await appliedVersion(client));
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
