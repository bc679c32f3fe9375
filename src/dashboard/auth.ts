/**
 * Dashboard access: signed tokens that carry a role, exchanged once for an HttpOnly,
 * SameSite=Strict session cookie (which also covers the SSE stream, since `EventSource` cannot
 * send headers), or sent as `Authorization: Bearer` to the API.
 *
 * Invariants:
 * - A token is `bdt1.<role>.<expiresAt>.<nonce>.<mac>` (or `bdt2.<principal, base64url>...`
 *   for a governance principal), the MAC an HMAC-SHA256 of the rest under the dashboard's secret; it is checked in constant time, and an expired one is refused.
 * - Roles are ordered viewer < operator < admin and map onto governance's privileges: viewer
 *   reads; operator also signals, cancels, replays and redelivers; admin may do everything.
 * - State-changing requests authenticated by the cookie must carry `x-baton-csrf` (a MAC of the
 *   session, embedded in each page) and, when the browser sends one, a same-origin `Origin`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from '../index.js';

/** What a dashboard principal may do. */
export type DashboardRole = 'viewer' | 'operator' | 'admin';

/** Every role, weakest first. */
export const DASHBOARD_ROLES: readonly DashboardRole[] = ['viewer', 'operator', 'admin'];

/** The session cookie's name. */
export const SESSION_COOKIE = 'baton_session';
/** The header that carries the CSRF token on state-changing requests. */
export const CSRF_HEADER = 'x-baton-csrf';

/**
 * Options of {@link createDashboardToken}: a token for a role, or for a governance principal
 * (`{ principal }`: the API then acts through `rt.as(principal)`, so the store's grants decide,
 * denials are 403 and audited).
 */
export type TokenOptions = (
  | { readonly role: DashboardRole; readonly principal?: undefined }
  | { readonly principal: string; readonly role?: undefined }
) & {
  /** Lifetime in ms (default: no expiry). */
  readonly ttlMs?: number;
  /** Clock (default Date.now). */
  readonly now?: number;
};

/** A verified token. */
export interface DashboardPrincipal {
  /** The role; a principal's token passes every role gate and its grants decide instead. */
  readonly role: DashboardRole;
  /** The governance principal of a `{ principal }` token. */
  readonly principal?: string;
  readonly token: string;
}

function mac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url');
}

/**
 * Checks a dashboard secret: at least 16 characters.
 * @throws InvalidArgumentError
 */
export function checkSecret(secret: unknown): string {
  if (typeof secret !== 'string' || secret.length < 16) {
    throw new InvalidArgumentError(
      'the dashboard secret must be a string of at least 16 characters',
      'secret',
    );
  }
  return secret;
}

/**
 * Mints a token for a role, signed with the dashboard's secret.
 * @throws InvalidArgumentError for an unknown role or a bad secret or lifetime.
 * @example
 * const token = createDashboardToken(process.env.BATON_DASHBOARD_SECRET!, { role: 'viewer' });
 */
export function createDashboardToken(secret: string, options: TokenOptions): string {
  checkSecret(secret);
  if (options.principal !== undefined) {
    // Governance checks the name itself when the dashboard acts as it (rt.as).
    if (
      typeof options.principal !== 'string' ||
      options.principal.length === 0 ||
      options.principal.length > 200
    ) {
      throw new InvalidArgumentError(
        `principal must be a name of 1 to 200 characters, got ${JSON.stringify(options.principal)}`,
        'principal',
      );
    }
  } else if (!DASHBOARD_ROLES.includes(options.role)) {
    throw new InvalidArgumentError(
      `role must be one of ${DASHBOARD_ROLES.join(', ')}, got ${JSON.stringify(options.role)}`,
      'role',
    );
  }
  if (options.ttlMs !== undefined && !(Number.isInteger(options.ttlMs) && options.ttlMs > 0)) {
    throw new InvalidArgumentError(
      `ttlMs must be a positive integer, got ${String(options.ttlMs)}`,
      'ttlMs',
    );
  }
  const expires = options.ttlMs === undefined ? 0 : (options.now ?? Date.now()) + options.ttlMs;
  const nonce = randomBytes(9).toString('base64url');
  const body =
    options.principal !== undefined
      ? `bdt2.${Buffer.from(options.principal, 'utf8').toString('base64url')}.${expires}.${nonce}`
      : `bdt1.${options.role}.${expires}.${nonce}`;
  return `${body}.${mac(secret, body)}`;
}

/** The principal a token proves, or undefined for a forged, malformed or expired token. */
export function verifyDashboardToken(
  secret: string,
  token: string | undefined,
  now = Date.now(),
): DashboardPrincipal | undefined {
  if (typeof token !== 'string' || token.length > 500) return undefined;
  const parts = token.split('.');
  if (parts.length !== 5 || (parts[0] !== 'bdt1' && parts[0] !== 'bdt2')) return undefined;
  const body = parts.slice(0, 4).join('.');
  const given = Buffer.from(parts[4]!);
  const expected = Buffer.from(mac(secret, body));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const expires = Number(parts[2]);
  if (!Number.isSafeInteger(expires) || (expires !== 0 && expires <= now)) return undefined;
  if (parts[0] === 'bdt2') {
    const principal = Buffer.from(parts[1]!, 'base64url').toString('utf8');
    return principal.length > 0 ? { role: 'admin', principal, token } : undefined;
  }
  const role = parts[1] as DashboardRole;
  if (!DASHBOARD_ROLES.includes(role)) return undefined;
  return { role, token };
}

/** The CSRF token of a session: a MAC of it, so it needs no server-side state. */
export function csrfToken(secret: string, session: string): string {
  return mac(secret, `csrf:${session}`);
}

/** True when `role` includes `needed`. */
export function roleAllows(role: DashboardRole, needed: DashboardRole): boolean {
  return DASHBOARD_ROLES.indexOf(role) >= DASHBOARD_ROLES.indexOf(needed);
}
