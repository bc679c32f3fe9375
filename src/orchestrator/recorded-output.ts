/**
 * Recorded outputs for replays: in a fork, an agent may ask for the output the same step
 * produced in the parent run (`ctx.recorded()`), to reuse it rather than call a model again.
 *
 * Invariants:
 * - An output is offered only when the parent's version of the step was written by the same
 *   agent version (an overridden step has another one) from the same input: the step's input
 *   selected from the parent's state at the version it read, compared as canonical JSON.
 * - Only what the step itself produced is offered (no skipped, cached or system versions).
 * - Personal fields encrypted at rest are opened as they are for the running step.
 */
import type { Agent } from '../agents/agent.js';
import { canonicalJson, type Json } from '../ledger/json.js';
import type { StateData, VersionRecord } from '../ledger/types.js';
import { materialize } from '../ledger/versions.js';
import type { RuntimeCore } from './runtime-core.js';
import type { StepSpec } from './workflow.js';

/**
 * The output `step` recorded in run `parentRunId` for `input`, or undefined.
 * Reads the parent's versions; a store error propagates (the agent then fails its attempt).
 */
export async function recordedOutput(
  core: RuntimeCore,
  parentRunId: string,
  step: StepSpec & { readonly agent: Agent },
  input: unknown,
): Promise<unknown> {
  const versions = await core.store.readVersions(parentRunId);
  const found = lastOwnVersion(versions, step.name, step.agent.id);
  if (!found || found.inputVersion === null) return undefined;
  const read = found.inputVersion;
  let data: StateData = materialize(versions.filter((v) => v.version <= read));
  if (core.pii) data = await core.pii.open(data);
  const view: Record<string, unknown> = { input: data.input };
  for (const n of step.needs) view[n] = data[n];
  let parentInput: unknown;
  try {
    const raw = (step.select as (v: unknown) => unknown)(Object.freeze(view));
    parentInput = step.agent.input.parse(raw, { boundary: 'agent-input', step: step.name });
  } catch {
    // The parent's input no longer satisfies the contract: nothing comparable was recorded.
    return undefined;
  }
  if (canonicalJson(parentInput) !== canonicalJson(input)) return undefined;
  const value = JSON.parse(found.payload) as Json;
  return core.pii ? core.pii.open(value) : value;
}

function lastOwnVersion(
  versions: readonly VersionRecord[],
  step: string,
  agentId: string,
): VersionRecord | undefined {
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i]!;
    if (v.step === step && v.kind === 'slot' && v.tag === null && v.createdBy === agentId) return v;
  }
  return undefined;
}
