/**
 * Token and cost budgets. A meter counts what calls used and refuses to let another call start
 * once a limit is reached.
 *
 * Invariants:
 * - `before()` throws when the budget is already spent, so no call starts over budget.
 * - `after()` adds a finished call and throws when it went over: its result is not used, since
 *   a budget is a promise about what a step or run may spend.
 * - A run meter keeps at most `maxRuns` runs (oldest dropped first), so a long-lived process
 *   does not grow without bound.
 */
import { BudgetExceededError, InvalidArgumentError } from '../index.js';

/** Limits on what model calls may use. */
export interface Budget {
  /** Input plus output tokens. */
  readonly maxTokens?: number;
  /** USD, from the price table (a model without a price cannot be used under a cost budget). */
  readonly maxCostUsd?: number;
}

/** What calls used so far. */
export interface Spent {
  readonly tokens: number;
  readonly costUsd: number;
}

/** Counts usage against one budget. */
export class BudgetMeter {
  private tokens = 0;
  private costUsd = 0;

  constructor(
    private readonly budget: Budget,
    private readonly scope: 'step' | 'run',
    private readonly runId?: string,
  ) {}

  /** What was counted so far. */
  get spent(): Spent {
    return { tokens: this.tokens, costUsd: this.costUsd };
  }

  /** Starts from what an earlier execution of the same step spent (a resumed step). */
  restore(spent: Spent): void {
    this.tokens = spent.tokens;
    this.costUsd = spent.costUsd;
  }

  /** @throws BudgetExceededError when a limit is already reached. */
  before(): void {
    this.check((used, limit) => used >= limit);
  }

  /**
   * Counts a finished call.
   * @throws BudgetExceededError when it went over a limit.
   * @throws InvalidArgumentError when a cost budget is set but the call has no cost.
   */
  after(tokens: number, costUsd: number | undefined, model: string): void {
    if (costUsd === undefined && this.budget.maxCostUsd !== undefined) {
      throw new InvalidArgumentError(
        `model '${model}' has no price, so a cost budget cannot be enforced: add it to prices`,
        'prices',
      );
    }
    this.tokens += tokens;
    this.costUsd += costUsd ?? 0;
    this.check((used, limit) => used > limit);
  }

  private check(over: (used: number, limit: number) => boolean): void {
    const { maxTokens, maxCostUsd } = this.budget;
    if (maxTokens !== undefined && over(this.tokens, maxTokens))
      throw new BudgetExceededError(this.scope, 'tokens', this.tokens, maxTokens, this.runId);
    if (maxCostUsd !== undefined && over(this.costUsd, maxCostUsd)) {
      const used = Math.round(this.costUsd * 1e9) / 1e9;
      throw new BudgetExceededError(this.scope, 'cost', used, maxCostUsd, this.runId);
    }
  }
}

/** Budget meters per run, bounded in number. */
export class RunMeters {
  private readonly meters = new Map<string, BudgetMeter>();

  constructor(
    private readonly budget: Budget,
    private readonly maxRuns: number,
  ) {}

  /** The meter of a run (created on first use). */
  of(runId: string): BudgetMeter {
    let m = this.meters.get(runId);
    if (m) return m;
    m = new BudgetMeter(this.budget, 'run', runId);
    this.meters.set(runId, m);
    if (this.meters.size > this.maxRuns) {
      const oldest = this.meters.keys().next().value;
      if (oldest !== undefined) this.meters.delete(oldest);
    }
    return m;
  }

  /** What a run spent, if this process saw it. */
  spent(runId: string): Spent | undefined {
    return this.meters.get(runId)?.spent;
  }
}

/** Checks a budget option. @throws InvalidArgumentError naming the field. */
export function validateBudget(budget: unknown, argument: string): void {
  if (budget === undefined) return;
  const b = budget as Partial<Record<keyof Budget, unknown>> | null;
  if (typeof b !== 'object' || b === null)
    throw new InvalidArgumentError(`${argument} must be { maxTokens?, maxCostUsd? }`, argument);
  for (const key of Object.keys(b)) {
    if (!(BUDGET_KEYS as readonly string[]).includes(key))
      throw new InvalidArgumentError(
        `${argument}: unknown option '${key}'; known options are 'maxTokens', 'maxCostUsd'`,
        argument,
      );
  }
  for (const k of BUDGET_KEYS) {
    const v = b[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
      throw new InvalidArgumentError(
        `${argument}.${k} must be a positive finite number, got ${describe(v)}`,
        argument,
      );
    }
  }
}

const BUDGET_KEYS = ['maxTokens', 'maxCostUsd'] as const;

/** A value for a message: JSON.stringify would print Infinity and NaN as null. */
function describe(v: unknown): string {
  return typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? typeof v);
}
