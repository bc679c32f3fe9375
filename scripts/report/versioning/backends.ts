/**
 * The two databases experiment 2 runs on, each holding both designs side by side:
 * - Baton's ledger (`sqliteStore` / `postgresStore`): append-only, hash-chained versions;
 * - a mutable record: one row per run, its state overwritten in place by every step, made
 *   correct with a lock (SQLite `BEGIN IMMEDIATE`; PostgreSQL `SELECT … FOR UPDATE`), so that
 *   it is not also wrong and only the cost differs.
 * Bytes are measured two ways: `logical`, the bytes of the rows themselves (SQLite: the payload
 * of every table and index b-tree, from `dbstat`; PostgreSQL: `pg_column_size` of every live row,
 * indexes not counted), and `disk`, what the files take (SQLite: the file after a WAL
 * checkpoint; PostgreSQL: relation sizes with indexes, TOAST and dead row versions, which a
 * table updated in place keeps until VACUUM), both page-granular.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type StateStore, sqliteStore } from 'baton-runtime';
import { postgresStore } from 'baton-runtime/postgres';
import Database from 'better-sqlite3';
import pg from 'pg';

/** Bytes a design takes in the database. */
export interface Bytes {
  readonly logical: number;
  readonly disk: number;
}

/** A record updated in place under a lock. */
export interface MutableRecords {
  create(id: string, state: string): Promise<void>;
  /** Locks the record, replaces its state with `next(current)`, in one transaction. */
  update(id: string, next: (current: string) => string): Promise<void>;
  read(id: string): Promise<string>;
  /** Bytes the records take in the database. */
  bytes(): Promise<Bytes>;
  close(): Promise<void>;
}

/** One database. */
export interface Backend {
  readonly name: 'SQLite' | 'PostgreSQL';
  /** A new, empty Baton store (not migrated). */
  store(label: string): StateStore;
  /** Bytes the Baton store of `label` takes (after its store was closed). */
  storeBytes(label: string): Promise<Bytes>;
  /** New, empty mutable records. */
  records(label: string): Promise<MutableRecords>;
  /** Drops what this backend created. */
  cleanup(): Promise<void>;
}

function sqliteBytes(path: string): Bytes {
  const db = new Database(path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const row = db.prepare('SELECT sum(payload) AS n FROM dbstat').get() as { n: number | null };
    return { logical: row.n ?? 0, disk: statSync(path).size };
  } finally {
    db.close();
  }
}

/** SQLite files in `dir`, synchronous NORMAL (WAL) on both sides. */
export function sqliteBackend(dir: string): Backend {
  const file = (label: string): string => join(dir, `versioning-${label}.db`);
  return {
    name: 'SQLite',
    store: (label) => sqliteStore(file(label), { synchronous: 'NORMAL' }),
    storeBytes: async (label) => sqliteBytes(file(label)),
    async records(label) {
      const path = file(`${label}-mutable`);
      const db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(
        'CREATE TABLE records (id TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL)',
      );
      const insert = db.prepare('INSERT INTO records (id, version, state) VALUES (?, 1, ?)');
      const select = db.prepare<[string], { state: string }>(
        'SELECT state FROM records WHERE id = ?',
      );
      const write = db.prepare('UPDATE records SET state = ?, version = version + 1 WHERE id = ?');
      const update = db.transaction((id: string, next: (s: string) => string) => {
        const row = select.get(id);
        if (!row) throw new Error(`no record ${id}`);
        write.run(next(row.state), id);
      });
      return {
        create: async (id, state) => void insert.run(id, state),
        update: async (id, next) => update.immediate(id, next),
        read: async (id) => select.get(id)?.state ?? '',
        bytes: async () => {
          db.pragma('wal_checkpoint(TRUNCATE)');
          const row = db.prepare('SELECT sum(payload) AS n FROM dbstat').get() as {
            n: number | null;
          };
          return { logical: row.n ?? 0, disk: statSync(path).size };
        },
        close: async () => void db.close(),
      };
    },
    cleanup: async () => undefined,
  };
}

/** PostgreSQL at `url`, one schema per store or record table, dropped by `cleanup`. */
export function postgresBackend(url: string): Backend {
  const schemas: string[] = [];
  const schemaOf = (label: string): string => `report_${process.pid}_${label.replace(/\W/g, '_')}`;
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  const schemaBytes = async (schema: string): Promise<Bytes> => {
    const tables = await admin.query<{ relname: string; disk: string }>(
      `SELECT c.relname, pg_total_relation_size(c.oid) AS disk FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [schema],
    );
    let logical = 0;
    let disk = 0;
    for (const t of tables.rows) {
      disk += Number(t.disk);
      const r = await admin.query<{ n: string | null }>(
        `SELECT sum(pg_column_size(t.*)) AS n FROM ${schema}."${t.relname}" t`,
      );
      logical += Number(r.rows[0]?.n ?? 0);
    }
    return { logical, disk };
  };
  return {
    name: 'PostgreSQL',
    store(label) {
      schemas.push(schemaOf(label));
      return postgresStore({ connectionString: url, schema: schemaOf(label), poolSize: 4 });
    },
    storeBytes: (label) => schemaBytes(schemaOf(label)),
    async records(label) {
      const schema = schemaOf(`${label}_mutable`);
      schemas.push(schema);
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.query(
        `CREATE TABLE ${schema}.records (id TEXT PRIMARY KEY, version INTEGER NOT NULL, state JSONB NOT NULL)`,
      );
      const pool = new pg.Pool({ connectionString: url, max: 4 });
      const t = `${schema}.records`;
      return {
        create: async (id, state) =>
          void (await pool.query(`INSERT INTO ${t} VALUES ($1, 1, $2)`, [id, state])),
        async update(id, next) {
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            const r = await c.query<{ state: unknown }>(
              `SELECT state FROM ${t} WHERE id = $1 FOR UPDATE`,
              [id],
            );
            const current = JSON.stringify(r.rows[0]?.state);
            await c.query(`UPDATE ${t} SET state = $2, version = version + 1 WHERE id = $1`, [
              id,
              next(current),
            ]);
            await c.query('COMMIT');
          } catch (e) {
            await c.query('ROLLBACK');
            throw e;
          } finally {
            c.release();
          }
        },
        read: async (id) =>
          JSON.stringify(
            (await pool.query(`SELECT state FROM ${t} WHERE id = $1`, [id])).rows[0]?.state,
          ),
        bytes: () => schemaBytes(schema),
        close: () => pool.end(),
      };
    },
    async cleanup() {
      for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      await admin.end();
    },
  };
}

/** Whether PostgreSQL answers at `url`: its version, or why not. */
export async function probePostgres(
  url: string,
): Promise<{ readonly version: string } | { readonly reason: string }> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    const r = await c.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return { version: r.rows[0]?.v ?? 'unknown' };
  } catch (e) {
    return { reason: (e as Error).message };
  } finally {
    await c.end().catch(() => undefined);
  }
}
