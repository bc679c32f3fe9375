/**
 * Checks `rt.prune()` options (and the `retention` runtime option built on them).
 */
import { InvalidArgumentError } from '../errors.js';
import { RUN_STATUSES, TERMINAL_STATUSES } from '../ledger/types.js';
import type { PruneOptions } from './prune.js';

/** @throws InvalidArgumentError naming the bad option. */
export function checkPruneOptions(o: PruneOptions): PruneOptions {
  if (typeof o !== 'object' || o === null)
    throw new InvalidArgumentError('prune options { olderThan } are required', 'options');
  if (!(typeof o.olderThan === 'number' && Number.isFinite(o.olderThan) && o.olderThan >= 0)) {
    throw new InvalidArgumentError(
      `olderThan must be a number of ms >= 0, got ${String(o.olderThan)}`,
      'olderThan',
    );
  }
  if (
    o.status !== undefined &&
    !(RUN_STATUSES.includes(o.status) && TERMINAL_STATUSES.has(o.status))
  ) {
    throw new InvalidArgumentError(
      `status must be a finished status (${[...TERMINAL_STATUSES].join(', ')}), got ${JSON.stringify(o.status)}`,
      'status',
    );
  }
  if (o.workflow !== undefined && (typeof o.workflow !== 'string' || o.workflow.length === 0))
    throw new InvalidArgumentError('workflow must be a non-empty string', 'workflow');
  return o;
}
