/**
 * Rules every backend applies the same way to search attributes, run list filters and change
 * cursors, so a bad value gets the same typed error whatever the store.
 */
import { InvalidArgumentError } from '../errors.js';
import type { SearchAttributes } from './observe.js';
import type { JournalEntry, RunQuery, RunStatus } from './types.js';

/** Attribute names: short identifiers, so they are safe in URLs, flags and SQL parameters. */
const ATTRIBUTE_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** Longest attribute value stored (characters). */
export const MAX_ATTRIBUTE_VALUE = 256;
/** Most attributes one run may carry. */
export const MAX_ATTRIBUTES = 32;

/**
 * Validates search attributes (as stored: string values).
 * @throws InvalidArgumentError naming the bad key or value.
 */
export function checkAttributes(attrs: unknown, what = 'attributes'): SearchAttributes {
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) {
    throw new InvalidArgumentError(`${what} must be an object of string values`, what);
  }
  const entries = Object.entries(attrs);
  if (entries.length > MAX_ATTRIBUTES) {
    throw new InvalidArgumentError(
      `${what} has ${entries.length} keys; at most ${MAX_ATTRIBUTES} are allowed`,
      what,
    );
  }
  for (const [k, v] of entries) {
    if (!ATTRIBUTE_KEY.test(k)) {
      throw new InvalidArgumentError(
        `${what} key ${JSON.stringify(k)} must start with a letter and hold only letters, digits, '_', '.' or '-' (at most 64)`,
        k,
      );
    }
    if (typeof v !== 'string' || v.length > MAX_ATTRIBUTE_VALUE) {
      throw new InvalidArgumentError(
        `${what}.${k} must be a string of at most ${MAX_ATTRIBUTE_VALUE} characters, got ${JSON.stringify(v)?.slice(0, 80)}`,
        k,
      );
    }
  }
  return attrs as SearchAttributes;
}

/**
 * Validates the filters of a run query that every backend reads the same way.
 * @throws InvalidArgumentError naming the bad field.
 */
export function checkRunFilters(q: RunQuery): void {
  if (q.where !== undefined) checkAttributes(q.where, 'where');
  for (const key of ['createdAfter', 'createdBefore'] as const) {
    const v = q[key];
    if (v !== undefined && !Number.isSafeInteger(v)) {
      throw new InvalidArgumentError(`${key} must be an integer (ms), got ${String(v)}`, key);
    }
  }
  if (q.cursor !== undefined && (typeof q.cursor !== 'string' || q.cursor.length === 0)) {
    throw new InvalidArgumentError('cursor must be the run id of the last run seen', 'cursor');
  }
}

/** The error for a run-list cursor that names no run. */
export function unknownCursor(cursor: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `cursor ${JSON.stringify(cursor)} names no run (pass the runId of the last run of the previous page)`,
    'cursor',
  );
}

/**
 * Parses a sequence cursor (SQLite and memory: the journal sequence as decimal text).
 * @throws InvalidArgumentError for anything else.
 */
export function parseSeqCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  if (typeof cursor !== 'string' || !/^\d{1,15}$/.test(cursor)) {
    throw new InvalidArgumentError(
      `cursor ${JSON.stringify(cursor)} is not a change cursor of this store`,
      'cursor',
    );
  }
  return Number(cursor);
}

/** True when `attrs` has every key/value of `where`. */
export function matchesWhere(
  attrs: SearchAttributes | undefined,
  where: SearchAttributes,
): boolean {
  for (const [k, v] of Object.entries(where)) if (attrs?.[k] !== v) return false;
  return true;
}

/**
 * The journal of one write as stored: the status the write sets rides on its last entry (what
 * watchers read as the status change); no other entry carries one. Allocates only when needed.
 */
export function stampStatus(
  journal: readonly JournalEntry[] | undefined,
  status: RunStatus | undefined,
): readonly JournalEntry[] {
  if (!journal || journal.length === 0) return [];
  const last = journal.length - 1;
  let clean = true;
  for (let i = 0; i < journal.length; i++) {
    const st = journal[i]!.runStatus;
    if (i === last ? (st ?? null) !== (status ?? null) : st !== undefined && st !== null) {
      clean = false;
      break;
    }
  }
  if (clean) return journal;
  return journal.map((j, i) => ({ ...j, runStatus: i === last ? (status ?? null) : null }));
}
