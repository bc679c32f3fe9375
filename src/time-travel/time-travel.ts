/**
 * Rollback and replay. History is never rewritten: a rollback appends a version equal to an
 * older one; a replay forks a new run whose first version is the parent's state at a version.
 *
 * Invariants:
 * - Only a run nobody is driving can be rolled back (ended, waiting, or with an expired lease);
 *   the rollback takes the run's lease in the same compare-and-append write.
 * - A replay never touches its parent; the fork records its parent run and version.
 */
import type { Agent } from '../agents/agent.js';
import { InvalidArgumentError } from '../errors.js';
import { GENESIS_HASH } from '../ledger/hash.js';
import { sealJson } from '../ledger/json.js';
import type { RunRecord, StateData, StateSnapshot, VersionRecord } from '../ledger/types.js';
import { buildVersionFromPayload } from '../ledger/versions.js';
import { journalEntry } from '../orchestrator/journal.js';
import type { RuntimeCore } from '../orchestrator/runtime-core.js';
import type { StepSpec, Workflow } from '../orchestrator/workflow.js';

/** Options of `rt.replay`. */
export interface ReplayOptions {
  /** Fork from the parent's state at this version. */
  readonly fromVersion: number;
  /**
   * Other agents for named steps; those steps and everything downstream of them run again.
   * Each must be an agent defined with `agent()` (checked when the replay starts).
   */
  readonly overrides?: Readonly<Record<string, AgentLike>>;
  /** The fork's run id (default: a new id). */
  readonly runId?: string;
  /**
   * An edited workflow input for the fork, checked against the workflow's input contract
   * (ContractViolationError when it does not satisfy it). It replaces the `input` slot of the
   * forked state; steps already in that state are kept, the rest run on the new input (fork
   * from version 1 to run every step on it).
   */
  readonly input?: unknown;
}

/** Any defined agent, whatever its types (overrides are checked at run time, at each handoff). */
export interface AgentLike {
  readonly kind: 'agent';
  readonly id: string;
}

/** Appends the rollback version and takes the run; returns the updated run and the version. */
export async function appendRollback(
  core: RuntimeCore,
  run: RunRecord,
  target: StateSnapshot,
  head: VersionRecord,
): Promise<{ run: RunRecord; version: VersionRecord }> {
  const now = core.clock.now();
  const driven =
    run.leaseOwner !== null && (run.leaseExpiresAt ?? 0) > now && run.status !== 'waiting';
  if (driven && run.leaseOwner !== core.owner) {
    throw new InvalidArgumentError(
      `run ${run.runId} is being driven by ${run.leaseOwner} (status ${run.status}); cancel it or wait for it to end before rolling back`,
      'runId',
    );
  }
  const version = buildVersionFromPayload(
    {
      runId: run.runId,
      version: head.version + 1,
      step: '$rollback',
      kind: 'reset',
      createdBy: 'system',
      inputVersion: target.version,
      contract: null,
      tag: `rollback:${target.version}`,
      createdAt: now,
      prevHash: head.hash,
    },
    sealJson(target.data).encoded,
    Number.POSITIVE_INFINITY,
  );
  const lease = { owner: core.owner, expiresAt: now + core.leaseMs };
  const [outcome] = await core.store.commit([
    {
      runId: run.runId,
      expectedVersion: head.version,
      versions: [version],
      journal: [
        journalEntry(run.runId, 'run.rolled_back', null, now, {
          version: version.version,
          inputVersion: target.version,
        }),
      ],
      run: {
        status: 'running',
        output: null,
        error: null,
        waitingFor: null,
        lease,
        updatedAt: now,
      },
    },
  ]);
  if (!outcome?.ok) throw outcome?.error ?? new Error('rollback commit failed');
  return {
    version,
    run: {
      ...run,
      status: 'running',
      output: null,
      error: null,
      waitingFor: null,
      headVersion: version.version,
      leaseOwner: lease.owner,
      leaseExpiresAt: lease.expiresAt,
      updatedAt: now,
    },
  };
}

/** The workflow a replay runs: the parent's, with overridden agents swapped in. */
export function replayWorkflow(
  wf: Workflow,
  overrides: Readonly<Record<string, AgentLike>> = {},
): Workflow {
  const names = Object.keys(overrides);
  if (names.length === 0) return wf;
  for (const name of names) {
    const spec = wf.steps.find((s) => s.name === name);
    if (spec?.kind !== 'agent')
      throw new InvalidArgumentError(
        `workflow '${wf.name}' has no agent step '${name}' to override`,
        'overrides',
      );
    const a = overrides[name] as Partial<Agent> | undefined;
    if (a?.kind !== 'agent')
      throw new InvalidArgumentError(`override for step '${name}' must be an agent`, 'overrides');
  }
  const steps: StepSpec[] = wf.steps.map((s) =>
    overrides[s.name] ? Object.freeze({ ...s, agent: overrides[s.name] as Agent }) : s,
  );
  return Object.freeze({ ...wf, steps: Object.freeze(steps) });
}

/** Removes the overridden steps' slots and every slot downstream of them, so they run again. */
export function forkState(wf: Workflow, data: StateData, rerun: readonly string[]): StateData {
  const drop = new Set(rerun);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of wf.steps) {
      if (!drop.has(s.name) && s.needs.some((n) => drop.has(n))) {
        drop.add(s.name);
        grew = true;
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (!drop.has(k) && !k.startsWith('$')) out[k] = v;
  return Object.freeze(out) as StateData;
}

/** Writes the fork: its first version is the forked state, and it records its parent. */
export async function createFork(
  core: RuntimeCore,
  parent: RunRecord,
  fromVersion: number,
  state: StateData,
  runId: string,
): Promise<{ run: RunRecord; firstVersion: VersionRecord }> {
  const now = core.clock.now();
  const firstVersion = buildVersionFromPayload(
    {
      runId,
      version: 1,
      step: '$replay',
      kind: 'reset',
      createdBy: 'system',
      inputVersion: null,
      contract: null,
      tag: `replay:${parent.runId}@${fromVersion}`,
      createdAt: now,
      prevHash: GENESIS_HASH,
    },
    sealJson(state).encoded,
    core.maxSlotBytes * 16,
  );
  const { run, created } = await core.store.createRun({
    run: {
      runId,
      workflow: parent.workflow,
      workflowVersion: parent.workflowVersion,
      status: 'pending',
      idempotencyKey: null,
      createdAt: now,
      updatedAt: now,
      output: null,
      error: null,
      waitingFor: null,
      leaseOwner: core.owner,
      leaseExpiresAt: now + core.leaseMs,
      parentRunId: parent.runId,
      parentVersion: fromVersion,
    },
    firstVersion,
    journal: [
      journalEntry(runId, 'run.started', null, now, {
        version: 1,
        detail: { replayOf: parent.runId, fromVersion },
      }),
    ],
  });
  if (!created) throw new InvalidArgumentError(`run id '${runId}' already exists`, 'runId');
  return { run, firstVersion };
}
