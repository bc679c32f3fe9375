/**
 * Translating `pg` driver errors into Baton's errors, with messages that say what happened.
 *
 * Invariants:
 * - Connection-level failures (network, server shutdown, refused login, timeouts) become a
 *   retryable `StoreUnavailableError`; statement errors pass through for the caller to map.
 * - The message tells apart a connection that was never made (`connect` phase: nothing was
 *   sent, nothing can have been written) from one that was up and then lost (`query` phase: a
 *   transaction in flight was rolled back, unless its COMMIT had already reached the server, so
 *   the caller re-reads or retries with the same expected version, which cannot apply twice).
 * - Messages name host, port, user and database, never the password.
 */
import { StoreUnavailableError, toError } from '../../errors.js';
import { describeAddress, type ServerAddress } from './connect.js';

/** Where a driver error happened: opening a connection, or on one that was open. */
export type DriverPhase = 'connect' | 'query';

/** What a message needs besides the address: the bounds that were hit. */
export interface DriverLimits {
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
  /**
   * How long the failed connect took: the driver reports its own connect timeout under several
   * messages ("Connection terminated unexpectedly" among them), so the clock decides.
   */
  readonly elapsedMs?: number;
}

/** SQLSTATE codes meaning the server or the connection is gone, refused us, or gave up. */
const UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown (pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '57014', // query_canceled (statement_timeout): the server gave up waiting
  '25P03', // idle_in_transaction_session_timeout
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
const QUERY_TIMEOUT = /Query read timeout/i;

/** True when `e` means the connection or server failed, not the statement. */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null | undefined)?.code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08')))
    return true;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const message = e instanceof Error ? e.message : '';
  return /Connection terminated|connection timeout|timeout expired|timeout exceeded|Query read timeout|Client has encountered a connection error|Client was closed|not queryable/i.test(
    message,
  );
}

/**
 * Translates a driver error: connection-level failures become a retryable
 * `StoreUnavailableError` saying whether the connection was never made or was lost; anything
 * else passes through.
 */
export function translateDriverError(
  e: unknown,
  where: ServerAddress,
  phase: DriverPhase,
  limits: DriverLimits,
): Error {
  const code = (e as { code?: unknown } | null | undefined)?.code;
  // Any system error while opening a socket (ENOENT of a Unix socket path too) is a failed connect.
  const systemError = typeof code === 'string' && /^E[A-Z]+$/.test(code);
  if (!isConnectionError(e) && !(phase === 'connect' && systemError)) return toError(e);
  const reason = e instanceof Error ? e.message : String(e);
  const server = `PostgreSQL at ${where.host}:${where.port}`;
  const user = describeUser(where);
  let message: string;
  if (code === '28000' || code === '28P01') {
    message = `${server} refused ${user}: ${reason}`;
  } else if (code === '3D000') {
    message = `${server} has no database '${where.database}' (${user}): ${reason}`;
  } else if (phase === 'connect') {
    message = `could not connect to ${server} (${user}): ${connectReason(code, reason, limits)}; nothing was sent, nothing written`;
  } else if (QUERY_TIMEOUT.test(reason) || code === '57014' || code === '25P03') {
    message = `${server} did not answer within queryTimeoutMs (${limits.queryTimeoutMs} ms); the connection was dropped and its transaction rolled back unless its COMMIT had reached the server (retry with the same expected version: it cannot apply twice): ${reason}`;
  } else {
    message = `lost the connection to ${describeAddress(where)} after it was established; its transaction was rolled back unless its COMMIT had reached the server (retry with the same expected version: it cannot apply twice): ${reason}`;
  }
  return new StoreUnavailableError(message, e);
}

function describeUser(where: ServerAddress): string {
  if (where.userFrom === 'os')
    return `user '${where.user}', the operating-system user, as the URL names none`;
  if (where.userFrom === 'PGUSER') return `user '${where.user}' from PGUSER`;
  return `user '${where.user}'`;
}

function connectReason(code: unknown, reason: string, limits: DriverLimits): string {
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running on that port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${reason})`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `host unreachable (${reason})`;
  const timedOut = limits.elapsedMs !== undefined && limits.elapsedMs >= limits.connectTimeoutMs;
  if (timedOut || /timeout/i.test(reason) || code === 'ETIMEDOUT')
    return `no answer within connectTimeoutMs (${limits.connectTimeoutMs} ms)`;
  return `the connection closed before the server answered: no PostgreSQL there, or a firewall or proxy dropped it (${reason})`;
}

/**
 * Rolls a transaction back after `e`, unless `e` says the connection is broken: then the server
 * rolls back by itself when the connection is discarded, and a ROLLBACK queued behind a stalled
 * query would only wait out another `queryTimeoutMs`.
 */
export async function rollbackUnlessBroken(
  client: { query(text: string): Promise<unknown> },
  e: unknown,
): Promise<void> {
  if (isConnectionError(e)) return;
  await client.query('ROLLBACK').catch(() => {});
}
