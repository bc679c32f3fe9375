/**
 * The runtime's public interface, kept apart from its implementation (runtime.ts).
 */
import type { Logger } from '../agents/agent.js';
import type { EventBus } from '../choreography/bus.js';
import type {
  DeadLetterQuery,
  PublishedEvent,
  PublishOptions,
} from '../choreography/choreography.js';
import type { EventTrace, EventTraceOptions } from '../choreography/event-trace.js';
import type { EventType } from '../choreography/event-type.js';
import type { Reactor } from '../choreography/reactor.js';
import type { CatalogOptions } from '../governance/catalog.js';
import type { Lineage } from '../governance/lineage.js';
import type { EraseOptions, EraseResult, PiiEncryptionOptions } from '../governance/pii-codec.js';
import type { Privilege } from '../governance/privileges.js';
import type { DeliveryRecord, RedeliverResult } from '../ledger/event-store.js';
import type { GrantRecord } from '../ledger/governance-store.js';
import type { Json } from '../ledger/json.js';
import type { SearchAttributes, WorkflowShape } from '../ledger/observe.js';
import type { RunVerifyResult } from '../ledger/run-seal.js';
import type { StateStore } from '../ledger/store.js';
import type { JournalEntry, RunQuery, RunRecord, StateSnapshot } from '../ledger/types.js';
import type { TokenEvent } from '../orchestrator/live-feed.js';
import type { Alert, RunHandle, StartOptions } from '../orchestrator/run-types.js';
import type { Workflow } from '../orchestrator/workflow.js';
import type { BreakerSnapshot } from '../resilience/circuit-breaker.js';
import type { Clock } from '../resilience/clock.js';
import type { Policy } from '../resilience/policy.js';
import type { PruneOptions, PruneReport } from '../retention/prune.js';
import type { ScheduleInfo, ScheduleOptions } from '../schedules/schedule-types.js';
import type { StateDiff } from '../time-travel/diff.js';
import type { ReplayOptions } from '../time-travel/time-travel.js';
import type { TraceSpan } from '../tracing/stored-span.js';
import type { Telemetry } from '../tracing/telemetry.js';
import type { UsageQuery, UsageReport } from '../tracing/usage.js';
import type { RunEvent, WatchFilter, WatchOptions } from './run-watch.js';
import type { WaitInfo, WaitQuery } from './waits.js';

export type { Alert, RunHandle, StartOptions };

/**
 * Runs one runtime drives at once unless `concurrency` says otherwise: enough to keep two cores
 * busy with agents that await I/O for tens of milliseconds, while 10,000 started runs do not
 * each hold a driver, its agents and their pending commits in memory.
 */
export const DEFAULT_RUN_CONCURRENCY = 1_000;

/** Options of `createRuntime`. */
export interface RuntimeOptions {
  readonly store: StateStore;
  readonly workflows?: readonly Workflow<unknown, unknown>[];
  /**
   * Maximum runs driven at once by this runtime (default {@link DEFAULT_RUN_CONCURRENCY}).
   * Started runs beyond it are already durable and leased; they wait in a FIFO queue and
   * hold no agents, so 10,000 started runs cost memory for about this many. Raise it when
   * agents are slow (a run that waits on a 30 s model call holds its slot for 30 s).
   */
  readonly concurrency?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Runtime-wide policy defaults, under workflow, agent and step policies. */
  readonly policy?: Policy;
  /** How long a runtime's claim on a run lasts without renewal (default 30 s). */
  readonly leaseMs?: number;
  /** How often to look for orphaned runs and expired waits (default 1 s). */
  readonly pollMs?: number;
  /** Fire the ticks of stored schedules whose workflows this runtime has, without declaring them here (default false; `rt.schedule()` turns it on). */
  readonly scheduler?: boolean;
  /** Prune finished runs older than `olderThan` ms every `everyMs` (default hourly); see `rt.prune`. */
  readonly retention?: Omit<PruneOptions, 'dryRun'> & { readonly everyMs?: number };
  /** Maximum encoded bytes of one slot (default 1 MiB). */
  readonly maxSlotBytes?: number;
  /** This runtime's lease owner id (default host:pid:random). */
  readonly owner?: string;
  /**
   * Claim unowned runs of registered workflows: unfinished runs of crashed runtimes and runs
   * queued with `submit` (default true). Set false for a client that only starts and reads.
   */
  readonly resume?: boolean;
  /** Called for every alert (review needed, compensation failed, ...). */
  readonly onAlert?: (alert: Alert) => void | Promise<void>;
  /** Randomness for backoff jitter and sampling (default Math.random). */
  readonly random?: () => number;
  /**
   * Share breaker state through the store, so a dependency that is down trips one breaker for
   * every runtime (worker) on the store, not one per process. `syncMs` bounds how stale a
   * breaker's view of the fleet may be (default 1000).
   */
  readonly sharedBreakers?: boolean | { readonly syncMs?: number };
  /** Where spans go (default: nowhere). See `createTracing`. */
  readonly telemetry?: Telemetry;
  /** Reactors this runtime runs (choreography); each handles its events effectively once. */
  readonly reactors?: readonly Reactor[];
  /** How events travel (default: `embeddedBus()` on the store, polling every `pollMs`). */
  readonly bus?: EventBus;
  /**
   * The store's contract catalog: modes of new subjects and who registers. The runtime's
   * contracts and event types are registered (compatibility-checked) before it runs anything.
   * `false` keeps the catalog in memory only, as a client of a store it must not change.
   */
  readonly catalog?: CatalogOptions | false;
  /**
   * Accept signals for runs of workflows this runtime lacks, checked against the contract
   * recorded with the workflow's shape; the run is then left for a runtime that has the code
   * (default false: such a signal throws WorkflowNotRegisteredError). A dashboard on the store
   * alone sets it.
   */
  readonly signalsFromShapes?: boolean;
  /**
   * Crypto-shredding: contract fields tagged PII are stored encrypted (AES-256-GCM) under a
   * per-subject data key wrapped by `kek`, so `erase(subject)` can make them unreadable while
   * every hash chain still verifies. Off by default.
   */
  readonly piiEncryption?: PiiEncryptionOptions;
  /**
   * How deep a chain of events causing one another may grow (default 1000). An event a reactor
   * emits beyond it fails that delivery with CausationDepthExceededError, dead-lettered: a
   * reactor loop ends instead of running forever.
   */
  readonly maxCausationDepth?: number;
}

/** Options of `rt.startWorker`. */
export interface WorkerOptions {
  /** Maximum runs this worker drives at once. */
  readonly concurrency?: number;
}

/** A runtime in worker mode: it claims queued and orphaned runs of its registered workflows. */
export interface Worker {
  /** This worker's lease owner id. */
  readonly owner: string;
  /** Runs driven right now. */
  active(): number;
  /** Ids of the runs this worker drives right now (including those queued for capacity). */
  held(): string[];
  /** Claims nothing new; resolves once no claim is in flight (the first half of a drain). */
  stopClaiming(): Promise<void>;
  /** Graceful drain (SIGTERM): claims nothing new and resolves once every run in hand has finished or parked. */
  drain(): Promise<void>;
}

/** The Baton runtime: drives runs, owns the policies, answers questions about runs. */
export interface Runtime {
  /**
   * Validates the input and starts a run.
   * @throws ContractViolationError when the input violates the workflow's input contract (no run is written).
   */
  start<In, Out>(
    workflow: Workflow<In, Out>,
    input: In,
    options?: StartOptions,
  ): Promise<RunHandle<Out>>;
  /**
   * Queues a run for any worker (a runtime with `resume` on, or `startWorker()`) to claim.
   * @throws ContractViolationError when the input violates the workflow's input contract.
   */
  submit<In, Out>(
    workflow: Workflow<In, Out>,
    input: In,
    options?: StartOptions,
  ): Promise<RunHandle<Out>>;
  /** Turns this runtime into a worker that claims queued and orphaned runs. */
  startWorker(options?: WorkerOptions): Worker;
  /** A handle on an existing run. @throws NotFoundError */
  handle<Out = Json>(runId: string): Promise<RunHandle<Out>>;
  /**
   * Delivers a signal to a waiting run (a `.wait` step, or a step in human review).
   * @throws ContractViolationError when the payload violates the wait's contract (the run keeps waiting).
   */
  signal(runId: string, name: string, payload: unknown): Promise<void>;
  /** Cancels a run that has not ended, and every live child run under it. */
  cancel(runId: string): Promise<void>;
  /** The child runs a run's child-workflow steps started (`.step(name, workflow)`, `.map`). */
  children(runId: string): Promise<RunRecord[]>;
  /** What waiting runs wait for: a timer, a signal or a reviewer, with due times. */
  waits(query?: WaitQuery): Promise<WaitInfo[]>;
  /**
   * Declares (or updates) a schedule in the store and fires its ticks from this runtime: one run
   * per tick across every runtime sharing the store (run id `sched.<name>.<tick ms>`).
   * @throws InvalidScheduleError for a bad name, cron expression, period, overlap, catchUp or input.
   * @example
   * await rt.schedule('nightly-rescore', rescore, { cron: '0 2 * * *', input: { book: 'retail' } });
   */
  schedule<In, Out>(
    name: string,
    workflow: Workflow<In, Out>,
    options: ScheduleOptions<In>,
  ): Promise<ScheduleInfo>;
  /**
   * Deletes finished runs past retention (or lists them, with `dryRun`), leaving a tombstone of
   * each: reading a pruned run throws RunPrunedError. Never touches live runs, nor runs linked to
   * live parents or children. Recorded in the audit log as `runs.prune`.
   * @throws InvalidArgumentError for a bad `olderThan`, status or workflow.
   */
  prune(options: PruneOptions): Promise<PruneReport>;
  /** Every schedule in the store, with its next tick, last run and recent failures. */
  schedules(): Promise<ScheduleInfo[]>;
  /** Stops firing a schedule's ticks until it is resumed. @throws NotFoundError */
  pauseSchedule(name: string): Promise<void>;
  /** Fires a paused schedule's ticks again (missed ticks are not run). @throws NotFoundError */
  resumeSchedule(name: string): Promise<void>;
  /** Deletes a schedule; its runs stay. @throws NotFoundError */
  deleteSchedule(name: string): Promise<void>;
  /** Runs a schedule now; returns the run id (`sched.<name>.manual-<ms>`). @throws NotFoundError */
  triggerSchedule(name: string): Promise<string>;
  /** @throws NotFoundError */
  getRun(runId: string): Promise<RunRecord>;
  /**
   * Runs newest first, filtered (status, workflow, search attributes `where`, creation time),
   * one keyset page at a time: pass the last run id of a page as `cursor` for the next.
   * @throws InvalidArgumentError for a bad filter or a cursor that names no run.
   */
  listRuns(query?: RunQuery): Promise<RunRecord[]>;
  /** The search attributes a run was started with. @throws NotFoundError */
  searchAttributes(runId: string): Promise<SearchAttributes>;
  /** Workflow shapes recorded in the store (by any runtime that registered them). */
  workflowShapes(name?: string): Promise<WorkflowShape[]>;
  /**
   * Live run events in commit order, from any process on the store. One run: from its first
   * event (or `after`) until it ends. A filter: from now (or `after`) until `signal` aborts.
   * Resuming with the last event's `cursor` misses nothing and repeats nothing.
   * @throws NotFoundError for an unknown run; InvalidArgumentError for a bad cursor or filter.
   * @example
   * for await (const e of rt.watch(run.id)) console.log(e.type, e.step, e.status);
   */
  watch(
    target: string,
    options: WatchOptions & { readonly tokens: true },
  ): AsyncGenerator<RunEvent | TokenEvent, void, undefined>;
  watch(
    target: string | WatchFilter,
    options?: WatchOptions,
  ): AsyncGenerator<RunEvent, void, undefined>;
  journal(runId: string): Promise<JournalEntry[]>;
  /** Every version of a run, materialized. */
  history(runId: string): Promise<StateSnapshot[]>;
  /** The state at one version. @throws NotFoundError */
  state(runId: string, version: number): Promise<StateSnapshot>;
  /**
   * Checks the run's hash chain and, for an ended run, its status, head and output against the
   * seal journaled with its end (`end: 'sealed'`; `'unsealed'` for a run ended by a release
   * before seals; `'open'` for a run not ended).
   */
  verify(runId: string): Promise<RunVerifyResult>;
  /** Path-level differences between two versions. @throws NotFoundError */
  diff(runId: string, a: number, b: number): Promise<StateDiff>;
  /**
   * Appends a version equal to `version` (marked `rollback:<version>`; history is never
   * rewritten) and drives the run on from there.
   * @throws InvalidArgumentError when another runtime is driving the run.
   */
  rollback(runId: string, version: number): Promise<StateSnapshot>;
  /** Forks a new run from a version, optionally with other agents for named steps. */
  replay<Out = Json>(runId: string, options: ReplayOptions): Promise<RunHandle<Out>>;
  /**
   * Where the value at `path` (`score.score`) came from: the versions, agents@versions and
   * contracts it was derived from, down to the workflow input, across rollbacks and replay
   * forks; read off the ledger alone.
   * @throws NotFoundError for an unknown run or a slot the run does not hold.
   */
  lineage(runId: string, path: string): Promise<Lineage>;
  /**
   * Destroys a data subject's encryption key (crypto-shredding, `piiEncryption`): the subject's
   * personal fields then read as `[erased]` everywhere, and every chain still verifies. Audited
   * as `pii.erase`. Needs no key-encryption key. `dryRun` reports and changes nothing.
   * @throws NotFoundError for a subject with no key; InvalidArgumentError for a malformed one.
   */
  erase(subject: string, options?: EraseOptions): Promise<EraseResult>;
  /** The first version where `predicate` holds (binary search: O(log n) state reads). */
  bisect(
    runId: string,
    predicate: (snapshot: StateSnapshot) => boolean,
  ): Promise<StateSnapshot | undefined>;
  /**
   * Token and cost usage of model calls, read from the stored spans (needs
   * `createTracing({ store })`), grouped by agent, model, workflow, run or step.
   * @throws InvalidArgumentError for a bad query.
   */
  usage(query?: UsageQuery): Promise<UsageReport>;
  /**
   * The run's spans from the built-in trace store, depth-first (needs `telemetry:
   * createTracing({ store })`; flushes buffered spans first). Child runs' spans are nested under
   * the step that started them.
   */
  trace(runId: string): Promise<TraceSpan[]>;
  /** Every breaker of this runtime. */
  breakers(): BreakerSnapshot[];
  /**
   * Validates and stores an event; subscribed reactors (in any runtime on the store) handle it.
   * @throws ContractViolationError when the payload violates the event's contract (nothing is stored).
   */
  publish<T>(type: EventType<T>, payload: T, options?: PublishOptions): Promise<PublishedEvent>;
  /**
   * Redelivers an event (to one reactor, or all): dead letters are retried with attempts reset;
   * deliveries already done are suppressed by the inbox and counted as duplicates.
   * @throws NotFoundError when no such event is stored.
   */
  redeliver(eventId: string, reactor?: string): Promise<RedeliverResult>;
  /** Deliveries that exhausted their attempts (oldest first). */
  deadLetters(query?: DeadLetterQuery): Promise<DeliveryRecord[]>;
  /** The causal tree of one flow with its flags. @throws NotFoundError */
  eventTrace(correlationId: string, options?: EventTraceOptions): Promise<EventTrace>;
  /** Resolves once this runtime's reactors have nothing pending, due or in hand. */
  eventsSettled(): Promise<void>;
  /** Resolves once the store is migrated and unfinished runs are claimed. */
  ready(): Promise<void>;
  /**
   * A view of this runtime acting as `principal`: every call checks the principal's privilege
   * (EXECUTE, SIGNAL, CANCEL, READ, READ_PII, REPLAY, MANAGE) on its securable first, changes and
   * denials are audited, and personal data is masked without READ_PII. On a store without grants
   * everything is allowed (a single owner), as without the view.
   * @throws InvalidArgumentError for a malformed principal name.
   */
  as(principal: string): GovernedRuntime;
  /** Stops driving runs (they stay resumable) and closes the store. */
  close(): Promise<void>;
}

/**
 * A runtime acting as one principal: the same methods as {@link Runtime}, each checking the
 * principal's privilege first (see `RUNTIME_PRIVILEGES`), plus grant administration. Methods
 * that are synchronous on the runtime return promises here (the check reads the store).
 */
export interface GovernedRuntime extends Omit<Runtime, 'startWorker' | 'breakers' | 'as'> {
  /** Who this view acts as. */
  readonly principal: string;
  /** `single-owner` while the store has no grants (everything allowed), `enforced` after. */
  mode(): Promise<'single-owner' | 'enforced'>;
  startWorker(options?: WorkerOptions): Promise<Worker>;
  breakers(): Promise<BreakerSnapshot[]>;
  /** A view acting as another principal (needs MANAGE on `catalog:*`; audited). */
  as(principal: string): Promise<GovernedRuntime>;
  /**
   * Grants a privilege on securables matching a pattern (needs MANAGE on it; audited).
   * @throws InvalidArgumentError for an unknown privilege or malformed securable; NotFoundError
   * for a securable that does not exist; AccessDeniedError without MANAGE.
   */
  grant(principal: string, privilege: Privilege, securable: string): Promise<boolean>;
  /** Revokes a grant (needs MANAGE; audited). False when there was none. */
  revoke(principal: string, privilege: Privilege, securable: string): Promise<boolean>;
  /** Every grant of the store. */
  grants(): Promise<GrantRecord[]>;
}
