/**
 * Argument parsers for commander. Each throws commander's `InvalidArgumentError`, which commander
 * reports with the offending value and argument name, followed by the usage (exit code 2).
 */
import { InvalidArgumentError as UsageError } from 'commander';
import type { Json, RunStatus } from '../index.js';
// A leaf module (no imports of its own), not the package root: parsing must not load the runtime.
import { RUN_STATUSES } from '../ledger/types.js';

/** A state version: a positive integer, written in decimal. */
export function parseVersion(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value)))
    throw new UsageError('a version is a positive integer (1, 2, ...)');
  return Number(value);
}

/** A positive count (`--limit`). */
export function parseLimit(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value)))
    throw new UsageError('must be a positive integer');
  return Number(value);
}

/** A run status (`--status`). */
export function parseStatus(value: string): RunStatus {
  if (!(RUN_STATUSES as readonly string[]).includes(value))
    throw new UsageError(`must be one of ${RUN_STATUSES.join(', ')}`);
  return value as RunStatus;
}

/** A JSON document (signal payloads). */
export function parseJsonArg(value: string): Json {
  try {
    return JSON.parse(value) as Json;
  } catch (e) {
    throw new UsageError(`malformed JSON (${(e as Error).message})`);
  }
}

/** The narrowest waterfall `baton trace` draws. */
export const MIN_WIDTH = 40;

/** A terminal width (`--width`): an integer of at least {@link MIN_WIDTH}. */
export function parseWidth(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < MIN_WIDTH || !Number.isSafeInteger(Number(value)))
    throw new UsageError(`must be an integer of at least ${MIN_WIDTH}`);
  return Number(value);
}
