/**
 * SQLite rows: the SQL backends' shared row shapes and mappers (../sql/sql-rows.ts), and the value
 * type better-sqlite3 binds to one `?`.
 */
export * from '../sql/sql-rows.js';

import type { SqlParam } from '../sql/sql-rows.js';

/** A bound parameter: what better-sqlite3 accepts for one `?`. */
export type Param = SqlParam;
