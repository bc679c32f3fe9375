/**
 * The runtime: starts, drives, resumes and answers questions about runs.
 *
 * Invariants:
 * - A run is driven by at most one runtime at a time: the one holding its lease. Leases are
 *   taken atomically in the store, renewed while the runtime lives, and every commit is fenced
 *   by them, so two runtimes on one store never both drive a run.
 * - Resumption reads committed versions; agent code is never replayed, so changed agent code
 *   never breaks an in-flight run.
 * - Runs pin the workflow version they started on.
 */
import { hostname } from 'node:os';
import { bisectVersions } from '../debugging/bisect.js';
import { diffJson, type StateDiff } from '../debugging/diff.js';
import {
  appendRollback,
  checkVersion,
  createFork,
  forkState,
  type ReplayOptions,
  replayWorkflow,
} from '../debugging/time-travel.js';
import { InvalidArgumentError, NotFoundError, WorkflowNotRegisteredError } from '../errors.js';
import { type Choreography, createChoreography } from '../events/choreography.js';
import { embeddedBus } from '../events/embedded-bus.js';
import { createGovernedRuntime } from '../governance/governed-runtime.js';
import type { GovernedRuntime } from '../governance/governed-runtime-types.js';
import { type Lineage, traceLineage } from '../governance/lineage.js';
import { RuntimeCatalog } from '../governance/runtime-catalog.js';
import { systemClock } from '../resilience/clock.js';
import { createGuardRegistry } from '../resilience/guard-registry.js';
import { type ResolvedPolicy, resolvePolicy } from '../resilience/policy.js';
import { createSharedBreakerFactory } from '../resilience/shared-breaker.js';
import { createIdGenerator } from '../state/ids.js';
import type { Json } from '../state/json.js';
import { StateReader } from '../state/state-reader.js';
import {
  RUN_STATUSES,
  type RunRecord,
  type StateData,
  type StateSnapshot,
  type VersionRecord,
} from '../state/types.js';
import { DEFAULT_MAX_SLOT_BYTES, materialize, verifyChain } from '../state/versions.js';
import { readTrace } from '../tracing/read-trace.js';
import { noopTelemetry } from '../tracing/telemetry.js';
import type { TraceSpan } from '../tracing/trace-span.js';
import { GroupCommitter, GroupCreator } from './group-commit.js';
import { LeaseKeeper } from './lease-keeper.js';
import { RunDriver } from './run-driver.js';
import { createRunHandle, RunWaiters } from './run-handle.js';
import type { RuntimeCore } from './runtime-core.js';
import { silentLogger } from './runtime-core.js';
import { validateRuntimeOptions } from './runtime-options.js';
import {
  type Alert,
  DEFAULT_RUN_CONCURRENCY,
  type RunHandle,
  type Runtime,
  type RuntimeOptions,
  type StartOptions,
  type Worker,
  type WorkerOptions,
} from './runtime-types.js';
import { deliverSignal } from './signals.js';
import { createRun } from './start-run.js';
import { expireWait } from './wait-timeouts.js';
import type { StepSpec, Workflow } from './workflow.js';
import { WorkflowRegistry } from './workflow-registry.js';

/**
 * Creates a runtime on a store.
 * @throws InvalidArgumentError for bad options; ContractMismatchError when two workflows publish
 * one contract id with different schemas.
 * @example
 * const rt = createRuntime({ store: sqliteStore('baton.db'), workflows: [credit] });
 * const run = await rt.start(credit, application);
 * const decision = await run.result();
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  return new BatonRuntime(options);
}

class BatonRuntime implements Runtime {
  private readonly core: RuntimeCore;
  private readonly registry = new WorkflowRegistry();
  private readonly drivers = new Map<string, RunDriver>();
  private readonly waiters: RunWaiters;
  private readonly reader: StateReader;
  private readonly leases: LeaseKeeper;
  private readonly readyPromise: Promise<void>;
  private concurrency: number;
  /** Whether this runtime claims unowned runs (resume after crashes; worker mode). */
  private claiming: boolean;
  /** Set by startWorker: claim again as soon as a run ends. */
  private workerMode = false;
  private readonly queue: (() => void)[] = [];
  private active = 0;
  private closed = false;
  private readonly choreography: Choreography;
  private readonly catalog: RuntimeCatalog;
  readonly newId: () => string;

  constructor(private readonly options: RuntimeOptions) {
    validateRuntimeOptions(options);
    const clock = options.clock ?? systemClock;
    const store = options.store;
    const telemetry = options.telemetry ?? noopTelemetry;
    const policies = new WeakMap<StepSpec, ResolvedPolicy>();
    // In memory a batch needs no wait; on disk, waiting one turn lets many runs share an fsync.
    const schedule = store.kind === 'memory' ? 'microtask' : 'immediate';
    const owner =
      options.owner ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    const shared = options.sharedBreakers;
    const guards = createGuardRegistry({
      clock,
      ...(options.policy ? { defaults: options.policy } : {}),
      ...(options.random ? { random: options.random } : {}),
      // Fleet-wide breakers: state shared through the store, one probe per reset for the fleet.
      ...(shared
        ? {
            breakerFactory: createSharedBreakerFactory({
              store,
              instance: owner,
              ...(typeof shared === 'object' && shared.syncMs !== undefined
                ? { syncMs: shared.syncMs }
                : {}),
            }),
          }
        : {}),
      onTransition: (t) => {
        // Every transition is emitted for tracing and recorded in the store with time and reason
        // (a shared breaker records its own transitions, for the fleet to read).
        telemetry.breakerTransition(t);
        if (shared) return undefined;
        return store
          .appendRecords([
            { kind: 'breaker', key: t.breaker, runId: null, at: t.at, body: { ...t } },
          ])
          .catch((e: unknown) =>
            this.core.logger.warn('recording a breaker transition failed', { error: String(e) }),
          );
      },
    });
    this.core = {
      store,
      committer: new GroupCommitter(store, schedule),
      creator: new GroupCreator(store, schedule),
      clock,
      logger: options.logger ?? silentLogger,
      owner,
      leaseMs: options.leaseMs ?? 30_000,
      maxSlotBytes: options.maxSlotBytes ?? DEFAULT_MAX_SLOT_BYTES,
      defaults: options.policy,
      guards,
      random: options.random ?? Math.random,
      telemetry,
      alert: (a) => this.alert(a),
      policyFor: (wf, step) => {
        // Keyed by the (frozen) step spec: a definition's policies never change.
        let resolved = policies.get(step);
        if (!resolved) {
          resolved = resolvePolicy(options.policy, wf.policy, step.agent?.policy, step.policy);
          policies.set(step, resolved);
        }
        return resolved;
      },
    };
    this.concurrency = options.concurrency ?? DEFAULT_RUN_CONCURRENCY;
    this.claiming = options.resume ?? true;
    this.newId = createIdGenerator(() => clock.now());
    this.reader = new StateReader(store);
    this.waiters = new RunWaiters(store, clock, options.pollMs ?? 1000, (id) =>
      this.drivers.has(id),
    );
    for (const wf of options.workflows ?? []) this.registry.register(wf as Workflow);
    this.leases = new LeaseKeeper({
      core: this.core,
      pollMs: options.pollMs ?? 1000,
      claiming: () => this.claiming,
      capacity: () => this.concurrency - this.active - this.queue.length,
      workflows: () => this.registry.names(),
      driving: () => [...this.drivers.keys()],
      onLost: (runId) => this.drivers.get(runId)?.halt('lease_lost'),
      onClaimed: (run) => this.resumeClaimed(run),
      onWaitTimeout: (runId, step) => this.timeoutWait(runId, step),
    });
    this.choreography = createChoreography({
      core: this.core,
      store: store.events,
      reactors: options.reactors ?? [],
      bus:
        options.bus ?? embeddedBus({ pollMs: options.pollMs ?? 1000, leaseMs: this.core.leaseMs }),
      owner: this.core.owner,
      newId: this.newId,
    });
    this.catalog = new RuntimeCatalog(store, options.catalog);
    this.readyPromise = this.init();
    this.readyPromise.catch(() => {});
  }

  private async init(): Promise<void> {
    await this.core.store.migrate();
    // Contracts are checked against the store's catalog before any run is resumed or started.
    await this.catalog.initial(
      (this.options.workflows ?? []) as Workflow[],
      this.options.reactors ?? [],
    );
    await this.leases.start();
    await this.choreography.start();
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  as(principal: string): GovernedRuntime {
    return createGovernedRuntime(this, principal, {
      store: this.core.store,
      workflow: (name, version) =>
        this.registry.has(name, version) ? this.registry.get(name, version) : undefined,
      workflowNames: () => this.registry.names(),
      now: () => this.core.clock.now(),
    });
  }

  /** Registers a workflow version (and its contracts). */
  async start<In, Out>(
    wf: Workflow<In, Out>,
    input: In,
    opts: StartOptions = {},
  ): Promise<RunHandle<Out>> {
    this.assertOpen();
    this.registry.register(wf as Workflow);
    await this.readyPromise;
    await this.catalog.ensure(wf as Workflow);
    const created = await createRun(this.core, wf as Workflow, input, opts, this.newId);
    if (created.created) this.launch(created.run, [created.firstVersion], created.data);
    return createRunHandle<Out>(created.run.runId, this.core.store, this.waiters);
  }

  async submit<In, Out>(
    wf: Workflow<In, Out>,
    input: In,
    opts: StartOptions = {},
  ): Promise<RunHandle<Out>> {
    this.assertOpen();
    this.registry.register(wf as Workflow);
    await this.readyPromise;
    await this.catalog.ensure(wf as Workflow);
    const created = await createRun(this.core, wf as Workflow, input, opts, this.newId, false);
    if (created.created && this.claiming) this.leases.poke();
    return createRunHandle<Out>(created.run.runId, this.core.store, this.waiters);
  }

  startWorker(options: WorkerOptions = {}): Worker {
    this.assertOpen();
    if (options.concurrency !== undefined) {
      if (!(Number.isInteger(options.concurrency) && options.concurrency > 0)) {
        throw new InvalidArgumentError(
          `worker concurrency must be a positive integer, got ${String(options.concurrency)}`,
          'concurrency',
        );
      }
      this.concurrency = options.concurrency;
    }
    this.claiming = true;
    void this.readyPromise.then(
      () => this.leases.poke(),
      () => {},
    );
    return {
      owner: this.core.owner,
      active: () => this.drivers.size,
      held: () => [...this.drivers.keys()],
      stopClaiming: async () => {
        this.claiming = false;
        await this.leases.idle();
      },
      drain: async () => {
        // Graceful: claim nothing new, let every run in hand finish (or park), then give up leases.
        this.claiming = false;
        await this.leases.idle();
        while (this.drivers.size > 0) await this.waiters.tick();
      },
    };
  }

  async handle<Out>(runId: string): Promise<RunHandle<Out>> {
    await this.getRun(runId);
    return createRunHandle<Out>(runId, this.core.store, this.waiters);
  }

  /** Drives a run this runtime holds the lease on, within the concurrency limit. */
  private launch(
    run: RunRecord,
    versions: readonly VersionRecord[],
    data: StateData,
    prepare?: (d: RunDriver) => void,
    workflow: Workflow = this.registry.get(run.workflow, run.workflowVersion),
  ): void {
    const driver = new RunDriver(this.core, workflow, run, versions, data);
    prepare?.(driver);
    this.drivers.set(run.runId, driver);
    const go = (): void => {
      this.active++;
      driver
        .drive()
        .then(
          (end) => {
            if (end.kind !== 'detached') this.waiters.settle(end.run);
            if (end.kind === 'waiting') void this.leases.watchWaiting(end.run.runId);
          },
          (e: unknown) => {
            this.core.logger.error('run driver failed; the run stays resumable', {
              runId: run.runId,
              error: String(e),
            });
          },
        )
        .finally(() => {
          this.active--;
          if (this.drivers.get(run.runId) === driver) this.drivers.delete(run.runId);
          this.waiters.released(run.runId);
          this.queue.shift()?.();
          // A worker refills its capacity at once; other runtimes claim on their periodic tick.
          if (this.workerMode) this.leases.poke();
        });
    };
    if (this.active < this.concurrency) go();
    else this.queue.push(go);
  }

  private async resumeClaimed(run: RunRecord, prepare?: (d: RunDriver) => void): Promise<void> {
    if (this.drivers.has(run.runId)) return;
    if (!this.registry.has(run.workflow, run.workflowVersion)) {
      await this.leases.release(run.runId);
      this.leases.reportUnresumable(run, () =>
        this.alert({
          kind: 'workflow_not_registered',
          runId: run.runId,
          workflow: run.workflow,
          message: new WorkflowNotRegisteredError(run.workflow, run.workflowVersion).message,
        }),
      );
      return;
    }
    const versions = await this.core.store.readVersions(run.runId);
    this.launch(run, versions, materialize(versions), prepare);
  }

  async signal(runId: string, name: string, payload: unknown): Promise<void> {
    this.assertOpen();
    await this.readyPromise;
    const run = await deliverSignal(this.core, runId, name, payload, (r) =>
      this.registry.get(r.workflow, r.workflowVersion),
    );
    await this.resumeClaimed(run);
  }

  /** A parked wait passed its deadline: apply its onTimeout ('fail' or 'skip'). */
  private async timeoutWait(runId: string, step: string): Promise<void> {
    const expired = await expireWait(this.core, this.registry, runId, step);
    if (!expired) return;
    await this.resumeClaimed(expired.run, expired.prepare);
    this.alert(expired.alert);
  }

  async cancel(runId: string): Promise<void> {
    this.assertOpen();
    await this.getRun(runId); // NotFoundError for an unknown run; a run that ended is a no-op
    const local = this.drivers.get(runId);
    if (local) {
      local.halt('cancelled');
      await this.waiters.waitTerminal(runId);
      return;
    }
    await this.leases.cancelRemote(runId, (r) => this.waiters.settle(r));
  }

  async getRun(runId: string): Promise<RunRecord> {
    if (typeof runId !== 'string' || runId.length === 0)
      throw new InvalidArgumentError('runId must be a non-empty string', 'runId');
    await this.readyPromise;
    const run = await this.core.store.getRun(runId);
    if (!run) throw new NotFoundError('run', runId);
    return run;
  }

  async listRuns(query: Parameters<Runtime['listRuns']>[0] = {}): Promise<RunRecord[]> {
    if (typeof query !== 'object' || query === null) {
      throw new InvalidArgumentError('listRuns takes { status?, workflow?, limit? }', 'query');
    }
    if (query.status !== undefined && !RUN_STATUSES.includes(query.status)) {
      throw new InvalidArgumentError(
        `status must be one of ${RUN_STATUSES.join(', ')}, got ${JSON.stringify(query.status)}`,
        'status',
      );
    }
    if (query.workflow !== undefined && typeof query.workflow !== 'string') {
      throw new InvalidArgumentError(
        `workflow must be a string, got ${JSON.stringify(query.workflow)}`,
        'workflow',
      );
    }
    await this.readyPromise;
    return this.core.store.listRuns(query);
  }

  async journal(runId: string) {
    await this.getRun(runId);
    return this.core.store.readJournal(runId);
  }

  async history(runId: string) {
    await this.getRun(runId);
    return this.reader.history(runId);
  }

  async state(runId: string, version: number) {
    if (!Number.isInteger(version) || version < 1) {
      throw new InvalidArgumentError(
        `version must be a positive integer, got ${String(version)}`,
        'version',
      );
    }
    await this.getRun(runId);
    return this.reader.at(runId, version);
  }

  async verify(runId: string) {
    const run = await this.getRun(runId);
    return verifyChain(await this.core.store.readVersions(runId), run.headVersion);
  }

  async diff(runId: string, a: number, b: number): Promise<StateDiff> {
    const run = await this.getRun(runId);
    const from = checkVersion(run, a, 'a');
    const to = checkVersion(run, b, 'b');
    const [sa, sb] = await Promise.all([this.reader.at(runId, from), this.reader.at(runId, to)]);
    return { runId, from, to, changes: diffJson(sa.data, sb.data) };
  }

  async rollback(runId: string, version: number): Promise<StateSnapshot> {
    this.assertOpen();
    const run = await this.getRun(runId);
    checkVersion(run, version);
    if (this.drivers.has(runId)) {
      throw new InvalidArgumentError(
        `run ${runId} is being driven by this runtime; cancel it or wait for it before rolling back`,
        'runId',
      );
    }
    const target = await this.reader.at(runId, version);
    const [head] = await this.core.store.readVersions(runId, run.headVersion, run.headVersion);
    const rolled = await appendRollback(this.core, run, target, head!);
    await this.resumeClaimed(rolled.run);
    return this.reader.at(runId, rolled.version.version);
  }

  async replay<Out = Json>(runId: string, options: ReplayOptions): Promise<RunHandle<Out>> {
    this.assertOpen();
    const parent = await this.getRun(runId);
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgumentError('replay needs { fromVersion }', 'options');
    const from = checkVersion(parent, options.fromVersion, 'fromVersion');
    const wf = replayWorkflow(
      this.registry.get(parent.workflow, parent.workflowVersion),
      options.overrides,
    );
    const snapshot = await this.reader.at(runId, from);
    const state = forkState(wf, snapshot.data, Object.keys(options.overrides ?? {}));
    if (!('input' in state))
      throw new InvalidArgumentError(
        `version ${from} of run ${runId} holds no input to replay from`,
        'fromVersion',
      );
    await this.catalog.ensure(wf);
    const fork = await createFork(this.core, parent, from, state, options.runId ?? this.newId());
    this.launch(fork.run, [fork.firstVersion], state, undefined, wf);
    return createRunHandle<Out>(fork.run.runId, this.core.store, this.waiters);
  }

  async lineage(runId: string, path: string): Promise<Lineage> {
    await this.getRun(runId);
    return traceLineage(this.core.store, runId, path, (run, slot) =>
      this.registry.has(run.workflow, run.workflowVersion)
        ? this.registry.get(run.workflow, run.workflowVersion).steps.find((s) => s.name === slot)
            ?.needs
        : undefined,
    );
  }

  async bisect(
    runId: string,
    predicate: (snapshot: StateSnapshot) => boolean,
  ): Promise<StateSnapshot | undefined> {
    if (typeof predicate !== 'function')
      throw new InvalidArgumentError('bisect needs a predicate function', 'predicate');
    const run = await this.getRun(runId);
    return bisectVersions(run.headVersion, (v) => this.reader.at(runId, v), predicate);
  }

  async trace(runId: string): Promise<TraceSpan[]> {
    await this.getRun(runId);
    await this.core.telemetry.flush();
    return readTrace(this.core.store, runId);
  }

  breakers() {
    return this.core.guards.breakers();
  }

  async publish(...args: Parameters<Choreography['publish']>) {
    this.assertOpen();
    await this.readyPromise;
    return this.choreography.publish(...args);
  }

  async redeliver(eventId: string, reactor?: string) {
    this.assertOpen();
    await this.readyPromise;
    return this.choreography.redeliver(eventId, reactor);
  }

  async deadLetters(...args: Parameters<Choreography['deadLetters']>) {
    await this.readyPromise;
    return this.choreography.deadLetters(...args);
  }

  async eventTrace(...args: Parameters<Choreography['eventTrace']>) {
    await this.readyPromise;
    return this.choreography.eventTrace(...args);
  }

  async eventsSettled(): Promise<void> {
    await this.readyPromise;
    return this.choreography.settled();
  }

  private alert(alert: Alert): void {
    this.core.logger.warn(alert.message, { ...alert });
    if (!this.options.onAlert) return;
    try {
      Promise.resolve(this.options.onAlert(alert)).catch((e: unknown) =>
        this.core.logger.error('onAlert hook failed', { error: String(e) }),
      );
    } catch (e) {
      this.core.logger.error('onAlert hook failed', { error: String(e) });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.readyPromise.catch(() => {});
    this.leases.stop();
    await this.choreography.stop();
    const held = [...this.drivers.keys()];
    for (const d of this.drivers.values()) d.halt('closed');
    while (this.drivers.size > 0) await this.waiters.tick();
    await this.leases.releaseAll(held).catch(() => {});
    this.waiters.close();
    // The last batch of spans goes to the store before it closes.
    await this.core.telemetry.flush().catch(() => {});
    await this.core.store.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidArgumentError('the runtime is closed', 'runtime');
  }
}
