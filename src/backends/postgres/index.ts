/**
 * `baton-runtime/postgres`: the PostgreSQL ledger, for runtimes and workers on many machines.
 * This entry point is the only one that loads the `pg` driver.
 */
export type { PostgresStoreOptions } from './connect.js';
export { postgresStore } from './postgres-store.js';
