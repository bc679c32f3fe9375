/**
 * Governance: the persisted contract catalog with compatibility modes, principals and
 * privileges, the audit chain with signed checkpoints, PII masking and lineage.
 */
export {
  COMPATIBILITY_MODES,
  type CompatibilityMode,
  type CompatibilityProblem,
  type CompatibilityResult,
  checkCompatibility,
  DEFAULT_COMPATIBILITY,
  isCompatibilityMode,
  type JsonSchema,
  type JsonSchemaObject,
} from './compatibility.js';
