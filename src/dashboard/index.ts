/**
 * `baton-runtime/dashboard`: the dashboard and HTTP API as a Hono app (mount it in any Node, Bun or Deno
 * server; `@hono/node-server` to listen). The core never loads this subpath, Hono or Preact.
 */
export {
  createDashboard,
  type Dashboard,
  type DashboardEnv,
  type DashboardOptions,
} from './app.js';
export {
  createDashboardToken,
  DASHBOARD_ROLES,
  type DashboardPrincipal,
  type DashboardRole,
  type TokenOptions,
  verifyDashboardToken,
} from './auth.js';
export { ROLE_PRIVILEGES, roleHas } from './privileges.js';
export { type ServeOptions, serveDashboard } from './serve.js';
