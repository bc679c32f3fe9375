/**
 * The shape of a workflow as recorded in the store: steps, needs, agent versions, contract ids
 * with their JSON Schemas, waits. Any reader of the store (another process, the dashboard) draws
 * the graph and validates a signal from it without the workflow's code.
 */
import type { StepShape, WorkflowShape } from '../ledger/observe.js';
import type { Workflow } from './workflow.js';

/** The recordable shape of `wf`, stamped with `now`. */
export function workflowShape(wf: Workflow, now: number): WorkflowShape {
  const contracts: Record<string, Readonly<Record<string, unknown>> | null> = {
    [wf.input.id]: wf.input.jsonSchema,
  };
  const steps: StepShape[] = wf.steps.map((s) => {
    if (s.kind === 'wait') {
      if (s.contract) contracts[s.contract.id] = s.contract.jsonSchema;
      return {
        name: s.name,
        kind: 'wait',
        needs: [...s.needs],
        ...(s.contract ? { contract: s.contract.id } : {}),
        ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}),
        ...(s.onTimeout ? { onTimeout: s.onTimeout } : {}),
        ...(s.when ? { conditional: true } : {}),
      };
    }
    if (s.kind === 'sleep') {
      return {
        name: s.name,
        kind: 'sleep',
        needs: [...s.needs],
        ...(s.sleep ? { sleep: s.sleep } : {}),
        ...(s.when ? { conditional: true } : {}),
      };
    }
    const a = s.agent!;
    contracts[a.input.id] = a.input.jsonSchema;
    contracts[a.output.id] = a.output.jsonSchema;
    const onFailure = s.policy?.onFailure ?? a.policy?.onFailure;
    return {
      name: s.name,
      kind: 'agent',
      needs: [...s.needs],
      agent: `${a.name}@${a.version}`,
      input: a.input.id,
      output: a.output.id,
      ...(onFailure ? { onFailure } : {}),
      ...(s.when ? { conditional: true } : {}),
      ...(a.compensate ? { compensable: true } : {}),
      ...(s.child
        ? {
            child: {
              workflow: `${s.child.workflow.name}@${s.child.workflow.version}`,
              mode: s.child.mode,
            },
          }
        : {}),
    };
  });
  return {
    name: wf.name,
    version: wf.version,
    input: wf.input.id,
    steps,
    order: [...wf.order],
    contracts,
    registeredAt: now,
  };
}
