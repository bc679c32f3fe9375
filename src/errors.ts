/**
 * Every error Baton throws on purpose. Each class carries a stable string `code` from a closed
 * union, a `retryable` flag (terminal vs retryable, so policies know what to retry), typed
 * context fields and the original `cause`. Guards match on `code`, not `instanceof`, so they
 * survive duplicate package copies and serialization.
 */

/** The closed set of error codes. Never renumbered, never reused. */
export type ErrorCode =
  | 'CONTRACT_VIOLATION'
  | 'CONTRACT_MISMATCH'
  | 'INVALID_DEFINITION'
  | 'INVALID_ARGUMENT'
  | 'NON_JSON_VALUE'
  | 'PAYLOAD_TOO_LARGE'
  | 'VERSION_CONFLICT'
  | 'LEASE_LOST'
  | 'CIRCUIT_OPEN'
  | 'STEP_TIMEOUT'
  | 'QUEUE_FULL'
  | 'RUN_FAILED'
  | 'RUN_CANCELLED'
  | 'ACCESS_DENIED'
  | 'NOT_FOUND'
  | 'STORE_SCHEMA_TOO_NEW'
  | 'NOT_A_BATON_STORE'
  | 'STORE_READ_ONLY'
  | 'STORE_SCHEMA_OUTDATED'
  | 'STORE_UNAVAILABLE'
  | 'WORKFLOW_NOT_REGISTERED'
  | 'AGENT_FAILED'
  | 'GUARD_VIOLATION'
  | 'BUDGET_EXCEEDED'
  | 'MODEL_UNAVAILABLE'
  | 'CONTRACT_INCOMPATIBLE'
  | 'CHECKPOINT_INVALID'
  | 'CALLBACK_FAILED'
  | 'IDEMPOTENCY_CONFLICT'
  | 'CAUSATION_DEPTH_EXCEEDED'
  | 'STORE_CLOSED'
  | 'STORE_CORRUPT'
  | 'FAN_OUT_TOO_LARGE'
  | 'INVALID_SCHEDULE'
  | 'RUN_PRUNED'
  | 'ENCRYPTION_KEY'
  | 'STORE_FULL'
  | 'STEP_SUSPENDED';

/** One problem found by a validator: where (path) and what (message). */
export interface ValidationIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Base class of every Baton error. */
export abstract class BatonError extends Error {
  abstract readonly code: ErrorCode;
  /** True when trying again later may succeed. */
  readonly retryable: boolean = false;
  override name = 'BatonError';

  /**
   * A JSON-safe view, used by the journal, the CLI and the HTTP API: name, code, message,
   * retryable and every typed context field of the subclass (runId, breaker, timeoutMs, ...).
   */
  toJSON(): { name: string; code: ErrorCode; message: string; retryable: boolean } & Record<
    string,
    unknown
  > {
    const context: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (key === 'name' || key === 'code' || key === 'retryable' || key === 'cause') continue;
      if (value === undefined || typeof value === 'function') continue;
      context[key] = value;
    }
    return {
      ...context,
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    };
  }
}

/** Data failed a contract at a handoff (workflow input, agent input, agent output, signal, event). */
export class ContractViolationError extends BatonError {
  readonly code = 'CONTRACT_VIOLATION';
  override name = 'ContractViolationError';
  readonly contractId: string;
  readonly issues: readonly ValidationIssue[];
  readonly step: string | undefined;
  readonly agent: string | undefined;
  /** Which side of the handoff failed. */
  readonly boundary:
    | 'workflow-input'
    | 'agent-input'
    | 'agent-output'
    | 'signal'
    | 'event'
    | 'value';

  constructor(opts: {
    contractId: string;
    issues: readonly ValidationIssue[];
    boundary: ContractViolationError['boundary'];
    step?: string | undefined;
    agent?: string | undefined;
  }) {
    const where = [opts.step && `step '${opts.step}'`, opts.agent && `agent '${opts.agent}'`]
      .filter(Boolean)
      .join(', ');
    const list = opts.issues
      .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
      .join('; ');
    super(
      `${opts.boundary} violates contract '${opts.contractId}'${where ? ` at ${where}` : ''}: ${list}`,
    );
    this.contractId = opts.contractId;
    this.issues = opts.issues;
    this.boundary = opts.boundary;
    this.step = opts.step;
    this.agent = opts.agent;
  }
}

/** Where two JSON Schemas under one contract id differ: a JSON pointer into them, and how. */
export interface SchemaDifference {
  /** `#/properties/amount/maximum`. */
  readonly path: string;
  /** Present only in the new schema, only in the registered one, or different in both. */
  readonly kind: 'added' | 'removed' | 'changed';
}

/** How many differences a ContractMismatchError message spells out (the field keeps them all). */
const DIFFERENCES_SHOWN = 5;

/**
 * A contract id was registered again with a different schema: in one runtime, or (through the
 * store's persisted catalog) by another runtime on the same store.
 */
export class ContractMismatchError extends BatonError {
  readonly code = 'CONTRACT_MISMATCH';
  override name = 'ContractMismatchError';
  constructor(
    readonly contractId: string,
    readonly registeredFingerprint: string,
    readonly newFingerprint: string,
    /** Where the new schema differs from the registered one (empty when either has no JSON Schema). */
    readonly differences: readonly SchemaDifference[] = [],
  ) {
    const shown = differences
      .slice(0, DIFFERENCES_SHOWN)
      .map((d) => `${d.path} ${d.kind}`)
      .join(', ');
    const more =
      differences.length > DIFFERENCES_SHOWN
        ? ` and ${differences.length - DIFFERENCES_SHOWN} more`
        : '';
    super(
      `contract '${contractId}' is already registered with a different schema (fingerprint ${registeredFingerprint.slice(0, 12)} vs ${newFingerprint.slice(0, 12)}${shown ? `; differs at ${shown}${more}` : ''}); publish a new version instead`,
    );
  }
}

/** A new version of a contract breaks compatibility with the versions registered before it. */
export class ContractIncompatibleError extends BatonError {
  readonly code = 'CONTRACT_INCOMPATIBLE';
  override name = 'ContractIncompatibleError';
  constructor(
    readonly contractId: string,
    readonly mode: string,
    /** Each breaking change: where (JSON pointer into the schema), what, and against which version. */
    readonly problems: readonly {
      readonly path: string;
      readonly change: string;
      readonly version?: number;
      readonly detail?: string;
    }[],
  ) {
    const list = problems
      .map((p) => `${p.change} at ${p.path}${p.version !== undefined ? ` (vs @${p.version})` : ''}`)
      .join('; ');
    super(`contract '${contractId}' is not ${mode} compatible: ${list}`);
  }
}

/** A definition (contract, agent, workflow, policy, reactor) is malformed. */
export class InvalidDefinitionError extends BatonError {
  readonly code = 'INVALID_DEFINITION';
  override name = 'InvalidDefinitionError';
  constructor(
    message: string,
    readonly subject: string,
  ) {
    super(message);
  }
}

/** A call received an argument it cannot accept. */
export class InvalidArgumentError extends BatonError {
  readonly code = 'INVALID_ARGUMENT';
  override name = 'InvalidArgumentError';
  constructor(
    message: string,
    readonly argument: string,
  ) {
    super(message);
  }
}

/** A value is not plain JSON (function, class instance, NaN, cycle, ...). */
export class NonJsonValueError extends BatonError {
  readonly code = 'NON_JSON_VALUE';
  override name = 'NonJsonValueError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`value at ${path} is not JSON-compatible: ${reason}`);
  }
}

/** A slot's encoded size exceeds the configured maximum. Never retryable. */
export class PayloadTooLargeError extends BatonError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  override name = 'PayloadTooLargeError';
  constructor(
    readonly slot: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`slot '${slot}' encodes to ${bytes} bytes, over the maximum of ${maxBytes}`);
  }
}

/** A compare-and-append lost a race: the run's head is not the expected version. */
export class VersionConflictError extends BatonError {
  readonly code = 'VERSION_CONFLICT';
  override name = 'VersionConflictError';
  override readonly retryable = true;
  constructor(
    readonly runId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      `run ${runId}: expected head version ${expectedVersion} but found ${actualVersion} (another writer won)`,
    );
  }
}

/** This process no longer holds the lease on a run and may not write to it. */
export class LeaseLostError extends BatonError {
  readonly code = 'LEASE_LOST';
  override name = 'LeaseLostError';
  constructor(
    readonly runId: string,
    readonly owner: string,
  ) {
    super(`run ${runId}: lease no longer held by ${owner}`);
  }
}

/** A breaker is open: the call failed fast without reaching the agent. */
export class CircuitOpenError extends BatonError {
  readonly code = 'CIRCUIT_OPEN';
  override name = 'CircuitOpenError';
  override readonly retryable = true;
  constructor(
    readonly breaker: string,
    readonly retryAfterMs: number,
  ) {
    super(`circuit '${breaker}' is open; retry after ${retryAfterMs} ms`);
  }
}

/** A step attempt exceeded its timeout; its AbortSignal was aborted. */
export class StepTimeoutError extends BatonError {
  readonly code = 'STEP_TIMEOUT';
  override name = 'StepTimeoutError';
  override readonly retryable = true;
  constructor(
    readonly step: string,
    readonly timeoutMs: number,
  ) {
    super(`step '${step}' timed out after ${timeoutMs} ms`);
  }
}

/** A bounded queue (bulkhead or rate limiter) is full. */
export class QueueFullError extends BatonError {
  readonly code = 'QUEUE_FULL';
  override name = 'QueueFullError';
  override readonly retryable = true;
  constructor(
    readonly limiter: string,
    readonly maxQueue: number,
  ) {
    super(`'${limiter}' queue is full (${maxQueue} waiting)`);
  }
}

/** An agent threw; wraps what it threw. */
export class AgentFailedError extends BatonError {
  readonly code = 'AGENT_FAILED';
  override name = 'AgentFailedError';
  override readonly retryable: boolean;
  constructor(message: string, opts: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: opts.cause });
    this.retryable = opts.retryable ?? true;
  }
}

/** A run ended in failure; carries the cause and what was compensated. */
export class RunFailedError extends BatonError {
  readonly code = 'RUN_FAILED';
  override name = 'RunFailedError';
  constructor(
    readonly runId: string,
    readonly status: string,
    readonly failure: { readonly code: string; readonly message: string; readonly step?: string },
    readonly compensated: readonly string[] = [],
    cause?: unknown,
  ) {
    super(`run ${runId} ${status}: ${failure.message}`, { cause });
  }
}

/** A run was cancelled. */
export class RunCancelledError extends BatonError {
  readonly code = 'RUN_CANCELLED';
  override name = 'RunCancelledError';
  constructor(readonly runId: string) {
    super(`run ${runId} was cancelled`);
  }
}

/** A principal may not perform an action. */
export class AccessDeniedError extends BatonError {
  readonly code = 'ACCESS_DENIED';
  override name = 'AccessDeniedError';
  /** The privilege the action needs (`EXECUTE`, `READ`, ...), when a grant check refused it. */
  readonly privilege: string | undefined;
  /** What it was needed on (`workflow:credit-decision@1`). */
  readonly securable: string | undefined;
  constructor(
    readonly principal: string,
    readonly action: string,
    privilege?: string,
    securable?: string,
  ) {
    super(
      `${principal} may not ${action}${privilege ? ` (needs ${privilege}${securable ? ` on ${securable}` : ''})` : ''}`,
    );
    this.privilege = privilege;
    this.securable = securable;
  }
}

/** A run, version, event or other record does not exist. */
export class NotFoundError extends BatonError {
  readonly code = 'NOT_FOUND';
  override name = 'NotFoundError';
  constructor(
    readonly what: string,
    readonly id: string,
  ) {
    super(`${what} '${id}' not found`);
  }
}

/** The store was written by a newer Baton schema than this code knows. */
export class StoreSchemaTooNewError extends BatonError {
  readonly code = 'STORE_SCHEMA_TOO_NEW';
  override name = 'StoreSchemaTooNewError';
  constructor(
    readonly location: string,
    readonly storeVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `store ${location} has schema version ${storeVersion}, newer than this code's ${codeVersion}; upgrade baton`,
    );
  }
}

/**
 * A write was attempted through a store opened read-only (`readOnly: true`, or a read command of
 * the CLI). Nothing was written.
 */
export class StoreReadOnlyError extends BatonError {
  readonly code = 'STORE_READ_ONLY';
  override name = 'StoreReadOnlyError';
  constructor(
    readonly location: string,
    /** The store method that would have written (`createRun`, `appendRecords`, ...). */
    readonly operation: string,
  ) {
    super(
      `store ${location} is open read-only: ${operation} would write to it; open it without readOnly to write`,
    );
  }
}

/**
 * A store opened read-only has an older schema than this code: reading it would need a migration,
 * and a read-only store never migrates. Nothing was written.
 */
export class StoreSchemaOutdatedError extends BatonError {
  readonly code = 'STORE_SCHEMA_OUTDATED';
  override name = 'StoreSchemaOutdatedError';
  constructor(
    readonly location: string,
    readonly storeVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `store ${location} has schema version ${storeVersion}, older than this code's ${codeVersion}, and is open read-only; upgrade it first with \`baton migrate\` (or by opening it for writing)`,
    );
  }
}

/** The file or database is not a Baton store. */
export class NotABatonStoreError extends BatonError {
  readonly code = 'NOT_A_BATON_STORE';
  override name = 'NotABatonStoreError';
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`${location} is not a Baton store: ${reason}`);
  }
}

/** The store's server is unreachable or refused us. */
export class StoreUnavailableError extends BatonError {
  readonly code = 'STORE_UNAVAILABLE';
  override name = 'StoreUnavailableError';
  override readonly retryable = true;
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

/** A run's pinned workflow version is not registered on this runtime. */
export class WorkflowNotRegisteredError extends BatonError {
  readonly code = 'WORKFLOW_NOT_REGISTERED';
  override name = 'WorkflowNotRegisteredError';
  constructor(
    readonly workflow: string,
    readonly version: number,
  ) {
    super(`workflow '${workflow}' version ${version} is not registered on this runtime`);
  }
}

/** A guard around a model call refused its prompt, its output or its tool use. */
export class GuardViolationError extends BatonError {
  readonly code = 'GUARD_VIOLATION';
  override name = 'GuardViolationError';
  constructor(
    readonly guard: string,
    readonly stage: 'input' | 'output' | 'tool',
    readonly reason: string,
    readonly agent?: string,
  ) {
    super(`guard '${guard}' refused the ${stage}${agent ? ` of agent '${agent}'` : ''}: ${reason}`);
  }
}

/**
 * Thrown by `ctx.suspend()`: the agent asked to park its step on a durable wait. Not a failure:
 * the runtime parks the step (never retried, never counted by a breaker) and executes the agent
 * again, with `ctx.resumption()` set, once the wait's signal arrives. Let it propagate.
 */
export class StepSuspendedError extends BatonError {
  readonly code = 'STEP_SUSPENDED';
  override name = 'StepSuspendedError';
  // Private: the saved detail (a whole conversation, say) stays out of toJSON and the journal.
  readonly #detail: unknown;
  readonly #accepts: unknown;
  constructor(
    readonly step: string,
    /** The full wait name (`<step>:<key>`): what `rt.signal` takes. */
    readonly wait: string,
    detail: unknown,
    accepts: unknown,
  ) {
    super(`step '${step}' is suspended, waiting for signal '${wait}'`);
    this.#detail = detail;
    this.#accepts = accepts;
  }

  /** What the agent saved to resume from (JSON). */
  get detail(): unknown {
    return this.#detail;
  }

  /** The JSON Schema a signal's payload must satisfy, if the agent gave one. */
  get accepts(): unknown {
    return this.#accepts;
  }
}

/** A token or cost budget is spent: no further model call is made under it. */
export class BudgetExceededError extends BatonError {
  readonly code = 'BUDGET_EXCEEDED';
  override name = 'BudgetExceededError';
  constructor(
    readonly scope: 'step' | 'run' | 'workflow',
    readonly resource: 'tokens' | 'cost',
    /** What was used (for scope 'workflow': at least this, in the budget's window). */
    readonly used: number,
    readonly limit: number,
    readonly runId?: string,
    /** The workflow whose budget it was (scope 'workflow'). */
    readonly workflow?: string,
  ) {
    super(
      `${scope} ${resource} budget exceeded${workflow ? ` for workflow '${workflow}'` : ''}${runId ? ` in run ${runId}` : ''}: used ${used}, limit ${limit}`,
    );
  }
}

/** No model of a gateway chain could take the call (limits, open breakers or failures). */
export class ModelUnavailableError extends BatonError {
  readonly code = 'MODEL_UNAVAILABLE';
  override name = 'ModelUnavailableError';
  override readonly retryable = true;
  constructor(
    readonly models: readonly string[],
    readonly reasons: readonly string[],
    cause?: unknown,
  ) {
    super(`no model available among ${models.join(', ')}: ${reasons.join('; ')}`, { cause });
  }
}

/** An audit checkpoint is malformed or its signature does not verify with the given key. */
export class CheckpointInvalidError extends BatonError {
  readonly code = 'CHECKPOINT_INVALID';
  override name = 'CheckpointInvalidError';
  constructor(
    message: string,
    readonly source: string,
  ) {
    super(`checkpoint ${source}: ${message}`);
  }
}

/** A `.map()` step was given more elements than a fan-out may start (`MAX_FAN_OUT`). */
export class FanOutTooLargeError extends BatonError {
  readonly code = 'FAN_OUT_TOO_LARGE';
  override name = 'FanOutTooLargeError';
  constructor(
    readonly step: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`step '${step}' fans out over ${size} elements; at most ${limit} are allowed`);
  }
}

/** A schedule's definition (cron expression, interval, overlap, input) cannot be used. */
export class InvalidScheduleError extends BatonError {
  readonly code = 'INVALID_SCHEDULE';
  override name = 'InvalidScheduleError';
  constructor(
    readonly schedule: string,
    readonly reason: string,
  ) {
    super(`schedule '${schedule}': ${reason}`);
  }
}

/** The run was deleted by retention; its tombstone says what it was. */
export class RunPrunedError extends BatonError {
  readonly code = 'RUN_PRUNED';
  override name = 'RunPrunedError';
  constructor(
    readonly runId: string,
    readonly prunedAt: number,
  ) {
    super(`run ${runId} was pruned by retention at ${new Date(prunedAt).toISOString()}`);
  }
}

/**
 * Personal data cannot be encrypted or decrypted: the key-encryption key is malformed, or it
 * does not unwrap a stored data key (another key, or an edited row). Never thrown for an erased
 * subject: erased values read as a marker.
 */
export class EncryptionKeyError extends BatonError {
  readonly code = 'ENCRYPTION_KEY';
  override name = 'EncryptionKeyError';
  constructor(
    message: string,
    /** The subject or key id concerned, when one is. */
    readonly subject?: string,
  ) {
    super(message);
  }
}

function hasCode(e: unknown, code: ErrorCode): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}

/** True for any Baton error. */
export const isBatonError = (e: unknown): e is BatonError =>
  e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && 'retryable' in e;
export const isContractViolationError = (e: unknown): e is ContractViolationError =>
  hasCode(e, 'CONTRACT_VIOLATION');
export const isContractMismatchError = (e: unknown): e is ContractMismatchError =>
  hasCode(e, 'CONTRACT_MISMATCH');
export const isInvalidDefinitionError = (e: unknown): e is InvalidDefinitionError =>
  hasCode(e, 'INVALID_DEFINITION');
export const isInvalidArgumentError = (e: unknown): e is InvalidArgumentError =>
  hasCode(e, 'INVALID_ARGUMENT');
export const isNonJsonValueError = (e: unknown): e is NonJsonValueError =>
  hasCode(e, 'NON_JSON_VALUE');
export const isPayloadTooLargeError = (e: unknown): e is PayloadTooLargeError =>
  hasCode(e, 'PAYLOAD_TOO_LARGE');
export const isVersionConflictError = (e: unknown): e is VersionConflictError =>
  hasCode(e, 'VERSION_CONFLICT');
export const isLeaseLostError = (e: unknown): e is LeaseLostError => hasCode(e, 'LEASE_LOST');
export const isCircuitOpenError = (e: unknown): e is CircuitOpenError => hasCode(e, 'CIRCUIT_OPEN');
export const isStepTimeoutError = (e: unknown): e is StepTimeoutError => hasCode(e, 'STEP_TIMEOUT');
export const isQueueFullError = (e: unknown): e is QueueFullError => hasCode(e, 'QUEUE_FULL');
export const isAgentFailedError = (e: unknown): e is AgentFailedError => hasCode(e, 'AGENT_FAILED');
export const isRunFailedError = (e: unknown): e is RunFailedError => hasCode(e, 'RUN_FAILED');
export const isRunCancelledError = (e: unknown): e is RunCancelledError =>
  hasCode(e, 'RUN_CANCELLED');
export const isAccessDeniedError = (e: unknown): e is AccessDeniedError =>
  hasCode(e, 'ACCESS_DENIED');
export const isNotFoundError = (e: unknown): e is NotFoundError => hasCode(e, 'NOT_FOUND');
export const isStoreSchemaTooNewError = (e: unknown): e is StoreSchemaTooNewError =>
  hasCode(e, 'STORE_SCHEMA_TOO_NEW');
export const isNotABatonStoreError = (e: unknown): e is NotABatonStoreError =>
  hasCode(e, 'NOT_A_BATON_STORE');
export const isStoreReadOnlyError = (e: unknown): e is StoreReadOnlyError =>
  hasCode(e, 'STORE_READ_ONLY');
export const isStoreSchemaOutdatedError = (e: unknown): e is StoreSchemaOutdatedError =>
  hasCode(e, 'STORE_SCHEMA_OUTDATED');
export const isStoreUnavailableError = (e: unknown): e is StoreUnavailableError =>
  hasCode(e, 'STORE_UNAVAILABLE');
export const isWorkflowNotRegisteredError = (e: unknown): e is WorkflowNotRegisteredError =>
  hasCode(e, 'WORKFLOW_NOT_REGISTERED');

export const isStepSuspendedError = (e: unknown): e is StepSuspendedError =>
  hasCode(e, 'STEP_SUSPENDED');
export const isGuardViolationError = (e: unknown): e is GuardViolationError =>
  hasCode(e, 'GUARD_VIOLATION');
export const isBudgetExceededError = (e: unknown): e is BudgetExceededError =>
  hasCode(e, 'BUDGET_EXCEEDED');
export const isModelUnavailableError = (e: unknown): e is ModelUnavailableError =>
  hasCode(e, 'MODEL_UNAVAILABLE');
export const isContractIncompatibleError = (e: unknown): e is ContractIncompatibleError =>
  hasCode(e, 'CONTRACT_INCOMPATIBLE');
export const isCheckpointInvalidError = (e: unknown): e is CheckpointInvalidError =>
  hasCode(e, 'CHECKPOINT_INVALID');
export const isFanOutTooLargeError = (e: unknown): e is FanOutTooLargeError =>
  hasCode(e, 'FAN_OUT_TOO_LARGE');
export const isInvalidScheduleError = (e: unknown): e is InvalidScheduleError =>
  hasCode(e, 'INVALID_SCHEDULE');
export const isRunPrunedError = (e: unknown): e is RunPrunedError => hasCode(e, 'RUN_PRUNED');

// ---- Robustness errors (issue 19): user callbacks, idempotency, causation, store state ----

/** A user callback (`when`, `input`, `output`, an evaluator, ...) threw; the step or run fails. */
export class CallbackFailedError extends BatonError {
  readonly code = 'CALLBACK_FAILED';
  override name = 'CallbackFailedError';
  constructor(
    /** Which callback: 'when', 'input', 'output', ... */
    readonly callback: string,
    readonly step: string,
    cause: unknown,
  ) {
    super(`${callback} of step '${step}' threw: ${toError(cause).message}`, { cause });
  }
}

/** A run id or idempotency key is already used by a run of another workflow, version or input. */
export class IdempotencyConflictError extends BatonError {
  readonly code = 'IDEMPOTENCY_CONFLICT';
  override name = 'IdempotencyConflictError';
  constructor(
    /** 'runId' or 'idempotencyKey'. */
    readonly key: 'runId' | 'idempotencyKey',
    readonly value: string,
    readonly existingRunId: string,
    /** What differs: 'workflow', 'version' or 'input'. */
    readonly differs: string,
  ) {
    super(
      `${key} '${value}' already names run '${existingRunId}' with a different ${differs}; use a new ${key}`,
    );
  }
}

/** A chain of events caused by one another grew deeper than `maxCausationDepth`. */
export class CausationDepthExceededError extends BatonError {
  readonly code = 'CAUSATION_DEPTH_EXCEEDED';
  override name = 'CausationDepthExceededError';
  constructor(
    readonly eventType: string,
    readonly depth: number,
    readonly maxDepth: number,
  ) {
    super(
      `event '${eventType}' is ${depth} causes deep, over maxCausationDepth ${maxDepth} (a reactor loop?)`,
    );
  }
}

/** The store or runtime was closed; nothing more can be done with it. */
export class StoreClosedError extends BatonError {
  readonly code = 'STORE_CLOSED';
  override name = 'StoreClosedError';
  constructor(readonly what: 'store' | 'runtime' = 'store') {
    super(`the ${what} is closed`);
  }
}

/** The store's file is damaged (SQLite reports corruption); see the README on recovery. */
export class StoreCorruptError extends BatonError {
  readonly code = 'STORE_CORRUPT';
  override name = 'StoreCorruptError';
  constructor(
    readonly location: string,
    reason: string,
    cause?: unknown,
  ) {
    super(`store ${location} is corrupt: ${reason}`, { cause });
  }
}

/**
 * The store's disk is full (SQLite reports SQLITE_FULL): the write was not made. The store
 * handle refuses every later operation with this error; free space, then open a new one.
 */
export class StoreFullError extends BatonError {
  readonly code = 'STORE_FULL';
  override name = 'StoreFullError';
  constructor(
    readonly location: string,
    reason: string,
    cause?: unknown,
  ) {
    super(`store ${location} is out of disk space: ${reason}`, { cause });
  }
}

export const isCallbackFailedError = (e: unknown): e is CallbackFailedError =>
  hasCode(e, 'CALLBACK_FAILED');
export const isIdempotencyConflictError = (e: unknown): e is IdempotencyConflictError =>
  hasCode(e, 'IDEMPOTENCY_CONFLICT');
export const isCausationDepthExceededError = (e: unknown): e is CausationDepthExceededError =>
  hasCode(e, 'CAUSATION_DEPTH_EXCEEDED');
export const isStoreClosedError = (e: unknown): e is StoreClosedError => hasCode(e, 'STORE_CLOSED');
export const isStoreCorruptError = (e: unknown): e is StoreCorruptError =>
  hasCode(e, 'STORE_CORRUPT');
export const isStoreFullError = (e: unknown): e is StoreFullError => hasCode(e, 'STORE_FULL');

// ---- end of robustness errors ----

export const isEncryptionKeyError = (e: unknown): e is EncryptionKeyError =>
  hasCode(e, 'ENCRYPTION_KEY');

/** Turns anything thrown by user code into an Error, keeping Errors as they are. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const message = typeof thrown === 'string' ? thrown : `non-error thrown: ${safeDescribe(thrown)}`;
  return new Error(message, { cause: thrown });
}

function safeDescribe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A JSON-safe description of an error, as kept in the journal. */
export interface ErrorInfo {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly step?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The longest error message kept in the journal; the rest is replaced by a marker. */
export const MAX_ERROR_MESSAGE_LENGTH = 8192;

/** `message` cut to MAX_ERROR_MESSAGE_LENGTH with a marker saying how much was left out. */
function capMessage(message: string): string {
  if (message.length <= MAX_ERROR_MESSAGE_LENGTH) return message;
  const cut = message.length - MAX_ERROR_MESSAGE_LENGTH;
  return `${message.slice(0, MAX_ERROR_MESSAGE_LENGTH)}… [${cut} more characters not stored]`;
}

/** Describes any thrown value for the journal (messages capped, see MAX_ERROR_MESSAGE_LENGTH). */
export function describeError(thrown: unknown, step?: string): ErrorInfo {
  const e = toError(thrown);
  if (isBatonError(e)) {
    const { name, code, message, retryable, ...details } = e.toJSON() as {
      name: string;
      code: string;
      message: string;
      retryable: boolean;
    } & Record<string, unknown>;
    return {
      name,
      code,
      message: capMessage(message),
      retryable,
      ...(step ? { step } : {}),
      details,
    };
  }
  return {
    name: e.name,
    code: 'AGENT_FAILED',
    message: capMessage(e.message),
    retryable: true,
    ...(step ? { step } : {}),
  };
}
