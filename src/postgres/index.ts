/**
 * `baton-runtime/postgres`: the PostgreSQL ledger, for runtimes and workers on many machines.
 * This entry point is the only one that loads the `pg` driver.
 */
export type { PostgresStoreOptions } from '../state/postgres/connect.js';
export { postgresStore } from '../state/postgres/postgres-store.js';
