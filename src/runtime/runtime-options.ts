/**
 * Validation of `createRuntime` options: every bad option throws a typed error naming it.
 */
import { InvalidArgumentError } from '../errors.js';
import type { RuntimeOptions } from './runtime-types.js';

/** @throws InvalidArgumentError naming the option at fault. */
export function validateRuntimeOptions(o: RuntimeOptions): void {
  if (typeof o !== 'object' || o === null)
    throw new InvalidArgumentError('createRuntime needs options { store, workflows }', 'options');
  const s = o.store as Partial<RuntimeOptions['store']> | undefined;
  if (!s || typeof s.commit !== 'function' || typeof s.migrate !== 'function') {
    throw new InvalidArgumentError(
      'options.store must be a Baton store (memoryStore(), sqliteStore(path), ...)',
      'store',
    );
  }
  const positive = (v: unknown, name: string): void => {
    if (v !== undefined && !(typeof v === 'number' && v > 0)) {
      throw new InvalidArgumentError(
        `options.${name} must be a positive number, got ${String(v)}`,
        name,
      );
    }
  };
  positive(o.concurrency, 'concurrency');
  positive(o.leaseMs, 'leaseMs');
  positive(o.pollMs, 'pollMs');
  positive(o.maxSlotBytes, 'maxSlotBytes');
  if (o.workflows !== undefined && !Array.isArray(o.workflows)) {
    throw new InvalidArgumentError('options.workflows must be an array of workflows', 'workflows');
  }
}
