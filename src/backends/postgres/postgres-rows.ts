/**
 * PostgreSQL rows: the SQL backends' shared row shapes and mappers (../sql/rows.ts), plus what
 * only PostgreSQL needs: the column array types and bulk INSERTs through `unnest`.
 */
export {
  encode,
  JOURNAL_COLUMNS,
  type JournalRow,
  journalParams as journalValues,
  RECORD_COLUMNS,
  type RecordRow,
  type RunRow,
  recordParams as recordValues,
  toAuxRecord,
  toJournalEntry,
  toRunRecord,
  toVersionRecord,
  VERSION_COLUMNS,
  type VersionRow,
  versionParams as versionValues,
} from '../sql/sql-rows.js';

/** A bound value. */
export type Param = string | number | boolean | null;

/** Array types of the version columns, for bulk inserts through `unnest`. */
export const VERSION_TYPES = [
  'text',
  'int',
  'text',
  'text',
  'text',
  'text',
  'int',
  'text',
  'text',
  'bigint',
  'text',
  'text',
  'text',
] as const;

/** Array types of the journal columns. */
export const JOURNAL_TYPES = [
  'text',
  'text',
  'text',
  'int',
  'bigint',
  'float8',
  'int',
  'int',
  'text',
  'text',
  'text',
] as const;

/** Array types of the record columns. */
export const RECORD_TYPES = ['text', 'text', 'text', 'bigint', 'text'] as const;

/**
 * A bulk INSERT of many rows in one statement: one array parameter per column, zipped by
 * `unnest` and inserted in the order given (WITH ORDINALITY keeps identity columns in order).
 */
export function bulkInsert(
  table: string,
  columns: string,
  types: readonly string[],
  rows: readonly Param[][],
  /** Number of parameters before these (when combined into one statement with others). */
  offset = 0,
  /** A condition on the whole insert (a guard of the statement it is part of). */
  where?: string,
): { text: string; values: Param[][] } {
  const names = columns.split(',').map((c) => c.trim());
  const values: Param[][] = names.map((_, col) => rows.map((r) => r[col] ?? null));
  const args = types.map((t, i) => `$${offset + i + 1}::${t}[]`).join(', ');
  return {
    text: `INSERT INTO ${table} (${columns})
           SELECT ${names.join(', ')} FROM unnest(${args})
             WITH ORDINALITY AS u(${names.join(', ')}, ord)${
               where
                 ? `
           WHERE ${where}`
                 : ''
             }
           ORDER BY ord`,
    values,
  };
}
