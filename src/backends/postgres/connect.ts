/**
 * Options and connections of the PostgreSQL ledger: resolving `postgresStore` options and
 * building the pool with the schema on every connection's search_path. Driver errors are
 * translated in driver-errors.ts.
 *
 * Invariants:
 * - Every connection of the pool starts with `search_path` set to the store's schema (a startup
 *   parameter, so no query can run before it applies), hence every unqualified table name in the
 *   shared migrations lands in that schema.
 * - No call waits on the server forever: connecting is bounded by `connectTimeoutMs`, every
 *   query by `queryTimeoutMs` (a client-side timer, which also discards the connection), and the
 *   server drops a transaction whose client went silent (`idle_in_transaction_session_timeout`)
 *   and a statement running past the same bound (`statement_timeout`), so the row locks of a
 *   client that vanished mid-transaction are freed.
 * - The user named in messages is the one the driver really sends (URL, pool, PGUSER, then the
 *   operating-system user); with none at all the options are refused before any I/O.
 * - Schema `public` is refused unless `allowPublicSchema` says so.
 * - Errors and `describe()` name host, port, user, database and schema, never the password.
 */
import pg from 'pg';
import { InvalidArgumentError } from '../../errors.js';
import { describeValue } from '../../ledger/describe-value.js';
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
   * How long one query may wait for the server's answer before it fails with a retryable
   * StoreUnavailableError and its connection is discarded (default 60,000). The server is told
   * the same bound (`statement_timeout`, `idle_in_transaction_session_timeout`), so it also
   * rolls back a transaction whose client went silent and frees its locks.
   */
  readonly queryTimeoutMs?: number;
  /**
   * TCP keep-alive: after this long without traffic the OS probes the server, so a connection
   * to a host that vanished is found dead instead of waiting forever (default 10,000; 0 = off).
   */
  readonly keepAliveMs?: number;
  /**
   * Allow `schema: 'public'` (refused by default: `public` is shared with the application's own
   * tables and extensions, and before PostgreSQL 15 every role may create objects in it). Set it
   * when the role may create tables only there.
   */
  readonly allowPublicSchema?: boolean;
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
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
}

/** Where the store connects, for messages (no password). */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Where the user name came from; `os` means the URL named none (messages say so). */
  readonly userFrom: 'url' | 'pool' | 'PGUSER' | 'os';
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
  'queryTimeoutMs',
  'keepAliveMs',
  'allowPublicSchema',
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
  if (schema === 'public' && o.allowPublicSchema !== true) {
    throw new InvalidArgumentError(
      "schema 'public' is shared with the application's tables (and open to every role before PostgreSQL 15); use a schema of Baton's own (default 'baton'), or pass allowPublicSchema: true if the role may create tables only there",
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
  const connectTimeoutMs = duration(
    'connectTimeoutMs',
    o.connectTimeoutMs ?? o.pool?.connectionTimeoutMillis ?? 5000,
    1,
  );
  const queryTimeoutMs = duration('queryTimeoutMs', o.queryTimeoutMs ?? 60_000, 1);
  const keepAliveMs = duration('keepAliveMs', o.keepAliveMs ?? 10_000, 0);
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
    host: String(base.host || url?.hostname || process.env.PGHOST || 'localhost'),
    port: Number(base.port || url?.port || process.env.PGPORT || 5432),
    ...effectiveUser(base, url),
    database: String(base.database || url?.pathname.slice(1) || process.env.PGDATABASE || ''),
  };
  const options = [
    base.options,
    `-c search_path=${schema}`,
    `-c statement_timeout=${queryTimeoutMs}`,
    `-c idle_in_transaction_session_timeout=${queryTimeoutMs}`,
    // Read-only: the server itself refuses any write in any transaction of these sessions.
    readOnly ? '-c default_transaction_read_only=on' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    pool: {
      ...base,
      // The driver's own default user (read again at connect, or none) made messages name a user
      // it did not send; the one resolved here is passed (inside the URL, which overrides `user`).
      ...(url ? { connectionString: withUser(url, where) } : {}),
      user: where.user,
      max: poolSize,
      connectionTimeoutMillis: connectTimeoutMs,
      query_timeout: queryTimeoutMs,
      keepAlive: keepAliveMs > 0,
      keepAliveInitialDelayMillis: keepAliveMs,
      options,
    },
    schema,
    where,
    readOnly,
    connectTimeoutMs,
    queryTimeoutMs,
  };
}

function duration(name: string, value: unknown, min: number): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > MAX_TIMER_MS
  ) {
    const what = min === 0 ? 'a non-negative integer' : 'a positive integer';
    throw new InvalidArgumentError(
      `${name} must be ${what} ${MAX_TIMER_TEXT}, got ${describeValue(value)}`,
      name,
    );
  }
  return value;
}

function withUser(url: URL, where: ServerAddress): string {
  if (url.username) return url.toString();
  const copy = new URL(url.toString());
  // A URL without a host cannot carry a user (`postgres://`): give it the resolved host.
  if (!copy.hostname) copy.hostname = where.host;
  copy.username = encodeURIComponent(where.user);
  return copy.toString();
}

/** The user the driver will send, and where it comes from; none at all is refused. */
function effectiveUser(
  base: pg.PoolConfig,
  url: URL | undefined,
): Pick<ServerAddress, 'user' | 'userFrom'> {
  // The driver's precedence: the URL's user over the pool option's.
  if (url?.username) return { user: decodeURIComponent(url.username), userFrom: 'url' };
  if (base.user) return { user: String(base.user), userFrom: 'pool' };
  if (process.env.PGUSER) return { user: process.env.PGUSER, userFrom: 'PGUSER' };
  const os = process.platform === 'win32' ? process.env.USERNAME : process.env.USER;
  if (os) return { user: os, userFrom: 'os' };
  throw new InvalidArgumentError(
    'the PostgreSQL connection names no user (none in the URL or the pool options, and neither PGUSER nor USER is set): put one in the URL, e.g. postgres://baton@db:5432/app',
    'connectionString',
  );
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
