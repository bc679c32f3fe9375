/**
 * The rules every id a caller may choose follows (run ids, idempotency keys, event ids,
 * correlation and causation ids), the same on every backend: a non-empty string of at most
 * 200 characters with no NUL (PostgreSQL text cannot hold one; SQLite would cut it short).
 */
import { InvalidArgumentError } from '../errors.js';
import { describeValue } from './describe-value.js';

/** The longest id a caller may choose. */
export const MAX_ID_LENGTH = 200;

/** @throws InvalidArgumentError naming `name` and what is wrong with `value`. */
export function assertId(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    const shown = typeof value === 'string' ? `${value.length} characters` : describeValue(value);
    throw new InvalidArgumentError(
      `${name} must be a non-empty string of at most ${MAX_ID_LENGTH} characters, got ${shown}`,
      name,
    );
  }
  if (value.includes('\u0000'))
    throw new InvalidArgumentError(`${name} must not contain a NUL character`, name);
}
