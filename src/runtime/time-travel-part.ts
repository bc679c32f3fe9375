/**
 * Time travel on live runs: rollback (a new version equal to an old one), replay (a fork from a
 * version, optionally with other agents) and bisect. History is never rewritten: each is an
 * append or a new run linked to its parent.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Json } from '../ledger/json.js';
import { checkVersion } from '../ledger/ledger-rules.js';
import type { StateData, StateSnapshot } from '../ledger/types.js';
import type { RunHandle } from '../orchestrator/run-types.js';
import type { RuntimeCore } from '../orchestrator/runtime-core.js';
import type { Workflow } from '../orchestrator/workflow.js';
import { bisectVersions } from '../time-travel/bisect.js';
import {
  appendRollback,
  createFork,
  forkState,
  type ReplayOptions,
  replayWorkflow,
} from '../time-travel/time-travel.js';
import type { RunEngine } from './run-engine.js';
import type { RunReader } from './run-reader.js';

/** Rollback, replay and bisect over one runtime's engine and reader. */
export class TimeTravelPart {
  constructor(
    private readonly core: RuntimeCore,
    private readonly engine: RunEngine,
    private readonly reader: RunReader,
    private readonly newId: () => string,
    /** Admits the (possibly overridden) workflow of a fork, as for a start. */
    private readonly admit: (wf: Workflow) => Promise<void>,
  ) {}

  async rollback(runId: string, version: number): Promise<StateSnapshot> {
    this.engine.assertOpen();
    const run = await this.reader.getRun(runId);
    checkVersion(run, version);
    if (this.engine.isDriving(runId)) {
      throw new InvalidArgumentError(
        `run ${runId} is being driven by this runtime; cancel it or wait for it before rolling back`,
        'runId',
      );
    }
    const snapshots = this.reader.snapshots;
    // The state as stored: personal fields are copied as ciphertext, never re-encrypted, so
    // an erased subject stays erased in the copy too.
    const target = await snapshots.stored(runId, version);
    const [head] = await this.core.store.readVersions(runId, run.headVersion, run.headVersion);
    const rolled = await appendRollback(this.core, run, target, head!);
    await this.engine.resumeClaimed(rolled.run);
    return snapshots.at(runId, rolled.version.version);
  }

  async replay<Out = Json>(runId: string, options: ReplayOptions): Promise<RunHandle<Out>> {
    this.engine.assertOpen();
    const parent = await this.reader.getRun(runId);
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgumentError('replay needs { fromVersion }', 'options');
    const from = checkVersion(parent, options.fromVersion, 'fromVersion');
    const wf = replayWorkflow(
      this.engine.registry.get(parent.workflow, parent.workflowVersion),
      options.overrides,
    );
    const snapshot = await this.reader.snapshots.at(runId, from);
    const kept = forkState(wf, snapshot.data, Object.keys(options.overrides ?? {}));
    const state =
      options.input === undefined
        ? kept
        : (Object.freeze({
            ...kept,
            input: wf.input.parse(options.input, { boundary: 'workflow-input' }),
          }) as StateData);
    if (!('input' in state))
      throw new InvalidArgumentError(
        `version ${from} of run ${runId} holds no input to replay from`,
        'fromVersion',
      );
    await this.admit(wf);
    const rerun = Object.keys(options.overrides ?? {});
    const stored = this.core.pii
      ? forkState(wf, (await this.reader.snapshots.stored(runId, from)).data, rerun)
      : state;
    const fork = await createFork(this.core, parent, from, stored, options.runId ?? this.newId());
    this.engine.launch(fork.run, [fork.firstVersion], state, undefined, wf);
    return this.engine.handleOf<Out>(fork.run.runId);
  }

  async bisect(
    runId: string,
    predicate: (snapshot: StateSnapshot) => boolean,
  ): Promise<StateSnapshot | undefined> {
    if (typeof predicate !== 'function')
      throw new InvalidArgumentError('bisect needs a predicate function', 'predicate');
    const run = await this.reader.getRun(runId);
    return bisectVersions(run.headVersion, (v) => this.reader.snapshots.at(runId, v), predicate);
  }
}
