import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.js';
import {
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
  FanOutTooLargeError,
  GuardViolationError,
  IdempotencyConflictError,
  InvalidArgumentError,
  InvalidDefinitionError,
  InvalidScheduleError,
  isBatonError,
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
  VersionConflictError,
  WorkflowNotRegisteredError,
} from '../src/errors.js';

type Guard = (e: unknown) => boolean;

interface Case {
  readonly error: BatonError;
  readonly name: string;
  readonly code: errors.ErrorCode;
  readonly retryable: boolean;
  readonly guard: string;
  /** A fragment the message must contain (the context it names). */
  readonly message: string;
  /** Context fields the error must carry. */
  readonly fields: Record<string, unknown>;
}

const violation = new ContractViolationError({
  contractId: 'credit.score@1',
  issues: [
    { path: ['score'], message: 'Expected number' },
    { path: [], message: 'Bad root' },
  ],
  boundary: 'agent-output',
  step: 'score',
  agent: 'credit-score@1.0.0',
});

const CASES: readonly Case[] = [
  {
    error: violation,
    name: 'ContractViolationError',
    code: 'CONTRACT_VIOLATION',
    retryable: false,
    guard: 'isContractViolationError',
    message:
      "agent-output violates contract 'credit.score@1' at step 'score', agent 'credit-score@1.0.0': score: Expected number; (root): Bad root",
    fields: { contractId: 'credit.score@1', boundary: 'agent-output', step: 'score' },
  },
  {
    error: new ContractMismatchError('a@1', 'f'.repeat(64), '0'.repeat(64), [
      { path: '#/properties/x', kind: 'removed' },
    ]),
    name: 'ContractMismatchError',
    code: 'CONTRACT_MISMATCH',
    retryable: false,
    guard: 'isContractMismatchError',
    message:
      "contract 'a@1' is already registered with a different schema (fingerprint ffffffffffff vs 000000000000; differs at #/properties/x removed)",
    fields: {
      contractId: 'a@1',
      registeredFingerprint: 'f'.repeat(64),
      differences: [{ path: '#/properties/x', kind: 'removed' }],
    },
  },
  {
    error: new InvalidDefinitionError('bad step', "workflow 'w'"),
    name: 'InvalidDefinitionError',
    code: 'INVALID_DEFINITION',
    retryable: false,
    guard: 'isInvalidDefinitionError',
    message: 'bad step',
    fields: { subject: "workflow 'w'" },
  },
  {
    error: new InvalidArgumentError('limit must be > 0, got -1', 'limit'),
    name: 'InvalidArgumentError',
    code: 'INVALID_ARGUMENT',
    retryable: false,
    guard: 'isInvalidArgumentError',
    message: 'got -1',
    fields: { argument: 'limit' },
  },
  {
    error: new NonJsonValueError('$.a[2]', 'function'),
    name: 'NonJsonValueError',
    code: 'NON_JSON_VALUE',
    retryable: false,
    guard: 'isNonJsonValueError',
    message: 'value at $.a[2] is not JSON-compatible: function',
    fields: { path: '$.a[2]', reason: 'function' },
  },
  {
    error: new PayloadTooLargeError('score', 2_000, 1_000),
    name: 'PayloadTooLargeError',
    code: 'PAYLOAD_TOO_LARGE',
    retryable: false,
    guard: 'isPayloadTooLargeError',
    message: "slot 'score' encodes to 2000 bytes, over the maximum of 1000",
    fields: { slot: 'score', bytes: 2_000, maxBytes: 1_000 },
  },
  {
    error: new VersionConflictError('run-1', 3, 4),
    name: 'VersionConflictError',
    code: 'VERSION_CONFLICT',
    retryable: true,
    guard: 'isVersionConflictError',
    message: 'run run-1: expected head version 3 but found 4',
    fields: { runId: 'run-1', expectedVersion: 3, actualVersion: 4 },
  },
  {
    error: new LeaseLostError('run-1', 'worker-a'),
    name: 'LeaseLostError',
    code: 'LEASE_LOST',
    retryable: false,
    guard: 'isLeaseLostError',
    message: 'lease no longer held by worker-a',
    fields: { runId: 'run-1', owner: 'worker-a' },
  },
  {
    error: new CircuitOpenError('score@1.0.0', 1_500),
    name: 'CircuitOpenError',
    code: 'CIRCUIT_OPEN',
    retryable: true,
    guard: 'isCircuitOpenError',
    message: "circuit 'score@1.0.0' is open; retry after 1500 ms",
    fields: { breaker: 'score@1.0.0', retryAfterMs: 1_500 },
  },
  {
    error: new StepTimeoutError('income', 250),
    name: 'StepTimeoutError',
    code: 'STEP_TIMEOUT',
    retryable: true,
    guard: 'isStepTimeoutError',
    message: "step 'income' timed out after 250 ms",
    fields: { step: 'income', timeoutMs: 250 },
  },
  {
    error: new QueueFullError('fraud@1', 10),
    name: 'QueueFullError',
    code: 'QUEUE_FULL',
    retryable: true,
    guard: 'isQueueFullError',
    message: "'fraud@1' queue is full (10 waiting)",
    fields: { limiter: 'fraud@1', maxQueue: 10 },
  },
  {
    error: new AgentFailedError('agent threw'),
    name: 'AgentFailedError',
    code: 'AGENT_FAILED',
    retryable: true,
    guard: 'isAgentFailedError',
    message: 'agent threw',
    fields: {},
  },
  {
    error: new RunFailedError(
      'run-9',
      'compensated',
      { code: 'AGENT_FAILED', message: 'risk failed', step: 'risk' },
      ['income', 'score'],
    ),
    name: 'RunFailedError',
    code: 'RUN_FAILED',
    retryable: false,
    guard: 'isRunFailedError',
    message: 'run run-9 compensated: risk failed',
    fields: { runId: 'run-9', status: 'compensated', compensated: ['income', 'score'] },
  },
  {
    error: new RunCancelledError('run-2'),
    name: 'RunCancelledError',
    code: 'RUN_CANCELLED',
    retryable: false,
    guard: 'isRunCancelledError',
    message: 'run run-2 was cancelled',
    fields: { runId: 'run-2' },
  },
  {
    error: new AccessDeniedError('alice', 'replay credit-decision'),
    name: 'AccessDeniedError',
    code: 'ACCESS_DENIED',
    retryable: false,
    guard: 'isAccessDeniedError',
    message: 'alice may not replay credit-decision',
    fields: { principal: 'alice', action: 'replay credit-decision' },
  },
  {
    error: new NotFoundError('run', 'run-404'),
    name: 'NotFoundError',
    code: 'NOT_FOUND',
    retryable: false,
    guard: 'isNotFoundError',
    message: "run 'run-404' not found",
    fields: { what: 'run', id: 'run-404' },
  },
  {
    error: new StoreSchemaTooNewError('baton.db', 9, 3),
    name: 'StoreSchemaTooNewError',
    code: 'STORE_SCHEMA_TOO_NEW',
    retryable: false,
    guard: 'isStoreSchemaTooNewError',
    message: 'store baton.db has schema version 9, newer than this code',
    fields: { location: 'baton.db', storeVersion: 9, codeVersion: 3 },
  },
  {
    error: new NotABatonStoreError('other.db', 'no baton_meta table'),
    name: 'NotABatonStoreError',
    code: 'NOT_A_BATON_STORE',
    retryable: false,
    guard: 'isNotABatonStoreError',
    message: 'other.db is not a Baton store: no baton_meta table',
    fields: { location: 'other.db' },
  },
  {
    error: new StoreReadOnlyError('baton.db', 'createRun'),
    name: 'StoreReadOnlyError',
    code: 'STORE_READ_ONLY',
    retryable: false,
    guard: 'isStoreReadOnlyError',
    message: 'store baton.db is open read-only: createRun would write to it',
    fields: { location: 'baton.db', operation: 'createRun' },
  },
  {
    error: new StoreSchemaOutdatedError('baton.db', 4, 5),
    name: 'StoreSchemaOutdatedError',
    code: 'STORE_SCHEMA_OUTDATED',
    retryable: false,
    guard: 'isStoreSchemaOutdatedError',
    message: "store baton.db has schema version 4, older than this code's 5, and is open read-only",
    fields: { location: 'baton.db', storeVersion: 4, codeVersion: 5 },
  },
  {
    error: new StoreUnavailableError('connection refused', new Error('ECONNREFUSED')),
    name: 'StoreUnavailableError',
    code: 'STORE_UNAVAILABLE',
    retryable: true,
    guard: 'isStoreUnavailableError',
    message: 'connection refused',
    fields: {},
  },
  {
    error: new WorkflowNotRegisteredError('credit-decision', 2),
    name: 'WorkflowNotRegisteredError',
    code: 'WORKFLOW_NOT_REGISTERED',
    retryable: false,
    guard: 'isWorkflowNotRegisteredError',
    message: "workflow 'credit-decision' version 2 is not registered",
    fields: { workflow: 'credit-decision', version: 2 },
  },
  {
    error: new GuardViolationError('pii', 'input', 'an email address', 'explain@1.0.0'),
    name: 'GuardViolationError',
    code: 'GUARD_VIOLATION',
    retryable: false,
    guard: 'isGuardViolationError',
    message: "guard 'pii' refused the input of agent 'explain@1.0.0': an email address",
    fields: { guard: 'pii', stage: 'input', reason: 'an email address', agent: 'explain@1.0.0' },
  },
  {
    error: new BudgetExceededError('run', 'tokens', 1200, 1000, 'run-1'),
    name: 'BudgetExceededError',
    code: 'BUDGET_EXCEEDED',
    retryable: false,
    guard: 'isBudgetExceededError',
    message: 'run tokens budget exceeded in run run-1: used 1200, limit 1000',
    fields: { scope: 'run', resource: 'tokens', used: 1200, limit: 1000, runId: 'run-1' },
  },
  {
    error: new ModelUnavailableError(['fast', 'backup'], ['fast: rpm', 'backup: breaker open']),
    name: 'ModelUnavailableError',
    code: 'MODEL_UNAVAILABLE',
    retryable: true,
    guard: 'isModelUnavailableError',
    message: 'no model available among fast, backup: fast: rpm; backup: breaker open',
    fields: { models: ['fast', 'backup'] },
  },
  {
    error: new ContractIncompatibleError('credit.score@2', 'BACKWARD_TRANSITIVE', [
      { path: '#/properties/score', change: 'TYPE_CHANGED', version: 1 },
    ]),
    name: 'ContractIncompatibleError',
    code: 'CONTRACT_INCOMPATIBLE',
    retryable: false,
    guard: 'isContractIncompatibleError',
    message: 'TYPE_CHANGED at #/properties/score (vs @1)',
    fields: { contractId: 'credit.score@2', mode: 'BACKWARD_TRANSITIVE' },
  },
  {
    error: new CheckpointInvalidError('signature does not verify', 'cp.json'),
    name: 'CheckpointInvalidError',
    code: 'CHECKPOINT_INVALID',
    retryable: false,
    guard: 'isCheckpointInvalidError',
    message: 'checkpoint cp.json: signature does not verify',
    fields: { source: 'cp.json' },
  },
  // Robustness errors (issue 19).
  {
    error: new CallbackFailedError('when', 'risk', new Error('boom')),
    name: 'CallbackFailedError',
    code: 'CALLBACK_FAILED',
    retryable: false,
    guard: 'isCallbackFailedError',
    message: "when of step 'risk' threw: boom",
    fields: { callback: 'when', step: 'risk' },
  },
  {
    error: new IdempotencyConflictError('runId', 'shared', 'shared', 'workflow'),
    name: 'IdempotencyConflictError',
    code: 'IDEMPOTENCY_CONFLICT',
    retryable: false,
    guard: 'isIdempotencyConflictError',
    message: "runId 'shared' already names run 'shared' with a different workflow",
    fields: { key: 'runId', value: 'shared', existingRunId: 'shared', differs: 'workflow' },
  },
  {
    error: new CausationDepthExceededError('Ping', 1001, 1000),
    name: 'CausationDepthExceededError',
    code: 'CAUSATION_DEPTH_EXCEEDED',
    retryable: false,
    guard: 'isCausationDepthExceededError',
    message: "event 'Ping' is 1001 causes deep, over maxCausationDepth 1000",
    fields: { eventType: 'Ping', depth: 1001, maxDepth: 1000 },
  },
  {
    error: new StoreClosedError('runtime'),
    name: 'StoreClosedError',
    code: 'STORE_CLOSED',
    retryable: false,
    guard: 'isStoreClosedError',
    message: 'the runtime is closed',
    fields: { what: 'runtime' },
  },
  {
    error: new StoreCorruptError('/tmp/b.db', 'database disk image is malformed'),
    name: 'StoreCorruptError',
    code: 'STORE_CORRUPT',
    retryable: false,
    guard: 'isStoreCorruptError',
    message: 'store /tmp/b.db is corrupt: database disk image is malformed',
    fields: { location: '/tmp/b.db' },
  },
  {
    error: new StoreFullError('/tmp/b.db', 'database or disk is full'),
    name: 'StoreFullError',
    code: 'STORE_FULL',
    retryable: false,
    guard: 'isStoreFullError',
    message: 'store /tmp/b.db is out of disk space: database or disk is full',
    fields: { location: '/tmp/b.db' },
  },
  {
    error: new StepSuspendedError('explain', 'explain:approval:call-1', { turn: 1 }, null),
    name: 'StepSuspendedError',
    code: 'STEP_SUSPENDED',
    retryable: false,
    guard: 'isStepSuspendedError',
    message: "step 'explain' is suspended, waiting for signal 'explain:approval:call-1'",
    fields: { step: 'explain', wait: 'explain:approval:call-1' },
  },
  {
    error: new FanOutTooLargeError('score', 10_001, 10_000),
    name: 'FanOutTooLargeError',
    code: 'FAN_OUT_TOO_LARGE',
    retryable: false,
    guard: 'isFanOutTooLargeError',
    message: "step 'score' fans out over 10001 elements; at most 10000 are allowed",
    fields: { step: 'score', size: 10_001, limit: 10_000 },
  },
  {
    error: new InvalidScheduleError('nightly', 'bad cron'),
    name: 'InvalidScheduleError',
    code: 'INVALID_SCHEDULE',
    retryable: false,
    guard: 'isInvalidScheduleError',
    message: "schedule 'nightly': bad cron",
    fields: { schedule: 'nightly', reason: 'bad cron' },
  },
  {
    error: new RunPrunedError('r1', 0),
    name: 'RunPrunedError',
    code: 'RUN_PRUNED',
    retryable: false,
    guard: 'isRunPrunedError',
    message: 'run r1 was pruned by retention at 1970-01-01T00:00:00.000Z',
    fields: { runId: 'r1', prunedAt: 0 },
  },
  {
    error: new EncryptionKeyError('the key-encryption key does not unwrap the data key', 'k1'),
    name: 'EncryptionKeyError',
    code: 'ENCRYPTION_KEY',
    retryable: false,
    guard: 'isEncryptionKeyError',
    message: 'does not unwrap the data key',
    fields: { subject: 'k1' },
  },
];

const guards: [string, Guard][] = Object.entries(errors as Record<string, unknown>)
  .filter(
    ([k, v]) => /^is[A-Z]\w*Error$/.test(k) && k !== 'isBatonError' && typeof v === 'function',
  )
  .map(([k, v]) => [k, v as Guard]);

describe('error classes', () => {
  it('the table covers every exported error class and every guard', () => {
    const classes = Object.entries(errors)
      .filter(([, v]) => typeof v === 'function' && v.prototype instanceof BatonError)
      .map(([k]) => k)
      .sort();
    expect(CASES.map((c) => c.name).sort()).toEqual(classes);
    expect(CASES.map((c) => c.guard).sort()).toEqual(guards.map(([k]) => k).sort());
    expect(new Set(CASES.map((c) => c.code)).size).toBe(CASES.length);
  });

  describe.each(CASES)('$name', (c) => {
    it('has its name, stable code, retryable flag and context', () => {
      expect(c.error).toBeInstanceOf(Error);
      expect(c.error).toBeInstanceOf(BatonError);
      expect(c.error.name).toBe(c.name);
      expect(c.error.code).toBe(c.code);
      expect(c.error.retryable).toBe(c.retryable);
      expect(c.error.message).toContain(c.message);
      expect(c.error).toMatchObject(c.fields);
      expect(String(c.error)).toBe(`${c.name}: ${c.error.message}`);
    });

    it('is recognised by its own guard and by no other', () => {
      expect(isBatonError(c.error)).toBe(true);
      for (const [name, guard] of guards) expect(guard(c.error)).toBe(name === c.guard);
    });

    it('keeps its identity through JSON (guards match on code)', () => {
      const json = JSON.parse(JSON.stringify(c.error)) as Record<string, unknown>;
      expect(json).toMatchObject({
        name: c.name,
        code: c.code,
        message: c.error.message,
        retryable: c.retryable,
      });
      const guard = guards.find(([name]) => name === c.guard)?.[1];
      expect(guard?.(json)).toBe(true);
    });
  });
});

describe('error helpers', () => {
  it('guards reject non-errors and look-alikes with another code', () => {
    for (const [, guard] of guards) {
      expect(guard(undefined)).toBe(false);
      expect(guard(null)).toBe(false);
      expect(guard('CIRCUIT_OPEN')).toBe(false);
      expect(guard({ code: 'SOMETHING_ELSE' })).toBe(false);
    }
    expect(isBatonError(new Error('plain'))).toBe(false);
    expect(isBatonError({ code: 'NOT_FOUND', retryable: false })).toBe(false);
  });

  it('AgentFailedError keeps its cause and may be marked terminal', () => {
    const cause = new TypeError('nope');
    const e = new AgentFailedError('agent threw', { cause, retryable: false });
    expect(e.cause).toBe(cause);
    expect(e.retryable).toBe(false);
  });

  it('RunFailedError keeps its cause and the failure', () => {
    const cause = new StepTimeoutError('risk', 10);
    const e = new RunFailedError('r', 'failed', { code: 'STEP_TIMEOUT', message: 'm' }, [], cause);
    expect(e.cause).toBe(cause);
    expect(e.failure).toEqual({ code: 'STEP_TIMEOUT', message: 'm' });
    expect(e.compensated).toEqual([]);
  });

  it('ContractViolationError serialises its issues and boundary', () => {
    expect(violation.toJSON()).toMatchObject({
      contractId: 'credit.score@1',
      boundary: 'agent-output',
      issues: [
        { path: ['score'], message: 'Expected number' },
        { path: [], message: 'Bad root' },
      ],
    });
  });

  it('toError keeps Errors and wraps anything else with the original as cause', () => {
    const e = new Error('x');
    expect(toError(e)).toBe(e);
    expect(toError('text').message).toBe('text');
    const wrapped = toError({ a: 1 });
    expect(wrapped.message).toBe('non-error thrown: {"a":1}');
    expect(wrapped.cause).toEqual({ a: 1 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(toError(cyclic).message).toBe('non-error thrown: [object Object]');
  });

  it('describeError gives Baton errors their code and details, others AGENT_FAILED', () => {
    expect(describeError(new CircuitOpenError('b', 5), 'score')).toEqual({
      name: 'CircuitOpenError',
      code: 'CIRCUIT_OPEN',
      message: "circuit 'b' is open; retry after 5 ms",
      retryable: true,
      step: 'score',
      details: { breaker: 'b', retryAfterMs: 5 },
    });
    expect(describeError(new RangeError('bad'))).toEqual({
      name: 'RangeError',
      code: 'AGENT_FAILED',
      message: 'bad',
      retryable: true,
    });
  });
});
