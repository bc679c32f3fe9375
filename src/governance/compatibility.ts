/**
 * Schema compatibility modes, as Confluent Schema Registry defines them, over JSON Schema.
 *
 * Writing `reads(old, new)` for "a reader on `new` can read every value written under `old`":
 * - BACKWARD: `reads(latest, candidate)` — upgrade readers (consumers) first;
 * - FORWARD: `reads(candidate, latest)` — upgrade writers (producers) first;
 * - FULL: both; `*_TRANSITIVE`: the same against every earlier version, not just the latest;
 * - NONE: no check.
 *
 * Invariant: pure. Nothing is stored, nothing is thrown for an incompatible candidate (the
 * answer says so); only malformed arguments throw.
 */
import { InvalidArgumentError } from '../errors.js';
import { COMPATIBILITY_MODES, type CompatibilityMode } from '../ledger/compatibility-modes.js';
import { diffSchemas } from './schema-diff.js';
import type { JsonSchema } from './schema-doc.js';
import type { SchemaProblem } from './schema-problem.js';

export { COMPATIBILITY_MODES, type CompatibilityMode };

/** The mode a subject gets unless it says otherwise: old versions stay readable by new code. */
export const DEFAULT_COMPATIBILITY: CompatibilityMode = 'BACKWARD_TRANSITIVE';

/** One breaking change found by {@link checkCompatibility}. */
export interface CompatibilityProblem extends SchemaProblem {
  /** Which earlier schema it breaks against: its position in `history`, from 1 (oldest). */
  readonly version: number;
  /**
   * `backward`: the candidate cannot read data of that version; `forward`: that version cannot
   * read the candidate's data.
   */
  readonly direction: 'backward' | 'forward';
}

/** The verdict of {@link checkCompatibility}. */
export interface CompatibilityResult {
  readonly compatible: boolean;
  readonly problems: readonly CompatibilityProblem[];
}

/** True when `value` is a compatibility mode. */
export function isCompatibilityMode(value: unknown): value is CompatibilityMode {
  return (COMPATIBILITY_MODES as readonly unknown[]).includes(value);
}

/**
 * Checks a candidate schema against the registered history of its subject under `mode`.
 * @param history earlier versions in registration order (the last is the latest).
 * @throws InvalidArgumentError for an unknown mode, a history that is not an array, a schema
 * that is not JSON Schema, or a `$ref` that is not local.
 * @example
 * const v1 = z.toJSONSchema(z.object({ id: z.string() }));
 * const v2 = z.toJSONSchema(z.object({ id: z.string(), note: z.string().optional() }));
 * checkCompatibility([v1], v2, 'BACKWARD'); // { compatible: true, problems: [] }
 */
export function checkCompatibility(
  history: readonly JsonSchema[],
  candidate: JsonSchema,
  mode: CompatibilityMode,
): CompatibilityResult {
  if (!isCompatibilityMode(mode)) {
    throw new InvalidArgumentError(
      `mode must be one of ${COMPATIBILITY_MODES.join(', ')}, got ${JSON.stringify(mode)}`,
      'mode',
    );
  }
  if (!Array.isArray(history)) {
    throw new InvalidArgumentError('history must be an array of JSON Schemas', 'history');
  }
  if (mode === 'NONE' || history.length === 0) return { compatible: true, problems: [] };
  const transitive = mode.endsWith('_TRANSITIVE');
  const backward = mode.startsWith('BACKWARD') || mode.startsWith('FULL');
  const forward = mode.startsWith('FORWARD') || mode.startsWith('FULL');
  const problems: CompatibilityProblem[] = [];
  // Newest first, as a registry walks the history.
  for (let i = history.length - 1; i >= (transitive ? 0 : history.length - 1); i--) {
    const old = history[i]!;
    if (backward) {
      for (const p of diffSchemas(old, candidate)) {
        problems.push({ ...p, version: i + 1, direction: 'backward' });
      }
    }
    if (forward) {
      for (const p of diffSchemas(candidate, old)) {
        problems.push({ ...p, version: i + 1, direction: 'forward' });
      }
    }
  }
  return { compatible: problems.length === 0, problems };
}

export type { JsonSchema, JsonSchemaObject } from './schema-doc.js';
