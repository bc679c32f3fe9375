/**
 * Baton's public API. Everything a user imports comes from here (or from the `baton/postgres`,
 * `baton/nats` and `baton/testing` subpaths).
 */

export {
  type Agent,
  type AgentContext,
  type AgentDefinition,
  agent,
  type CompensationContext,
  type DeepReadonly,
  type Evaluation,
  type Evaluator,
  type EvaluatorSpec,
  isAgent,
  type Logger,
  type ModelUsage,
} from './agents/agent.js';
export { type Catalog, createCatalog } from './contracts/catalog.js';
export {
  type Contract,
  type ContractType,
  contract,
  type HandoffSite,
  isContract,
  type Schema,
  type ValidationResult,
} from './contracts/contract.js';
export { diffJson, type StateChange, type StateDiff } from './debugging/diff.js';
export type { AgentLike, ReplayOptions } from './debugging/time-travel.js';
export * from './errors.js';
// Choreography: event types, reactors, the bus seam, traces.
export type {
  BusContext,
  BusMessage,
  ConsumerSpec,
  EventBus,
  Subscription,
} from './events/bus.js';
export type {
  DeadLetterQuery,
  PublishedEvent,
  PublishOptions,
} from './events/choreography.js';
export { type EmbeddedBusOptions, embeddedBus } from './events/embedded-bus.js';
export {
  type EventPayload,
  type EventType,
  type EventTypeOptions,
  event,
  isEventType,
} from './events/event-type.js';
export {
  isReactor,
  type Reactor,
  type ReactorCompensationContext,
  type ReactorContext,
  type ReactorDefinition,
  type ReactorEvent,
  reactor,
} from './events/reactor.js';
export { renderDeadLetters, renderEventTree } from './events/render.js';
export type {
  EventTrace,
  EventTraceOptions,
  TracedDelivery,
  TracedEvent,
} from './events/trace.js';
export {
  type AuditDraft,
  type AuditEntry,
  type AuditLog,
  type AuditProblem,
  type AuditReport,
  type AuditResult,
  type AuditVerifyOptions,
  auditLog,
  type CatalogCheck,
  type CatalogDefinition,
  type CatalogEntry,
  type CatalogKind,
  type CatalogOptions,
  type CatalogVersionRecord,
  CHECKPOINT_FORMAT,
  type Checkpoint,
  COMPATIBILITY_MODES,
  type CompatibilityMode,
  type CompatibilityProblem,
  type CompatibilityResult,
  type ContractCatalog,
  checkCompatibility,
  DEFAULT_COMPATIBILITY,
  type Governance,
  type GovernanceOptions,
  type GovernanceStore,
  type GovernedRuntime,
  type GrantRecord,
  isCompatibilityMode,
  type JsonSchema,
  type JsonSchemaObject,
  type Lineage,
  type LineageNode,
  type MethodRule,
  type NeedsOf,
  OWNER,
  PII_MASK,
  PRIVILEGES,
  type PrincipalRecord,
  type Privilege,
  RUNTIME_PRIVILEGES,
  type RuleTarget,
  type RunHead,
  SECURABLE_KINDS,
  type SecurableExists,
  type SecurableKind,
  type SubjectRecord,
  storeCatalog,
  storeGovernance,
  traceLineage,
} from './governance/index.js';
export { createRuntime } from './orchestrator/runtime.js';
export type {
  Alert,
  RunHandle,
  Runtime,
  RuntimeOptions,
  StartOptions,
  Worker,
  WorkerOptions,
} from './orchestrator/runtime-types.js';
export { DEFAULT_RUN_CONCURRENCY } from './orchestrator/runtime-types.js';
export {
  isWorkflow,
  type Selector,
  type StepOptions,
  type StepSpec,
  type WaitOptions,
  type Workflow,
  WorkflowBuilder,
  workflow,
} from './orchestrator/workflow.js';
export { isSkipped, type Skipped, type StateView } from './orchestrator/workflow-types.js';
export type { BreakerSnapshot, BreakerTransition } from './resilience/circuit-breaker.js';
export { type Clock, systemClock } from './resilience/clock.js';
export {
  type BackoffPolicy,
  type BreakerPolicy,
  DEFAULT_POLICY,
  type OnFailure,
  type Policy,
  type ResolvedPolicy,
  type RetryPolicy,
  resolvePolicy,
  validatePolicy,
} from './resilience/policy.js';
export {
  type BreakerFactory,
  createSharedBreakerFactory,
  type SharedBreakerOptions,
} from './resilience/shared-breaker.js';
export type * from './state/event-store.js';
export { GENESIS_HASH, hashVersion } from './state/hash.js';
export { canonicalJson, deepFreeze, type Json, type JsonObject, sealJson } from './state/json.js';
export { memoryStore } from './state/memory-store.js';
export { type SqliteStoreOptions, sqliteStore } from './state/sqlite/sqlite-store.js';
export type { StateStore, StoreKind } from './state/store.js';
export * from './state/types.js';
export {
  buildVersion,
  DEFAULT_MAX_SLOT_BYTES,
  materialize,
  type VerifyResult,
  verifyChain,
} from './state/versions.js';
export * from './tracing/index.js';
