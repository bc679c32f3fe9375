/**
 * The runtime's side of the persisted catalog: when a runtime starts, the contracts of its
 * workflows and the event types of its reactors are registered in the store's catalog (and so
 * checked against every version registered before by any runtime on the store); a workflow
 * first seen later (`rt.start(wf)` with a workflow not given to `createRuntime`, a replay with
 * new agents) is registered before its first run is written.
 *
 * Invariants:
 * - A store without governance tables (a third-party backend) keeps today's behaviour: the
 *   in-memory registry alone.
 * - A read-only store registers nothing: a runtime on it only reads runs others wrote (and
 *   anything it would write is refused by the store).
 */

import type { Reactor } from '../choreography/reactor.js';
import type { Contract } from '../contracts/contract.js';
import type { StateStore } from '../ledger/store.js';
import type { Workflow } from '../orchestrator/workflow.js';
import { type CatalogDefinition, type CatalogOptions, storeCatalog } from './catalog.js';

/** The contracts a workflow uses: input, every agent's input and output, every wait's payload. */
export function workflowContracts(wf: Workflow): Contract[] {
  const out: Contract[] = [wf.input];
  for (const s of wf.steps) {
    if (s.agent) out.push(s.agent.input, s.agent.output);
    if (s.contract) out.push(s.contract);
  }
  return out;
}

/** The event types a reactor handles and emits. */
export function reactorEvents(r: Reactor): CatalogDefinition[] {
  const def = r as unknown as { on?: CatalogDefinition; emits?: readonly CatalogDefinition[] };
  return [...(def.on ? [def.on] : []), ...(def.emits ?? [])];
}

/** Registers a runtime's definitions in its store's catalog, once per workflow object. */
export class RuntimeCatalog {
  private readonly done = new WeakMap<Workflow, Promise<void>>();

  constructor(
    private readonly store: StateStore,
    private readonly options: CatalogOptions | false | undefined,
  ) {}

  /** Registers the workflows and reactors a runtime was created with. */
  async initial(workflows: readonly Workflow[], reactors: readonly Reactor[]): Promise<void> {
    if (!this.enabled()) return;
    const defs = [...workflows.flatMap(workflowContracts), ...reactors.flatMap(reactorEvents)];
    await storeCatalog(this.store, this.options || {}).register(defs);
    for (const wf of workflows) this.done.set(wf, Promise.resolve());
  }

  /** Registers a workflow's contracts unless already done (cheap after the first call). */
  ensure(wf: Workflow): Promise<void> {
    if (!this.enabled()) return Promise.resolve();
    let p = this.done.get(wf);
    if (!p) {
      p = storeCatalog(this.store, this.options || {}).register(workflowContracts(wf));
      // A refused registration is retried next time (the definition may be fixed meanwhile).
      p.catch(() => this.done.delete(wf));
      this.done.set(wf, p);
    }
    return p;
  }

  private enabled(): boolean {
    return (
      this.options !== false && this.store.governance !== undefined && this.store.readOnly !== true
    );
  }
}
