/**
 * Plain helpers for the PostgreSQL test server (no test runner inside, so benchmarks and child
 * processes can use them): its URL (TEST_POSTGRES_URL), a probe, fresh schema names, ad-hoc SQL.
 */
import pg from 'pg';

/** The server tests use. */
export const POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether the server answered, and why not when it did not. */
export interface Probe {
  readonly available: boolean;
  readonly reason: string;
}

/** Connects once with a short timeout. */
export async function probePostgres(url = POSTGRES_URL): Promise<Probe> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { available: true, reason: '' };
  } catch (e) {
    return { available: false, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** A schema name unique to this process and call: `baton_test_<pid>_<random>`. */
export function uniqueSchema(label = 'run'): string {
  const random = Math.random().toString(36).slice(2, 10);
  return `baton_test_${label}_${process.pid}_${random}`.toLowerCase();
}

/** Runs SQL on a short-lived connection of its own. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}
