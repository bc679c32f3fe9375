/**
 * Attempt scopes and what run, step and attempt scopes share (token totals, contract-violation
 * events, evaluation records as JSON).
 *
 * Invariants:
 * - An attempt span is opened under its step span, fixed at creation (see scopes.ts).
 * - Usage reported on an attempt is summed on the attempt, its step and its run; the attempt
 *   keeps the first model it was told about.
 */
import type { AgentSpan, AgentSpanAttributes, ModelUsage } from '../agents/agent.js';
import type { ErrorInfo } from '../errors.js';
import { OperationSpan } from './operation-span.js';
import { TRACE_NAMES } from './stored-span.js';
import type { AttemptScope, EvaluationRecord, ScopeAttributes } from './telemetry.js';
import { type SpanFactory, TracedSpan } from './traced-span.js';

/** Token totals kept by runs and steps. */
export class Totals {
  inputTokens = 0;
  outputTokens = 0;
  cachedInputTokens = 0;
  reasoningTokens = 0;
  costUsd: number | undefined;

  add(u: ModelUsage): void {
    this.inputTokens += finite(u.inputTokens);
    this.outputTokens += finite(u.outputTokens);
    this.cachedInputTokens += finite(u.cachedInputTokens);
    this.reasoningTokens += finite(u.reasoningTokens);
    if (u.costUsd !== undefined) this.costUsd = (this.costUsd ?? 0) + finite(u.costUsd);
  }

  attributes(): ScopeAttributes {
    if (this.inputTokens === 0 && this.outputTokens === 0 && this.costUsd === undefined) return {};
    return {
      [TRACE_NAMES.totalInputTokens]: this.inputTokens,
      [TRACE_NAMES.totalOutputTokens]: this.outputTokens,
      [TRACE_NAMES.totalCostUsd]: roundUsd(this.costUsd),
    };
  }
}

/** An attempt's evaluations, held by its step until the step's version is known. */
export interface PendingEvaluations {
  readonly attempt: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly records: readonly EvaluationRecord[];
}

/**
 * What an attempt needs of its step: the step scope (scopes.ts) implements it. Declared here so
 * attempts depend on a shape, not on the step class that creates them.
 */
export interface AttemptParent {
  readonly name: string;
  readonly span: TracedSpan;
  readonly attributes: ScopeAttributes;
  readonly totals: Totals;
  readonly run: { readonly runId: string; readonly totals: Totals };
  readonly attempts: Set<AttemptScopeImpl>;
  violationSeen: boolean;
  addEvaluations(p: PendingEvaluations): void;
}
const finite = (n: number | undefined): number => (n !== undefined && Number.isFinite(n) ? n : 0);

/** Sums of costs to a billionth of a dollar, without float noise. */
const roundUsd = (usd: number | undefined): number | undefined =>
  usd === undefined ? undefined : Math.round(usd * 1e9) / 1e9;

/** One attempt of a step: the span agents see as `ctx.span`. */
export class AttemptScopeImpl implements AttemptScope {
  readonly traced: TracedSpan;
  private readonly totals = new Totals();
  private model: string | undefined;
  private evaluations: EvaluationRecord[] | undefined;

  constructor(
    private readonly state: SpanFactory,
    private readonly step: AttemptParent,
    private readonly attempt: number,
  ) {
    this.traced = TracedSpan.start(
      state,
      'attempt',
      `attempt ${step.name}`,
      step.run.runId,
      step.span,
      { ...step.attributes, [TRACE_NAMES.attempt]: attempt },
    );
  }

  get span() {
    return this.traced.otel;
  }

  usage(usage: ModelUsage): void {
    this.totals.add(usage);
    this.step.totals.add(usage);
    this.step.run.totals.add(usage);
    // Several calls: tokens are summed and the first model is kept.
    this.model ??= usage.model;
    const t = this.totals;
    this.traced.set({
      ...usage.attributes,
      [TRACE_NAMES.model]: this.model,
      [TRACE_NAMES.inputTokens]: t.inputTokens,
      [TRACE_NAMES.outputTokens]: t.outputTokens,
      // Optional details appear only once some call reported them.
      [TRACE_NAMES.provider]: usage.provider,
      [TRACE_NAMES.cachedInputTokens]: t.cachedInputTokens || undefined,
      [TRACE_NAMES.reasoningTokens]: t.reasoningTokens || undefined,
      [TRACE_NAMES.costUsd]: roundUsd(t.costUsd),
    });
  }

  startSpan(name: string, attributes: AgentSpanAttributes = {}): AgentSpan {
    return new OperationSpan(this.state, this.traced, this.step.run.runId, name, attributes);
  }

  evaluation(record: EvaluationRecord): void {
    const prefix = `baton.evaluation.${record.evaluator}`;
    this.traced.set({ [`${prefix}.score`]: record.score, [`${prefix}.passed`]: record.passed });
    // GenAI semantic conventions for the verdict; Baton's own names for the gate around it.
    this.traced.event(TRACE_NAMES.evaluation, {
      'gen_ai.evaluation.name': record.evaluator,
      'gen_ai.evaluation.score.value': record.score,
      'gen_ai.evaluation.score.label': record.label,
      'gen_ai.evaluation.explanation': record.rationale,
      'baton.evaluation.passed': record.passed,
      'baton.evaluation.min_score': record.minScore,
    });
    if (this.evaluations) this.evaluations.push(record);
    else this.evaluations = [record];
  }

  end(error?: ErrorInfo): void {
    const span = this.traced;
    if (span.ended) return;
    if (error) {
      if (contractViolationEvent(span, error)) {
        contractViolationEvent(this.step.span, error);
        this.step.violationSeen = true;
      }
      span.fail(error);
    } else {
      span.setStatus('ok');
    }
    span.end();
    this.step.attempts.delete(this);
    if (this.evaluations) {
      this.step.addEvaluations({
        attempt: this.attempt,
        traceId: span.traceId,
        spanId: span.spanId,
        records: this.evaluations,
      });
    }
  }
}

/** Adds a contract-violation event when `error` is one; returns whether it was. */
export function contractViolationEvent(span: TracedSpan, error: ErrorInfo): boolean {
  if (error.code !== 'CONTRACT_VIOLATION') return false;
  const d = (error.details ?? {}) as {
    contractId?: unknown;
    boundary?: unknown;
    issues?: unknown;
  };
  const issues = Array.isArray(d.issues)
    ? (d.issues as { path?: unknown; message?: unknown }[])
        .map((i) => {
          const path = Array.isArray(i.path) && i.path.length ? i.path.join('.') : '(root)';
          return `${path}: ${String(i.message)}`;
        })
        .join('; ')
    : undefined;
  span.event(TRACE_NAMES.contractViolation, {
    'baton.contract.id': typeof d.contractId === 'string' ? d.contractId : undefined,
    'baton.contract.boundary': typeof d.boundary === 'string' ? d.boundary : undefined,
    'baton.contract.issues': issues,
  });
  return true;
}

/** An evaluation record as plain JSON (no undefined fields). */
export function plainEvaluation(r: EvaluationRecord) {
  return {
    evaluator: r.evaluator,
    score: r.score,
    passed: r.passed,
    ...(r.label !== undefined ? { label: r.label } : {}),
    ...(r.rationale !== undefined ? { rationale: r.rationale } : {}),
    ...(r.minScore !== undefined ? { minScore: r.minScore } : {}),
  };
}
