/**
 * Records each workflow a runtime registers in the store, once per definition, so that any
 * reader of the store can draw it and validate its signals.
 */
import type { StateStore } from '../ledger/store.js';
import type { Workflow } from '../orchestrator/workflow.js';
import { workflowShape } from '../orchestrator/workflow-shape.js';
import type { Clock } from '../resilience/clock.js';

/** Records shapes; `ensure` is synchronous (undefined) once a definition is recorded. */
export class ShapeRecorder {
  private readonly recorded = new WeakMap<Workflow, Promise<void>>();

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Records `wf` unless it was already; resolves once it is in the store. A read-only store
   * records nothing (a reader draws what writers recorded).
   */
  ensure(wf: Workflow): Promise<void> | undefined {
    if (this.store.readOnly === true) return undefined;
    const done = this.recorded.get(wf);
    if (done) return undefined;
    const p = this.store.saveShape(workflowShape(wf, this.clock.now()));
    // A failed save is retried by the next start of that workflow.
    this.recorded.set(wf, p);
    p.catch(() => this.recorded.delete(wf));
    return p;
  }
}
