/**
 * The compatibility modes a catalog subject can have. They live in the ledger because the
 * governance tables store them; the governance layer checks schemas against them.
 */

/** Every compatibility mode. */
export const COMPATIBILITY_MODES = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

/** A compatibility mode. */
export type CompatibilityMode = (typeof COMPATIBILITY_MODES)[number];
