/**
 * Baton's OpenTelemetry GenAI spans for one LLM agent execution, under the attempt's span:
 *   invoke_agent {agent}
 *     chat {model}            one per model step (every re-ask, every tool round trip)
 *       execute_tool {tool}   one per tool the model called in that step
 * with the GenAI semantic conventions' attributes (`gen_ai.operation.name`,
 * `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.response.model`, `gen_ai.usage.*`)
 * and Baton's state-version attributes, which every span opened by `ctx.startSpan` inherits
 * from its step (run id, step, agent, `baton.state.version.in`, attempt).
 *
 * Invariants:
 * - Spans only describe: tokens reach the run's totals once, through `ctx.usage()` on the
 *   attempt (generate.ts), never through these spans.
 * - Every span opened is ended, failed with the error when the call threw.
 */
import type { AgentContext, AgentSpan } from '../index.js';
import type { ResolvedModel } from './model-call.js';
import type { TokenCount } from './pricing.js';

const NAMES = Object.freeze({
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cachedInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  reasoningTokens: 'gen_ai.usage.reasoning.output_tokens',
  agentName: 'gen_ai.agent.name',
  agentVersion: 'gen_ai.agent.version',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
  costUsd: 'baton.llm.cost_usd',
  call: 'baton.llm.call',
});

/** The `invoke_agent` span of one execution (undefined when the context opens no spans). */
export function invokeAgentSpan(ctx: AgentContext, agentId: string): AgentSpan | undefined {
  const at = agentId.lastIndexOf('@');
  const name = at > 0 ? agentId.slice(0, at) : agentId;
  return ctx.startSpan?.(`invoke_agent ${name}`, {
    [NAMES.operation]: 'invoke_agent',
    [NAMES.agentName]: name,
    [NAMES.agentVersion]: at > 0 ? agentId.slice(at + 1) : undefined,
  });
}

/** What one model step reported when it finished. */
export interface ChatStepResult {
  readonly tokens: TokenCount;
  readonly costUsd: number | undefined;
  readonly finishReason: string;
  readonly responseModel: string | undefined;
  readonly responseId: string | undefined;
}

/**
 * The `chat` spans of one model call (one `generateText`): a span per model step, opened when
 * the step starts and ended when it finishes; tool spans open under the step running them.
 */
export class ChatSpans {
  private current: AgentSpan | undefined;

  constructor(
    private readonly parent: AgentSpan | undefined,
    private readonly model: ResolvedModel,
    /** 1 for the first call of the execution, 2 for the first re-ask, ... */
    private readonly call: number,
  ) {}

  stepStarted(): void {
    this.current?.end();
    this.current = this.parent?.startSpan(`chat ${this.model.modelId}`, {
      [NAMES.operation]: 'chat',
      [NAMES.provider]: this.model.provider,
      [NAMES.requestModel]: this.model.modelId,
      [NAMES.call]: this.call,
    });
  }

  stepFinished(r: ChatStepResult): void {
    const span = this.current;
    this.current = undefined;
    if (!span) return;
    span.set({
      [NAMES.responseModel]: r.responseModel,
      [NAMES.responseId]: r.responseId,
      [NAMES.finishReasons]: r.finishReason,
      [NAMES.inputTokens]: r.tokens.inputTokens,
      [NAMES.outputTokens]: r.tokens.outputTokens,
      [NAMES.cachedInputTokens]: r.tokens.cachedInputTokens || undefined,
      [NAMES.reasoningTokens]: r.tokens.reasoningTokens || undefined,
      [NAMES.costUsd]: r.costUsd,
    });
    span.end();
  }

  /** The `execute_tool` span of a tool call made in the current step. */
  tool(name: string, toolCallId: string): AgentSpan | undefined {
    return (this.current ?? this.parent)?.startSpan(`execute_tool ${name}`, {
      [NAMES.operation]: 'execute_tool',
      [NAMES.toolName]: name,
      [NAMES.toolCallId]: toolCallId,
      [NAMES.toolType]: 'function',
    });
  }

  /** Ends a step left open by a call that threw. */
  failed(error: unknown): void {
    this.current?.end(error);
    this.current = undefined;
  }
}
