/**
 * Contracts rebuilt from a workflow's recorded shape (its JSON Schemas), for a runtime that has
 * the run but not the workflow's code: a dashboard or CLI on the store alone can still validate
 * a signal before writing it. Custom refinement messages do not survive JSON Schema; the
 * structural rules (types, required fields, bounds, enums, patterns) do.
 */
import { z } from 'zod';
import { type Contract, contract } from '../contracts/contract.js';
import type { StateStore } from '../ledger/store.js';
import type { RunRecord } from '../ledger/types.js';

/** The contract of each signalable step (waits, and agents' outputs for human review) by step. */
export async function recordedContracts(
  store: StateStore,
  run: RunRecord,
): Promise<Map<string, Contract>> {
  const out = new Map<string, Contract>();
  const shape = (await store.readShapes(run.workflow)).find(
    (s) => s.version === run.workflowVersion,
  );
  if (!shape) return out;
  for (const step of shape.steps) {
    const id = step.kind === 'wait' ? step.contract : step.output;
    const schema = id ? shape.contracts[id] : undefined;
    if (!id || !schema) continue;
    try {
      out.set(step.name, contract(id, z.fromJSONSchema(schema as never)) as Contract);
    } catch {
      // A schema zod cannot rebuild: that step cannot be signalled without the code.
    }
  }
  return out;
}
