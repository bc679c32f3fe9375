/**
 * Budgets per workflow: tokens and cost that all runs of a workflow may spend in a sliding
 * window (e.g. 2M tokens a day for 'credit-decision'), shared by every runtime and worker on
 * one store. Each model call of an LLM agent takes its share before it starts.
 *
 * Invariants:
 * - Spending is held in the store's fleet quota records (kind `quota`, keys
 *   `workflow-budget:{workflow}:tokens` and `…:cost`), taken transactionally: no call starts
 *   once the window's tokens or cost are spent, whichever process spent them.
 * - A refused call is never made: `BudgetExceededError` (scope 'workflow'). Calls already in
 *   flight finish, and what they used counts, so concurrent calls may end slightly over.
 * - A call's share is settled to what it really used (cost in micro-USD) when it ends; a store
 *   that cannot be reached fails the call (the store's error), it is never read as a grant.
 */
import {
  BudgetExceededError,
  type Clock,
  InvalidArgumentError,
  type StateStore,
  systemClock,
} from '../index.js';
import { type Budget, validateBudget } from './budget.js';

/** Options of {@link createWorkflowBudget}. */
export interface WorkflowBudgetOptions {
  /** Where spending is held; every runtime on it shares the budgets. */
  readonly store: StateStore;
  /** Limits by workflow name; a workflow not named here is not limited. */
  readonly workflows: Readonly<Record<string, Budget>>;
  /** The sliding window the limits apply to (default 86,400,000 ms: a day). */
  readonly windowMs?: number;
  readonly clock?: Clock;
}

/** What one call took from a workflow budget; `settle` records what it really used. */
export interface WorkflowBudgetShare {
  settle(tokens: number, costUsd: number | undefined): Promise<void>;
}

/** Budgets per workflow, to pass as an LLM agent's `workflowBudget`. */
export interface WorkflowBudget {
  readonly kind: 'workflow-budget';
  /**
   * Takes a call's share for `workflow`.
   * @throws BudgetExceededError (scope 'workflow') when its window is spent.
   */
  take(workflow: string, runId: string): Promise<WorkflowBudgetShare>;
}

const DAY_MS = 86_400_000;
const WORKFLOW_BUDGET_KEYS: readonly (keyof WorkflowBudgetOptions)[] = [
  'store',
  'workflows',
  'windowMs',
  'clock',
];
/** Cost is held in micro-USD: quota records count integers. */
const MICRO = 1_000_000;
const NOTHING: WorkflowBudgetShare = Object.freeze({ settle: async () => {} });

/**
 * Creates budgets per workflow.
 * @throws InvalidArgumentError naming the bad option.
 * @example
 * const budgets = createWorkflowBudget({ store, workflows: { 'credit-decision': { maxTokens: 2_000_000 } } });
 * const explain = llmAgent({ ..., workflowBudget: budgets });
 */
export function createWorkflowBudget(options: WorkflowBudgetOptions): WorkflowBudget {
  const o = options as Partial<WorkflowBudgetOptions> | undefined;
  if (typeof o !== 'object' || o === null)
    throw new InvalidArgumentError('createWorkflowBudget() expects an options object', 'options');
  if (typeof o.store?.quotas?.take !== 'function')
    throw new InvalidArgumentError('store must be a Baton store (it holds the spending)', 'store');
  if (typeof o.workflows !== 'object' || o.workflows === null)
    throw new InvalidArgumentError(
      'workflows must be an object of budgets by workflow',
      'workflows',
    );
  for (const key of Object.keys(o)) {
    if (!WORKFLOW_BUDGET_KEYS.includes(key as keyof WorkflowBudgetOptions))
      throw new InvalidArgumentError(
        `createWorkflowBudget: unknown option '${key}'; known options are ${WORKFLOW_BUDGET_KEYS.map((k) => `'${k}'`).join(', ')}`,
        key,
      );
  }
  for (const [name, b] of Object.entries(o.workflows)) {
    validateBudget(b, `workflows.${name}`);
    // A workflow named with no limit would read as limited and spend nothing: refuse it.
    if (b === undefined || (b.maxTokens === undefined && b.maxCostUsd === undefined))
      throw new InvalidArgumentError(
        `workflows.${name} must set maxTokens or maxCostUsd (a workflow not named is not limited)`,
        `workflows.${name}`,
      );
  }
  const windowMs = o.windowMs ?? DAY_MS;
  if (!Number.isInteger(windowMs) || windowMs <= 0)
    throw new InvalidArgumentError(
      `windowMs must be a positive integer, got ${JSON.stringify(o.windowMs)}`,
      'windowMs',
    );
  const quotas = o.store.quotas;
  const clock = o.clock ?? systemClock;
  const limits = new Map(Object.entries(o.workflows));
  return Object.freeze({
    kind: 'workflow-budget' as const,
    async take(workflow: string, runId: string): Promise<WorkflowBudgetShare> {
      const budget = limits.get(workflow);
      if (!budget) return NOTHING;
      const held: { key: string; id: number; scale: number }[] = [];
      const take = async (resource: 'tokens' | 'cost', limit: number, scale: number) => {
        const key = `workflow-budget:${workflow}:${resource}`;
        // An estimate of 1: refused once the window is spent (see quota-rules.ts).
        const out = await quotas.take({
          key,
          now: clock.now(),
          estimate: 1,
          leaseMs: windowMs,
          limits: { tpm: Math.max(1, Math.round(limit * scale)), windowMs },
        });
        if (!out.ok) {
          // Nothing is used of a call that will not be made.
          await Promise.all(held.map((h) => quotas.release(h.key, h.id, 0)));
          throw new BudgetExceededError('workflow', resource, limit, limit, runId, workflow);
        }
        held.push({ key, id: out.id, scale });
      };
      if (budget.maxTokens !== undefined) await take('tokens', budget.maxTokens, 1);
      if (budget.maxCostUsd !== undefined) await take('cost', budget.maxCostUsd, MICRO);
      return {
        settle: async (tokens, costUsd) => {
          await Promise.all(
            held.map((h) =>
              quotas.release(
                h.key,
                h.id,
                h.scale === 1 ? tokens : Math.round((costUsd ?? 0) * h.scale),
              ),
            ),
          );
        },
      };
    },
  });
}

/** True when `value` is a workflow budget. */
export function isWorkflowBudget(value: unknown): value is WorkflowBudget {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'workflow-budget'
  );
}
