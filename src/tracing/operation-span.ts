/**
 * Spans agents open under their attempt (`ctx.startSpan`): an LLM agent's `invoke_agent`,
 * `chat` and `execute_tool` spans. Stored with kind `operation`.
 *
 * Invariants:
 * - The parent is the span that opened it, fixed at creation (never the active span).
 * - Operation spans carry no run totals: tokens are counted once, through `ctx.usage()` on the
 *   attempt, so reading totals from attempts (usage.ts) never counts a call twice.
 */
import type { AgentSpan, AgentSpanAttributes } from '../agents/agent.js';
import { describeError } from '../errors.js';
import { type SpanFactory, TracedSpan } from './traced-span.js';

/** A span opened by an agent. */
export class OperationSpan implements AgentSpan {
  private readonly traced: TracedSpan;

  constructor(
    private readonly factory: SpanFactory,
    parent: TracedSpan,
    private readonly runId: string,
    name: string,
    attributes: AgentSpanAttributes,
  ) {
    this.traced = TracedSpan.start(factory, 'operation', name, runId, parent, attributes);
  }

  get span() {
    return this.traced.otel;
  }

  set(attributes: AgentSpanAttributes): void {
    this.traced.set(attributes);
  }

  event(name: string, attributes?: AgentSpanAttributes): void {
    this.traced.event(name, attributes);
  }

  startSpan(name: string, attributes: AgentSpanAttributes = {}): AgentSpan {
    return new OperationSpan(this.factory, this.traced, this.runId, name, attributes);
  }

  end(error?: unknown): void {
    if (this.traced.ended) return;
    if (error !== undefined) this.traced.fail(describeError(error));
    else this.traced.setStatus('ok');
    this.traced.end();
  }
}
