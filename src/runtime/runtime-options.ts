/**
 * Validation of `createRuntime` options: every bad option throws a typed error naming it.
 */
import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../ledger/describe-value.js';
import { MAX_TIMER_MS, MAX_TIMER_TEXT } from '../ledger/durations.js';
import { assertKnownOptions, type EveryKeyListed } from '../ledger/known-options.js';
import type { RuntimeOptions } from './runtime-types.js';

/**
 * Every option `createRuntime` knows; any other key is refused (a typo is never dropped
 * silently). A new option in RuntimeOptions is added here too.
 */
export const RUNTIME_OPTION_KEYS = [
  'store',
  'workflows',
  'concurrency',
  'clock',
  'logger',
  'policy',
  'leaseMs',
  'pollMs',
  'maxSlotBytes',
  'owner',
  'resume',
  'onAlert',
  'random',
  'sharedBreakers',
  'telemetry',
  'reactors',
  'bus',
  'catalog',
  'signalsFromShapes',
  'scheduler',
  'piiEncryption',
  'retention',
  'maxCausationDepth',
] as const satisfies readonly (keyof RuntimeOptions)[];

// Fails to compile, naming the option, when RuntimeOptions gains a key not listed above.
const everyOptionListed: EveryKeyListed<RuntimeOptions, typeof RUNTIME_OPTION_KEYS> = true;
void everyOptionListed;

/** @throws InvalidArgumentError naming the option at fault. */
export function validateRuntimeOptions(o: RuntimeOptions): void {
  if (typeof o !== 'object' || o === null)
    throw new InvalidArgumentError('createRuntime needs options { store, workflows }', 'options');
  assertKnownOptions(o, RUNTIME_OPTION_KEYS, 'createRuntime');
  const s = o.store as Partial<RuntimeOptions['store']> | undefined;
  if (!s || typeof s.commit !== 'function' || typeof s.migrate !== 'function') {
    throw new InvalidArgumentError(
      'options.store must be a Baton store (memoryStore(), sqliteStore(path), ...)',
      'store',
    );
  }
  if (s.readOnly === true) refuseWritingOptions(o);
  const positive = (v: unknown, name: string): void => {
    if (v !== undefined && !(typeof v === 'number' && v > 0)) {
      throw new InvalidArgumentError(
        `options.${name} must be a positive number, got ${describeValue(v)}`,
        name,
      );
    }
  };
  positive(o.concurrency, 'concurrency');
  positive(o.leaseMs, 'leaseMs');
  positive(o.pollMs, 'pollMs');
  for (const name of ['leaseMs', 'pollMs'] as const) {
    const v = o[name];
    if (v !== undefined && v > MAX_TIMER_MS)
      throw new InvalidArgumentError(`options.${name} must be ${MAX_TIMER_TEXT}, got ${v}`, name);
  }
  positive(o.maxSlotBytes, 'maxSlotBytes');
  if (
    o.maxCausationDepth !== undefined &&
    !(Number.isInteger(o.maxCausationDepth) && o.maxCausationDepth >= 1)
  ) {
    throw new InvalidArgumentError(
      `options.maxCausationDepth must be a positive integer, got ${describeValue(o.maxCausationDepth)}`,
      'maxCausationDepth',
    );
  }
  if (o.workflows !== undefined && !Array.isArray(o.workflows)) {
    throw new InvalidArgumentError('options.workflows must be an array of workflows', 'workflows');
  }
}

/**
 * A runtime on a read-only store answers questions only: what would write in the background
 * (resuming runs, reactors, the scheduler, retention) is refused up front rather than failing
 * on every tick.
 */
function refuseWritingOptions(o: RuntimeOptions): void {
  const asked: [string, boolean][] = [
    ['resume', o.resume === true],
    ['reactors', (o.reactors?.length ?? 0) > 0],
    ['scheduler', o.scheduler !== undefined && o.scheduler !== false],
    ['retention', o.retention !== undefined],
  ];
  for (const [name, on] of asked) {
    if (on) {
      throw new InvalidArgumentError(
        `options.${name} needs a writable store, but the store is open read-only`,
        name,
      );
    }
  }
}
