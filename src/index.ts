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
export { memoryStore } from './backends/memory/memory-store.js';
export { type SqliteStoreOptions, sqliteStore } from './backends/sqlite/sqlite-store.js';
// Choreography: event types, reactors, the bus seam, traces.
export type {
  BusContext,
  BusMessage,
  ConsumerSpec,
  EventBus,
  Subscription,
} from './choreography/bus.js';
export type {
  DeadLetterQuery,
  PublishedEvent,
  PublishOptions,
} from './choreography/choreography.js';
export { type EmbeddedBusOptions, embeddedBus } from './choreography/embedded-bus.js';
export type {
  EventTrace,
  EventTraceOptions,
  TracedDelivery,
  TracedEvent,
} from './choreography/event-trace.js';
export {
  type EventPayload,
  type EventType,
  type EventTypeOptions,
  event,
  isEventType,
} from './choreography/event-type.js';
export {
  isReactor,
  type Reactor,
  type ReactorCompensationContext,
  type ReactorContext,
  type ReactorDefinition,
  type ReactorEvent,
  reactor,
} from './choreography/reactor.js';
export { renderDeadLetters, renderEventTree } from './choreography/render.js';
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
export * from './errors.js';
export type * from './ledger/event-store.js';
export { GENESIS_HASH, hashVersion } from './ledger/hash.js';
export { canonicalJson, deepFreeze, type Json, type JsonObject, sealJson } from './ledger/json.js';
export type { StateStore, StoreKind } from './ledger/store.js';
export * from './ledger/types.js';
export {
  buildVersion,
  DEFAULT_MAX_SLOT_BYTES,
  materialize,
  type VerifyResult,
  verifyChain,
} from './ledger/versions.js';
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
export { createRuntime } from './runtime/create-runtime.js';
export type {
  Alert,
  RunHandle,
  Runtime,
  RuntimeOptions,
  StartOptions,
  Worker,
  WorkerOptions,
} from './runtime/runtime-types.js';
export { DEFAULT_RUN_CONCURRENCY } from './runtime/runtime-types.js';
export { diffJson, type StateChange, type StateDiff } from './time-travel/diff.js';
export type { AgentLike, ReplayOptions } from './time-travel/time-travel.js';
export * from './tracing/index.js';
