/**
 * Dashboard roles as governance privileges, in one table: every check the dashboard makes (which
 * routes a role may call, which actions a page offers, whether personal data is shown in clear)
 * asks this table, so a role means the same here as a grant of the same privileges would.
 *
 * Why redeliver is REPLAY: the governed runtime asks REPLAY for `redeliver`
 * (RUNTIME_PRIVILEGES), and there is no separate privilege for it.
 */
import { PRIVILEGES, type Privilege } from '../index.js';
import type { DashboardRole } from './auth.js';

/** The privileges each dashboard role holds. */
export const ROLE_PRIVILEGES: Readonly<Record<DashboardRole, readonly Privilege[]>> = Object.freeze(
  {
    viewer: Object.freeze(['READ'] as const),
    operator: Object.freeze(['READ', 'SIGNAL', 'CANCEL', 'REPLAY'] as const),
    admin: PRIVILEGES,
  },
);

/** True when `role` holds `privilege`. */
export function roleHas(role: DashboardRole, privilege: Privilege): boolean {
  return ROLE_PRIVILEGES[role]?.includes(privilege) ?? false;
}

/** The weakest role holding `privilege` (documents each route in the OpenAPI document). */
export function weakestRole(privilege: Privilege): DashboardRole {
  const roles = Object.keys(ROLE_PRIVILEGES) as DashboardRole[];
  return roles.find((r) => roleHas(r, privilege)) ?? 'admin';
}
