/**
 * What every part of a runtime shares: the store, the committer, the clock, the guards and the
 * hooks. One per runtime instance; there is no module-level state anywhere.
 */
import type { Logger } from '../agents/agent.js';
import type { Clock } from '../resilience/clock.js';
import type { GuardRegistry } from '../resilience/guard-registry.js';
import type { Policy, ResolvedPolicy } from '../resilience/policy.js';
import type { StateStore } from '../state/store.js';
import type { Telemetry } from '../tracing/telemetry.js';
import type { GroupCommitter, GroupCreator } from './group-commit.js';
import type { Alert } from './runtime-types.js';
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
