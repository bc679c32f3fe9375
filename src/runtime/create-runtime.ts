/**
 * The runtime facade: `createRuntime` composes the parts a reader can name — the engine that runs
 * runs (run-engine.ts), the reader that answers questions about them (run-reader.ts), time travel
 * (time-travel-part.ts) and choreography (choreography/) — over one shared core
 * (create-core.ts). Every method here is a one-line delegation; the parts hold the logic.
 */
import { createChoreography } from '../choreography/choreography.js';
import { embeddedBus } from '../choreography/embedded-bus.js';
import { createGovernedRuntime } from '../governance/governed-runtime.js';
import { traceLineage } from '../governance/lineage.js';
import { eraseSubject, PiiCodec } from '../governance/pii-codec.js';
import { RuntimeCatalog } from '../governance/runtime-catalog.js';
import { createIdGenerator } from '../ledger/ids.js';
import type { Workflow } from '../orchestrator/workflow.js';
import { pruneRuns } from '../retention/prune.js';
import { checkPruneOptions } from '../retention/prune-options.js';
import { retentionLoop } from '../retention/retention-loop.js';
import type { ScheduleOptions } from '../schedules/schedule-types.js';
import { readJudgesReport, recordLabel } from '../tracing/judge-labels.js';
import { ChildRunner } from './child-runner.js';
import { createRuntimeCore, deliverAlert } from './create-core.js';
import { RunEngine } from './run-engine.js';
import { RunReader } from './run-reader.js';
import { type WatchFilter, type WatchOptions, watchRuns } from './run-watch.js';
import { validateRuntimeOptions } from './runtime-options.js';
import type { Runtime, RuntimeOptions } from './runtime-types.js';
import { SchedulesPart } from './schedules-part.js';
import { ShapeRecorder } from './shape-recorder.js';
import { TimeTravelPart } from './time-travel-part.js';
import { listWaits } from './waits.js';

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
  validateRuntimeOptions(options);
  const pollMs = options.pollMs ?? 1000;
  // Child runs need the core and the engine, both built below; they are only used once running.
  const children = new ChildRunner(
    () => core,
    () => engine,
  );
  const core = createRuntimeCore(options, (alert) => deliverAlert(options, core, alert), children);
  const newId = createIdGenerator(() => core.clock.now());
  let readyPromise: Promise<void> | undefined;
  const ready = (): Promise<void> => readyPromise!;
  const reader = new RunReader(core, ready);
  const catalog = new RuntimeCatalog(options.store, options.catalog);
  const admit = (wf: Workflow): Promise<void> => catalog.ensure(wf);
  const engine = new RunEngine({
    core,
    workflows: options.workflows ?? [],
    concurrency: options.concurrency,
    // A runtime on a read-only store resumes nothing (it could not write a version).
    claiming: options.resume ?? options.store.readOnly !== true,
    pollMs,
    newId,
    getRun: (runId) => reader.getRun(runId),
    ready,
    admit,
    signalsFromShapes: options.signalsFromShapes ?? false,
  });
  const travel = new TimeTravelPart(core, engine, reader, newId, admit);
  const choreography = createChoreography({
    core,
    store: options.store.events,
    reactors: options.reactors ?? [],
    bus: options.bus ?? embeddedBus({ pollMs, leaseMs: core.leaseMs }),
    owner: core.owner,
    newId,
    ...(options.maxCausationDepth !== undefined
      ? { maxCausationDepth: options.maxCausationDepth }
      : {}),
  });
  const shapes = new ShapeRecorder(core.store, core.clock);
  /** Registers a workflow and records its shape in the store (once per definition). */
  const register = async (wf: Workflow): Promise<void> => {
    engine.registry.register(wf);
    await ready();
    const saving = shapes.ensure(wf);
    if (saving) await saving;
  };
  const retentionStop = new AbortController();
  const schedules = new SchedulesPart(core, engine, register, ready, pollMs);
  readyPromise = (async () => {
    await core.store.migrate();
    // Contracts are checked against the store's catalog before any run is resumed or started.
    await catalog.initial((options.workflows ?? []) as Workflow[], options.reactors ?? []);
    for (const wf of options.workflows ?? []) await shapes.ensure(wf as Workflow);
    await engine.start();
    await choreography.start();
    if (options.scheduler) schedules.scheduler.ensureRunning();
    if (options.retention)
      void retentionLoop(
        core,
        checkPruneOptions(options.retention),
        options.retention.everyMs,
        retentionStop.signal,
      );
  })();
  readyPromise.catch(() => {});
  /** Writes need an open, ready runtime. */
  const writable = async (): Promise<void> => {
    engine.assertOpen();
    await ready();
  };
  let closed = false;

  const runtime: Runtime = {
    // Running runs.
    start: async (wf, input, opts = {}) => {
      engine.assertOpen();
      await register(wf as Workflow);
      return engine.startRun(wf as Workflow, input, opts);
    },
    submit: async (wf, input, opts = {}) => {
      engine.assertOpen();
      await register(wf as Workflow);
      return engine.submitRun(wf as Workflow, input, opts);
    },
    startWorker: (opts = {}) => engine.startWorker(opts),
    handle: async (runId) => {
      await reader.getRun(runId);
      return engine.handleOf(runId);
    },
    signal: (runId, name, payload) => engine.signal(runId, name, payload),
    cancel: async (runId) => {
      await engine.cancel(runId);
      await children.cancelDescendants(runId);
    },
    // Reading runs.
    getRun: (runId) => reader.getRun(runId),
    listRuns: (query) => reader.listRuns(query),
    searchAttributes: async (runId) => {
      await reader.getRun(runId);
      return core.store.readAttributes(runId);
    },
    workflowShapes: async (name) => {
      await ready();
      return core.store.readShapes(name);
    },
    watch: ((target: string | WatchFilter, opts: WatchOptions = {}) =>
      (async function* () {
        await ready();
        yield* watchRuns(core.store, target, opts, (runId) => reader.getRun(runId), core.live);
      })()) as Runtime['watch'],
    journal: (runId) => reader.journal(runId),
    history: (runId) => reader.history(runId),
    state: (runId, version) => reader.state(runId, version),
    verify: (runId) => reader.verify(runId),
    diff: (runId, a, b) => reader.diff(runId, a, b),
    trace: (runId) => reader.trace(runId),
    breakers: () => reader.breakers(),
    usage: (query) => reader.usage(query),
    label: async (runId, step, humanScore, opts) => {
      await writable();
      // The judge's scores of the step may still be buffered with its spans.
      await core.telemetry.flush();
      return recordLabel(core.store, core.clock.now(), runId, step, humanScore, opts);
    },
    judges: async (query) => {
      await ready();
      await core.telemetry.flush();
      return readJudgesReport(core.store, query);
    },
    // Composition.
    children: async (runId) => {
      await reader.getRun(runId);
      return children.children(runId);
    },
    prune: async (opts) => {
      await writable();
      return pruneRuns(core.store, core.clock.now(), checkPruneOptions(opts));
    },
    schedule: (name, wf, opts) =>
      schedules.schedule(name, wf as Workflow, opts as ScheduleOptions<unknown>),
    schedules: () => schedules.list(),
    pauseSchedule: (name) => schedules.setPaused(name, true),
    resumeSchedule: (name) => schedules.setPaused(name, false),
    deleteSchedule: (name) => schedules.delete(name),
    triggerSchedule: (name) => schedules.trigger(name),
    waits: async (query) => {
      await ready();
      return listWaits(core.store, query);
    },
    // Time travel.
    rollback: (runId, version) => travel.rollback(runId, version),
    replay: (runId, opts) => travel.replay(runId, opts),
    bisect: (runId, predicate) => travel.bisect(runId, predicate),
    // Governance.
    lineage: async (runId, path) => {
      await reader.getRun(runId);
      return traceLineage(core.store, runId, path, (run, slot) =>
        engine.registry.has(run.workflow, run.workflowVersion)
          ? engine.registry
              .get(run.workflow, run.workflowVersion)
              .steps.find((s) => s.name === slot)?.needs
          : undefined,
      );
    },
    erase: async (subject, opts = {}) => {
      await ready();
      return core.pii instanceof PiiCodec
        ? core.pii.erase(subject, opts)
        : eraseSubject(core.store, subject, opts, core.clock.now());
    },
    as: (principal) =>
      createGovernedRuntime(runtime, principal, {
        store: core.store,
        workflow: (name, version) =>
          engine.registry.has(name, version) ? engine.registry.get(name, version) : undefined,
        workflowNames: () => engine.registry.names(),
        now: () => core.clock.now(),
      }),
    // Choreography.
    publish: async (...args) => {
      await writable();
      return choreography.publish(...args);
    },
    redeliver: async (eventId, reactor) => {
      await writable();
      return choreography.redeliver(eventId, reactor);
    },
    deadLetters: async (...args) => {
      await ready();
      return choreography.deadLetters(...args);
    },
    eventTrace: async (...args) => {
      await ready();
      return choreography.eventTrace(...args);
    },
    eventsSettled: async () => {
      await ready();
      return choreography.settled();
    },
    // Lifecycle.
    ready,
    close: async () => {
      if (closed) return;
      closed = true;
      engine.refuseWork();
      await ready().catch(() => {});
      await engine.close(async () => {
        retentionStop.abort();
        await schedules.scheduler.stop();
        await choreography.stop();
      });
      // The last batch of spans goes to the store before it closes.
      await core.telemetry.flush().catch(() => {});
      await core.store.close();
    },
  };
  return runtime;
}
