/**
 * Governance: the persisted contract catalog with compatibility modes, principals and
 * privileges, the audit chain with signed checkpoints, PII masking and lineage.
 */

export type {
  AuditDraft,
  AuditEntry,
  AuditResult,
  CatalogKind,
  CatalogVersionRecord,
  GovernanceStore,
  GrantRecord,
  PrincipalRecord,
  SubjectRecord,
} from '../ledger/governance-store.js';
export type { GovernedRuntime } from '../runtime/runtime-types.js';
export {
  type Governance,
  type GovernanceOptions,
  type SecurableExists,
  storeGovernance,
} from './access.js';
export {
  type AuditLog,
  type AuditProblem,
  type AuditReport,
  type AuditVerifyOptions,
  auditLog,
} from './audit-log.js';
export {
  type CatalogCheck,
  type CatalogDefinition,
  type CatalogEntry,
  type CatalogOptions,
  type ContractCatalog,
  storeCatalog,
} from './catalog.js';
export { CHECKPOINT_FORMAT, type Checkpoint, type RunHead } from './checkpoint.js';
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
export {
  type Lineage,
  type LineageChild,
  type LineageNode,
  type NeedsOf,
  traceLineage,
} from './lineage.js';
export { PII_MASK } from './pii-mask.js';
export {
  OWNER,
  PRIVILEGES,
  type Privilege,
  SECURABLE_KINDS,
  type SecurableKind,
} from './privileges.js';
export { type MethodRule, RUNTIME_PRIVILEGES, type RuleTarget } from './runtime-privileges.js';
