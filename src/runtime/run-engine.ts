/**
 * Running runs: start, submit, claim, drive, signal, cancel, resume, workers, close.
 *
 * Invariants:
 * - A run is driven by at most one runtime at a time: the one holding its lease. Leases are
 *   taken atomically in the store, renewed while the runtime lives, and every commit is fenced
 *   by them, so two runtimes on one store never both drive a run.
 * - Resumption reads committed versions; agent code is never replayed, so changed agent code
 *   never breaks an in-flight run.
 * - Runs pin the workflow version they started on.
 * - At most `concurrency` runs are driven at once; the rest wait, durable and leased, in a FIFO.
 */
import {
  InvalidArgumentError,
  isStoreCorruptError,
  isStoreFullError,
  StoreClosedError,
  type StoreCorruptError,
  type StoreFullError,
  WorkflowNotRegisteredError,
} from '../errors.js';
import type { RunRecord, StateData, VersionRecord } from '../ledger/types.js';
import { materialize } from '../ledger/versions.js';
import { LeaseKeeper } from '../orchestrator/lease-keeper.js';
import { recordedContracts } from '../orchestrator/recorded-contracts.js';
import { RunDriver } from '../orchestrator/run-driver.js';
import { createRunHandle, RunWaiters } from '../orchestrator/run-handle.js';
import type { RunHandle, StartOptions } from '../orchestrator/run-types.js';
import type { RuntimeCore } from '../orchestrator/runtime-core.js';
import { deliverSignal } from '../orchestrator/signals.js';
import { createRun } from '../orchestrator/start-run.js';
import { expireWait } from '../orchestrator/wait-timeouts.js';
import type { Workflow } from '../orchestrator/workflow.js';
import { WorkflowRegistry } from '../orchestrator/workflow-registry.js';
import { DEFAULT_RUN_CONCURRENCY, type Worker, type WorkerOptions } from './runtime-types.js';

/** What the engine is built from. */
export interface RunEngineOptions {
  readonly core: RuntimeCore;
  readonly workflows: readonly Workflow<unknown, unknown>[];
  readonly concurrency: number | undefined;
  readonly claiming: boolean;
  readonly pollMs: number;
  readonly newId: () => string;
  /** Resolves with the run, or throws NotFoundError (the reader's check). */
  readonly getRun: (runId: string) => Promise<RunRecord>;
  /** Resolves once the store is migrated and the runtime started. */
  readonly ready: () => Promise<void>;
  /**
   * Admits a workflow before a run of it is written (the contract catalog checks its contracts
   * against the store's); throws to refuse it.
   */
  readonly admit: (wf: Workflow) => Promise<void>;
  /** Check signals of unregistered workflows against their recorded contracts. */
  readonly signalsFromShapes?: boolean;
}

/** Drives the runs of one runtime. */
export class RunEngine {
  readonly registry = new WorkflowRegistry();
  readonly waiters: RunWaiters;
  private readonly core: RuntimeCore;
  private readonly drivers = new Map<string, RunDriver>();
  private readonly leases: LeaseKeeper;
  private readonly queue: (() => void)[] = [];
  private readonly getRun: (runId: string) => Promise<RunRecord>;
  private readonly ready: () => Promise<void>;
  private readonly admit: (wf: Workflow) => Promise<void>;
  private readonly newId: () => string;
  private readonly signalsFromShapes: boolean;
  private concurrency: number;
  /** Whether this runtime claims unowned runs (resume after crashes; worker mode). */
  private claiming: boolean;
  /**
   * Claim again as soon as a run ends. Nothing sets it yet (startWorker relies on the periodic
   * claim tick, as before the runtime was split); kept so the refill path stays visible.
   */
  private readonly workerMode = false;
  private active = 0;
  private closed = false;
  /** Set when the store failed for good (damaged file, full disk): see stopOnStoreFailure. */
  private storeFailure: StoreCorruptError | StoreFullError | undefined;

  constructor(o: RunEngineOptions) {
    this.core = o.core;
    this.getRun = o.getRun;
    this.ready = o.ready;
    this.admit = o.admit;
    this.newId = o.newId;
    this.signalsFromShapes = o.signalsFromShapes ?? false;
    this.concurrency = o.concurrency ?? DEFAULT_RUN_CONCURRENCY;
    this.claiming = o.claiming;
    this.waiters = new RunWaiters(o.core.store, o.core.clock, o.pollMs, (id) =>
      this.drivers.has(id),
    );
    for (const wf of o.workflows) this.registry.register(wf as Workflow);
    this.leases = new LeaseKeeper({
      core: this.core,
      pollMs: o.pollMs,
      claiming: () => this.claiming,
      capacity: () => this.concurrency - this.active - this.queue.length,
      workflows: () => this.registry.names(),
      driving: () => [...this.drivers.keys()],
      onLost: (runId) => this.drivers.get(runId)?.halt('lease_lost'),
      onClaimed: (run) => this.resumeClaimed(run),
      onWaitTimeout: (runId, step) => this.timeoutWait(runId, step),
      onUpkeepError: (e) => this.stopOnStoreFailure(e),
    });
  }

  /** Starts claiming and lease renewal (after the store is migrated). */
  start(): Promise<void> {
    return this.leases.start();
  }

  /**
   * Records a run and drives it here. A child run (`child`: started by a parent's child step)
   * is driven at once, outside the concurrency limit: its parent holds a slot while it waits for
   * it, so queuing the child behind other waiting parents could leave every slot waiting on
   * children that never start. Children in flight are bounded by the parents' fan-out
   * concurrency (`.map(…, { concurrency })`) times the parents being driven.
   */
  async startRun<Out>(
    wf: Workflow,
    input: unknown,
    opts: StartOptions,
    child = false,
  ): Promise<RunHandle<Out>> {
    this.assertOpen();
    this.registry.register(wf);
    await this.ready();
    await this.admit(wf);
    const created = await createRun(this.core, wf, input, opts, this.newId).catch((e: unknown) => {
      this.stopOnStoreFailure(e);
      throw e;
    });
    if (created.created)
      this.launch(created.run, [created.firstVersion], created.data, undefined, wf, child);
    return this.handleOf<Out>(created.run.runId);
  }

  /** Records a run for any claiming runtime (worker) to drive. */
  async submitRun<Out>(wf: Workflow, input: unknown, opts: StartOptions): Promise<RunHandle<Out>> {
    this.assertOpen();
    this.registry.register(wf);
    await this.ready();
    await this.admit(wf);
    const created = await createRun(this.core, wf, input, opts, this.newId, false).catch(
      (e: unknown) => {
        this.stopOnStoreFailure(e);
        throw e;
      },
    );
    if (created.created && this.claiming) this.leases.poke();
    return this.handleOf<Out>(created.run.runId);
  }

  /** Worker mode: claim queued and orphaned runs, refilling capacity as runs end. */
  startWorker(options: WorkerOptions): Worker {
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
    void this.ready().then(
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

  handleOf<Out>(runId: string): RunHandle<Out> {
    return createRunHandle<Out>(runId, this.core.store, this.waiters);
  }

  /** Whether this runtime drives the run right now. */
  isDriving(runId: string): boolean {
    return this.drivers.has(runId);
  }

  /** Drives a run this runtime holds the lease on, within the concurrency limit. */
  launch(
    run: RunRecord,
    versions: readonly VersionRecord[],
    data: StateData,
    prepare?: (d: RunDriver) => void,
    workflow: Workflow = this.registry.get(run.workflow, run.workflowVersion),
    outsideLimit = false,
  ): void {
    const driver = new RunDriver(this.core, workflow, run, versions, data);
    prepare?.(driver);
    this.drivers.set(run.runId, driver);
    // A run outside the limit takes no slot and frees none when it ends.
    const go = (): void => {
      if (!outsideLimit) this.active++;
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
            this.stopOnStoreFailure(e);
          },
        )
        .finally(() => {
          if (this.drivers.get(run.runId) === driver) this.drivers.delete(run.runId);
          this.waiters.released(run.runId);
          if (!outsideLimit) {
            this.active--;
            this.queue.shift()?.();
          }
          // A worker refills its capacity at once; other runtimes claim on their periodic tick.
          if (this.workerMode) this.leases.poke();
        });
    };
    if (outsideLimit || this.active < this.concurrency) go();
    else this.queue.push(go);
  }

  /** Drives a run whose lease this runtime just took (claimed, signalled, rolled back). */
  async resumeClaimed(run: RunRecord, prepare?: (d: RunDriver) => void): Promise<void> {
    if (this.drivers.has(run.runId)) return;
    if (!this.registry.has(run.workflow, run.workflowVersion)) {
      await this.leases.release(run.runId);
      this.leases.reportUnresumable(run, () =>
        this.core.alert({
          kind: 'workflow_not_registered',
          runId: run.runId,
          workflow: run.workflow,
          message: new WorkflowNotRegisteredError(run.workflow, run.workflowVersion).message,
        }),
      );
      return;
    }
    const versions = await this.core.store.readVersions(run.runId);
    const state = materialize(versions);
    this.launch(run, versions, this.core.pii ? await this.core.pii.open(state) : state, prepare);
  }

  async signal(runId: string, name: string, payload: unknown): Promise<void> {
    this.assertOpen();
    await this.ready();
    // Without the workflow's code, the payload is checked against the contract recorded with its
    // shape; the run is then left for a runtime that has the code to drive.
    const current = this.signalsFromShapes ? await this.core.store.getRun(runId) : undefined;
    const recorded =
      current && !this.registry.has(current.workflow, current.workflowVersion)
        ? await recordedContracts(this.core.store, current)
        : undefined;
    const run = await deliverSignal(
      this.core,
      runId,
      name,
      payload,
      (r) =>
        recorded && !this.registry.has(r.workflow, r.workflowVersion)
          ? undefined
          : this.registry.get(r.workflow, r.workflowVersion),
      (_r, step) => recorded?.get(step),
    );
    await this.resumeClaimed(run);
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

  /** Refuses new work from now on (the first step of closing). */
  refuseWork(): void {
    this.closed = true;
  }

  /**
   * Stops claiming and renewing, runs `beforeHalt` (stopping what feeds the engine), halts every
   * driver here and gives up their leases.
   */
  async close(beforeHalt: () => Promise<void>): Promise<void> {
    this.closed = true;
    this.leases.stop();
    await beforeHalt();
    const held = [...this.drivers.keys()];
    for (const d of this.drivers.values()) d.halt('closed');
    while (this.drivers.size > 0) await this.waiters.tick();
    await this.leases.releaseAll(held).catch(() => {});
    this.waiters.close();
  }

  /**
   * @throws StoreClosedError once the runtime is closed; the store's StoreCorruptError or
   * StoreFullError once the store failed under it.
   */
  assertOpen(): void {
    if (this.closed) throw new StoreClosedError('runtime');
    if (this.storeFailure) throw this.storeFailure;
  }

  /**
   * A damaged file or a full disk stops this runtime taking work: starts are refused with the
   * store's error, claiming stops and every run driven here halts at once (it stays resumable
   * from its last committed version by a runtime on a healthy store). `close()` still works.
   */
  private stopOnStoreFailure(e: unknown): void {
    if (this.storeFailure || !(isStoreCorruptError(e) || isStoreFullError(e))) return;
    this.storeFailure = e;
    this.leases.stop();
    for (const d of this.drivers.values()) d.halt('closed');
    this.waiters.fail(e);
    this.core.logger.error('the store failed; this runtime takes no more work', {
      error: e.message,
    });
  }

  /** A parked wait passed its deadline: apply its onTimeout ('fail' or 'skip'). */
  private async timeoutWait(runId: string, step: string): Promise<void> {
    const expired = await expireWait(this.core, this.registry, runId, step);
    if (!expired) return;
    await this.resumeClaimed(expired.run, expired.prepare);
    if (expired.alert) this.core.alert(expired.alert);
  }
}
