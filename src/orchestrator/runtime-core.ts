/**
 * What every part of a runtime shares: the store, the committer, the clock, the guards, the hooks
 * and the compensator. One per runtime instance; there is no module-level state anywhere.
 *
 * The compensator is the engine's seam for undoing a failed run: the engine (run driver) knows
 * only its shape; the saga (saga/) implements it and the runtime facade plugs it in, so the core
 * never imports the pattern built on top of it.
 */
import type { Agent, Logger } from '../agents/agent.js';
import type { ErrorInfo } from '../errors.js';
import type { Json } from '../ledger/json.js';
import type { StateStore } from '../ledger/store.js';
import type { JournalEntry, VersionRecord } from '../ledger/types.js';
import type { Clock } from '../resilience/clock.js';
import type { GuardRegistry } from '../resilience/guard-registry.js';
import type { Policy, ResolvedPolicy } from '../resilience/policy.js';
import type { RunScope, Telemetry } from '../tracing/telemetry.js';
import type { ChildRuns } from './child-step.js';
import type { GroupCommitter, GroupCreator } from './group-commit.js';
import type { LiveFeed } from './live-feed.js';
import type { PiiSealer } from './pii-sealer.js';
import type { Alert } from './run-types.js';
import type { StepSpec, Workflow } from './workflow.js';

/** The shared internals of one runtime. */
export interface RuntimeCore {
  readonly store: StateStore;
  readonly committer: GroupCommitter;
  /** Batches run creations (starts) into shared transactions. */
  readonly creator: GroupCreator;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly owner: string;
  readonly leaseMs: number;
  readonly maxSlotBytes: number;
  readonly defaults: Policy | undefined;
  readonly guards: GuardRegistry;
  readonly random: () => number;
  readonly telemetry: Telemetry;
  /** Undoes failed runs (the saga, plugged in by the runtime facade). */
  readonly compensator: Compensator;
  /** Starts and awaits the runs of child-workflow steps (plugged in by the runtime facade). */
  readonly children?: ChildRuns;
  /** Encrypts personal fields at append and decrypts them on read (when configured). */
  readonly pii?: PiiSealer;
  /** Ephemeral events of running steps (model tokens) for this process's watchers. */
  readonly live?: LiveFeed;
  alert(alert: Alert): void;
  /** A step's policy layered over the runtime's, the workflow's and the agent's (cached). */
  policyFor(workflow: Workflow, step: StepSpec): ResolvedPolicy;
}

/** A logger that drops everything (the default). */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/** What the saga needs from the run's driver. */
export interface CompensationCall {
  /** The run's trace scope; each compensation is a step scope under it. */
  readonly scope: RunScope;
  readonly core: RuntimeCore;
  readonly runId: string;
  /** The workflow-level policy, layered between runtime defaults and the agent's. */
  readonly workflowPolicy: Policy | undefined;
  readonly signal: AbortSignal;
  /** The step whose output a version holds, when that step must be compensated. */
  readonly stepFor: (v: VersionRecord) => (StepSpec & { agent: Agent }) | undefined;
  /** Commits journal entries durably (fenced by the run's lease). */
  readonly commitJournal: (entries: JournalEntry[]) => Promise<void>;
}

/** How the saga ended. */
export type CompensationResult =
  | { readonly ok: true; readonly compensated: string[] }
  | {
      readonly ok: false;
      readonly compensated: string[];
      readonly failedStep: string;
      readonly error: ErrorInfo;
    };

/** Undoes the completed steps of a failed run (implemented by the saga). */
export interface Compensator {
  /** The step whose output a version holds, when that step has side effects to undo. */
  compensableStep(workflow: Workflow, v: VersionRecord): (StepSpec & { agent: Agent }) | undefined;
  /** Compensates every completed step of a run that has not been compensated yet. */
  compensateRun(call: CompensationCall): Promise<CompensationResult>;
  /** The run's last version once compensated: it holds only the input again. */
  compensatedVersion(
    runId: string,
    head: number,
    prevHash: string,
    input: Json,
    now: number,
  ): VersionRecord;
}
