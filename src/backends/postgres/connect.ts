/**
 * Options and connections of the PostgreSQL ledger: resolving `postgresStore` options, building
 * the pool with the schema on every connection's search_path, and translating driver errors
 * into Baton's errors.
 *
 * Invariants:
 * - Every connection of the pool starts with `search_path` set to the store's schema (a startup
 *   parameter, so no query can run before it applies), hence every unqualified table name in the
 *   shared migrations lands in that schema.
 * - Errors and `describe()` name host, port, user, database and schema, never the password.
 * - A lost connection is discarded by the pool, never handed to another caller.
 */
import pg from 'pg';
import { InvalidArgumentError, StoreUnavailableError, toError } from '../../errors.js';
import { MAX_TIMER_MS, MAX_TIMER_TEXT } from '../../ledger/durations.js';
import { assertKnownOptions, type EveryKeyListed } from '../../ledger/known-options.js';

/** Options of `postgresStore`. */
export interface PostgresStoreOptions {
  /** `postgres://user[:password]@host[:port]/database`. */
  readonly connectionString?: string;
  /** Extra pool settings passed to `pg.Pool` (host, user, ssl, ...). */
  readonly pool?: pg.PoolConfig;
  /** Maximum connections of the pool (default 10). */
  readonly poolSize?: number;
  /** The schema holding every Baton table (default `baton`); created by `migrate()`. */
  readonly schema?: string;
  /** How long to wait for a connection before failing with StoreUnavailableError (default 5000). */
  readonly connectTimeoutMs?: number;
  /**
   * Open an existing store for reading only (default false): every session's transactions are
   * READ ONLY (`default_transaction_read_only`), the schema is never created or migrated,
   * `migrate()` refuses a schema without Baton's tables or of another schema version, and every
   * write throws `StoreReadOnlyError`.
   */
  readonly readOnly?: boolean;
}

/** Options after validation, with defaults filled. */
export interface ResolvedPostgresOptions {
  readonly pool: pg.PoolConfig;
  readonly schema: string;
  readonly where: ServerAddress;
  readonly readOnly: boolean;
}

/** Where the store connects, for messages (no password). */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Every option `postgresStore` knows (others are refused); a new option is added here too. */
export const POSTGRES_OPTION_KEYS = [
  'connectionString',
  'pool',
  'poolSize',
  'schema',
  'connectTimeoutMs',
  'readOnly',
] as const satisfies readonly (keyof PostgresStoreOptions)[];

// Fails to compile, naming the option, when PostgresStoreOptions gains a key not listed above.
const everyOptionListed: EveryKeyListed<PostgresStoreOptions, typeof POSTGRES_OPTION_KEYS> = true;
void everyOptionListed;

/**
 * Validates `postgresStore` options and fills defaults.
 * @throws InvalidArgumentError naming the bad value.
 */
export function resolvePostgresStoreOptions(
  urlOrOptions: string | PostgresStoreOptions,
): ResolvedPostgresOptions {
  const o: PostgresStoreOptions =
    typeof urlOrOptions === 'string' ? { connectionString: urlOrOptions } : (urlOrOptions ?? {});
  if (typeof urlOrOptions === 'string' && urlOrOptions.length === 0) {
    throw new InvalidArgumentError('the PostgreSQL URL must be a non-empty string', 'url');
  }
  if (typeof o !== 'object')
    throw new InvalidArgumentError('postgresStore needs a URL or an options object', 'options');
  assertKnownOptions(o, POSTGRES_OPTION_KEYS, 'postgresStore');
  const schema = o.schema ?? 'baton';
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new InvalidArgumentError(
      `schema must be a lowercase SQL identifier (letters, digits, _; at most 63), got ${JSON.stringify(schema)}`,
      'schema',
    );
  }
  // PostgreSQL's own schemas: creating Baton's tables there fails with a raw 42939 (pg_*) or
  // mixes them with the system catalog.
  if (schema.startsWith('pg_') || schema === 'information_schema') {
    throw new InvalidArgumentError(
      `schema '${schema}' is reserved by PostgreSQL; use a schema of Baton's own (default 'baton')`,
      'schema',
    );
  }
  const poolSize = o.poolSize ?? o.pool?.max ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new InvalidArgumentError(
      `poolSize must be a positive integer, got ${String(poolSize)}`,
      'poolSize',
    );
  }
  const connectTimeoutMs = o.connectTimeoutMs ?? o.pool?.connectionTimeoutMillis ?? 5000;
  if (
    !Number.isInteger(connectTimeoutMs) ||
    connectTimeoutMs < 1 ||
    connectTimeoutMs > MAX_TIMER_MS
  ) {
    throw new InvalidArgumentError(
      `connectTimeoutMs must be a positive integer ${MAX_TIMER_TEXT}, got ${String(connectTimeoutMs)}`,
      'connectTimeoutMs',
    );
  }
  const readOnly = o.readOnly ?? false;
  if (typeof readOnly !== 'boolean') {
    throw new InvalidArgumentError(
      `readOnly must be true or false, got ${JSON.stringify(readOnly) ?? String(readOnly)}`,
      'readOnly',
    );
  }
  const url = o.connectionString ? parseUrl(o.connectionString) : undefined;
  const base = o.pool ?? {};
  const where: ServerAddress = {
    host: String(base.host ?? url?.hostname ?? process.env.PGHOST ?? 'localhost'),
    port: Number(base.port ?? (url?.port || undefined) ?? process.env.PGPORT ?? 5432),
    user: String(base.user ?? (url?.username || undefined) ?? process.env.PGUSER ?? 'postgres'),
    database: String(
      base.database ?? (url?.pathname.slice(1) || undefined) ?? process.env.PGDATABASE ?? '',
    ),
  };
  // Read-only: the server itself refuses any write in any transaction of these sessions.
  const options = [
    base.options,
    `-c search_path=${schema}`,
    readOnly ? '-c default_transaction_read_only=on' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    pool: {
      ...base,
      ...(o.connectionString ? { connectionString: o.connectionString } : {}),
      max: poolSize,
      connectionTimeoutMillis: connectTimeoutMs,
      options,
    },
    schema,
    where,
    readOnly,
  };
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    // Never echo the text: it may hold a password.
    throw new InvalidArgumentError(
      'the PostgreSQL connection string is not a valid URL (postgres://user@host:port/database)',
      'connectionString',
    );
  }
}

/** `postgres://user@host:port/database` (no password), for messages and toJSON. */
export function describeAddress(where: ServerAddress): string {
  return `postgres://${where.user}@${where.host}:${where.port}/${where.database}`;
}

/** Creates the pool; an idle connection the server drops is logged by nobody and discarded. */
export function createPool(options: ResolvedPostgresOptions): pg.Pool {
  const pool = new pg.Pool(options.pool);
  // Without listeners, a connection the server terminates would crash the process: idle ones
  // report through the pool, checked-out ones through the client (their query rejects anyway).
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

/** SQLSTATE classes and codes meaning the server or the connection is gone or refused us. */
const UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown (pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '53300', // too_many_connections
  '28000', // invalid_authorization_specification (unknown role)
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name (unknown database)
  '40001', // serialization_failure: retry the whole transaction
  '40P01', // deadlock_detected: retry the whole transaction
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** True when `e` means the connection or server failed, not the statement. */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08')))
    return true;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const message = e instanceof Error ? e.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|Client was closed|not queryable/i.test(
    message,
  );
}

/**
 * Translates a driver error: connection-level failures become a retryable
 * `StoreUnavailableError` naming the server; anything else passes through.
 */
export function translateDriverError(e: unknown, where: ServerAddress): Error {
  if (!isConnectionError(e)) return toError(e);
  const code = (e as { code?: unknown }).code;
  const at = `${describeAddress(where)}`;
  const reason = e instanceof Error ? e.message : String(e);
  let message: string;
  if (code === '28000' || code === '28P01') {
    message = `PostgreSQL at ${where.host}:${where.port} refused user '${where.user}': ${reason}`;
  } else if (code === '3D000') {
    message = `PostgreSQL at ${where.host}:${where.port} has no database '${where.database}' (user '${where.user}'): ${reason}`;
  } else if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || /timeout/i.test(reason)) {
    message = `PostgreSQL at ${where.host}:${where.port} is unreachable (user '${where.user}'): ${reason}`;
  } else {
    message = `lost the connection to ${at} (the transaction was rolled back; retry it): ${reason}`;
  }
  return new StoreUnavailableError(message, e);
}
