/**
 * The workflows a runtime knows, by name and version, and the catalog of their contracts.
 *
 * Invariants:
 * - A registered (name, version) always maps to the same definition: registering another
 *   definition under it throws (bump the version instead), so runs pinned to a version never
 *   see its steps change.
 * - Every contract a workflow uses is in the catalog; one id with two schemas throws.
 */
import { type Catalog, createCatalog } from '../contracts/catalog.js';
import {
  InvalidArgumentError,
  InvalidDefinitionError,
  WorkflowNotRegisteredError,
} from '../errors.js';
import { describeValue } from '../ledger/describe-value.js';
import { isWorkflow, type Workflow } from './workflow.js';

/** Workflows by name and version. */
export class WorkflowRegistry {
  private readonly byName = new Map<string, Map<number, Workflow>>();
  readonly catalog: Catalog = createCatalog();

  /**
   * Registers a workflow version and its contracts (a no-op for the same definition again).
   * @throws InvalidDefinitionError for an unfinished builder or a clashing definition.
   * @throws ContractMismatchError when a contract id is already registered with another schema.
   */
  register(wf: Workflow): void {
    if (typeof wf !== 'object' || wf === null) {
      throw new InvalidArgumentError(
        `expected a workflow (see workflow(...).output(...)), got ${describeValue(wf)}`,
        'workflow',
      );
    }
    if (!isWorkflow(wf)) {
      const name = String((wf as { name?: unknown }).name);
      throw new InvalidDefinitionError(
        `workflow '${name}' is not finished: call .output(selector) to complete its definition`,
        name,
      );
    }
    const versions = this.byName.get(wf.name) ?? new Map<number, Workflow>();
    const existing = versions.get(wf.version);
    if (existing === wf) return;
    if (existing) {
      throw new InvalidDefinitionError(
        `workflow '${wf.name}' version ${wf.version} is already registered with another definition; bump its version`,
        wf.name,
      );
    }
    this.catalog.register(wf.input);
    for (const s of wf.steps) {
      if (s.agent) {
        this.catalog.register(s.agent.input);
        this.catalog.register(s.agent.output);
      }
      if (s.contract) this.catalog.register(s.contract);
    }
    versions.set(wf.version, wf);
    this.byName.set(wf.name, versions);
    // A child workflow is registered with its parent, so its runs can be resumed here.
    for (const s of wf.steps) if (s.child) this.register(s.child.workflow);
  }

  /** @throws WorkflowNotRegisteredError */
  get(name: string, version: number): Workflow {
    const wf = this.byName.get(name)?.get(version);
    if (!wf) throw new WorkflowNotRegisteredError(name, version);
    return wf;
  }

  has(name: string, version: number): boolean {
    return this.byName.get(name)?.has(version) ?? false;
  }

  /** Names of the registered workflows (what this runtime may claim). */
  names(): string[] {
    return [...this.byName.keys()];
  }
}
