/**
 * Baton's public API: an explicit list, reviewed through the API report (api/baton.api.txt,
 * checked by test/api-report.test.ts). Optional parts live in subpaths: `baton-runtime/postgres`,
 * `/nats`, `/testing`. Internals (hashing helpers, freezing, materialisation, builder classes)
 * stay internal.
 */

// Agents and contracts.
export {
  type Agent,
  type AgentContext,
  type AgentDefinition,
  type AgentSpan,
  type AgentSpanAttributes,
  type AgentWorkflow,
  agent,
  type CompensationContext,
  type DeepReadonly,
  type Evaluation,
  type Evaluator,
  type EvaluatorSpec,
  isAgent,
  type Logger,
  type ModelUsage,
  type Resumption,
  type SuspendOptions,
} from './agents/agent.js';
// The ledger: stores, records, versions.
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
// Errors: classes with a stable `code`, and guards that match on it.
export {
  AccessDeniedError,
  AgentFailedError,
  BatonError,
  BudgetExceededError,
  CallbackFailedError,
  CausationDepthExceededError,
  CheckpointInvalidError,
  CircuitOpenError,
  ContractIncompatibleError,
  ContractMismatchError,
  ContractViolationError,
  describeError,
  EncryptionKeyError,
  type ErrorCode,
  type ErrorInfo,
  FanOutTooLargeError,
  GuardViolationError,
  IdempotencyConflictError,
  InvalidArgumentError,
  InvalidDefinitionError,
  InvalidScheduleError,
  isAccessDeniedError,
  isAgentFailedError,
  isBatonError,
  isBudgetExceededError,
  isCallbackFailedError,
  isCausationDepthExceededError,
  isCheckpointInvalidError,
  isCircuitOpenError,
  isContractIncompatibleError,
  isContractMismatchError,
  isContractViolationError,
  isEncryptionKeyError,
  isFanOutTooLargeError,
  isGuardViolationError,
  isIdempotencyConflictError,
  isInvalidArgumentError,
  isInvalidDefinitionError,
  isInvalidScheduleError,
  isLeaseLostError,
  isModelUnavailableError,
  isNonJsonValueError,
  isNotABatonStoreError,
  isNotFoundError,
  isPayloadTooLargeError,
  isQueueFullError,
  isRunCancelledError,
  isRunFailedError,
  isRunPrunedError,
  isStepSuspendedError,
  isStepTimeoutError,
  isStoreClosedError,
  isStoreCorruptError,
  isStoreFullError,
  isStoreReadOnlyError,
  isStoreSchemaOutdatedError,
  isStoreSchemaTooNewError,
  isStoreUnavailableError,
  isVersionConflictError,
  isWorkflowNotRegisteredError,
  LeaseLostError,
  ModelUnavailableError,
  NonJsonValueError,
  NotABatonStoreError,
  NotFoundError,
  PayloadTooLargeError,
  QueueFullError,
  RunCancelledError,
  RunFailedError,
  RunPrunedError,
  type SchemaDifference,
  StepSuspendedError,
  StepTimeoutError,
  StoreClosedError,
  StoreCorruptError,
  StoreFullError,
  StoreReadOnlyError,
  StoreSchemaOutdatedError,
  StoreSchemaTooNewError,
  StoreUnavailableError,
  toError,
  type ValidationIssue,
  VersionConflictError,
  WorkflowNotRegisteredError,
} from './errors.js';
// Governance: the contract catalog, principals and privileges, PII, lineage, audit.
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
  type LineageChild,
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
export {
  ERASED,
  type EraseOptions,
  type EraseResult,
  type PiiEncryptionOptions,
} from './governance/pii-codec.js';
export type { KeyEncryptionKey, KeyWrapper } from './governance/pii-crypto.js';
export { maskChanges, maskState, piiPaths } from './governance/pii-public.js';
export type {
  ClaimedDelivery,
  ConsumerMatch,
  DeliveryClaim,
  DeliveryKind,
  DeliveryQuery,
  DeliveryRecord,
  DeliverySettlement,
  DeliveryStatus,
  EventQuery,
  EventRecord,
  EventStore,
  NewEvent,
  RedeliverResult,
  SettleResult,
} from './ledger/event-store.js';
export type { PiiKeyRecord } from './ledger/governance-store.js';
export { GENESIS_HASH, hashVersion } from './ledger/hash.js';
export { canonicalJson, type Json, type JsonObject } from './ledger/json.js';
export type {
  ChangeFeed,
  ChangeQuery,
  ChangeRecord,
  SearchAttributes,
  StepShape,
  WorkflowShape,
} from './ledger/observe.js';
export type {
  QuotaLimits,
  QuotaOutcome,
  QuotaRequest,
  QuotaStore,
} from './ledger/quota-store.js';
export type { RunEndCheck, RunSeal, RunVerifyResult } from './ledger/run-seal.js';
export type { StateStore, StoreKind } from './ledger/store.js';
export {
  type AuxKind,
  type AuxQuery,
  type AuxRecord,
  type ClaimRequest,
  type CommitOutcome,
  type CreateRunResult,
  type JournalEntry,
  type JournalType,
  type NewRun,
  RUN_STATUSES,
  type RunPatch,
  type RunQuery,
  type RunRecord,
  type RunStatus,
  type RunWrite,
  type StateData,
  type StateSnapshot,
  TERMINAL_STATUSES,
  type VersionKind,
  type VersionRecord,
} from './ledger/types.js';
export {
  buildVersion,
  DEFAULT_MAX_SLOT_BYTES,
  type VerifyResult,
  verifyChain,
} from './ledger/versions.js';
// Composition and time: child workflows, durable timers, schedules, retention.
export { MAX_FAN_OUT } from './orchestrator/child-agent.js';
export type { TokenEvent } from './orchestrator/live-feed.js';
export type {
  ChildStepOptions,
  MapOptions,
  SleepOptions,
  TimerFired,
} from './orchestrator/workflow.js';
// Workflows and the runtime.
export {
  isWorkflow,
  type Searchable,
  type Selector,
  type StepOptions,
  type StepSpec,
  type WaitOptions,
  type Workflow,
  type WorkflowBuilder,
  workflow,
} from './orchestrator/workflow.js';
export { isSkipped, type Skipped, type StateView } from './orchestrator/workflow-types.js';
// Failure handling: policies, breakers, clocks.
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
} from './resilience/policy.js';
export {
  type BreakerFactory,
  createSharedBreakerFactory,
  type SharedBreakerOptions,
} from './resilience/shared-breaker.js';
export type { PruneOptions, PruneReport, Tombstone } from './retention/prune.js';
export { createRuntime } from './runtime/create-runtime.js';
export type { RunEvent, WatchFilter, WatchOptions } from './runtime/run-watch.js';
export {
  type Alert,
  DEFAULT_RUN_CONCURRENCY,
  type RunHandle,
  type Runtime,
  type RuntimeOptions,
  type StartOptions,
  type Worker,
  type WorkerOptions,
} from './runtime/runtime-types.js';
export type { WaitInfo, WaitQuery, WaitReason } from './runtime/waits.js';
export type {
  ScheduleConfig,
  ScheduleInfo,
  ScheduleOptions,
  ScheduleOverlap,
} from './schedules/schedule-types.js';
// Debugging and time travel.
export {
  type Blame,
  type BlameChild,
  type BlameInput,
  type BlameOptions,
  type BlameReader,
  type BlameVersion,
  blame,
  parseStatePath,
} from './time-travel/blame.js';
export { diffJson, type StateChange, type StateDiff } from './time-travel/diff.js';
export type { AgentLike, ReplayOptions } from './time-travel/time-travel.js';
// Tracing: OpenTelemetry spans, the built-in trace store, the waterfall, evaluators.
export { createTracing, type TracingOptions } from './tracing/create-tracing.js';
export { type EvaluationContext, runEvaluators } from './tracing/evaluators.js';
export {
  type AgreementFigures,
  agreementOf,
  type ConfusionCounts,
  confusion,
  type VerdictPair,
} from './tracing/judge-agreement.js';
export {
  type HumanScore,
  type JudgeAgreement,
  type JudgeLabel,
  type JudgesQuery,
  type JudgesReport,
  type LabelOptions,
  parseHumanScore,
} from './tracing/judge-labels.js';
export { orderSpans, readTrace } from './tracing/read-trace.js';
export {
  type StoredSpan,
  TRACE_NAMES,
  type TraceAttributes,
  type TraceAttributeValue,
  type TraceEvent,
  type TraceSpan,
  type TraceSpanKind,
  type TraceStatus,
} from './tracing/stored-span.js';
export {
  type AttemptScope,
  type EvaluationRecord,
  noopTelemetry,
  type RunScope,
  type ScopeAttributes,
  type StepOutcome,
  type StepScope,
  type Telemetry,
} from './tracing/telemetry.js';
export {
  readUsage,
  type UsageGroupBy,
  type UsageQuery,
  type UsageReport,
  type UsageRow,
} from './tracing/usage.js';
export { formatDuration, renderWaterfall, type WaterfallOptions } from './tracing/waterfall.js';
