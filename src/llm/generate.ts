/**
 * One execution of an LLM agent: guard the prompt, call the model with the output contract's
 * JSON Schema, validate the answer with the contract and the output guards, and re-ask with the
 * issues until it passes or the re-asks run out.
 *
 * Invariants:
 * - At most `1 + maxReasks` model calls per execution (each may take up to `maxSteps` tool
 *   steps); no call starts once the step budget is spent.
 * - Every finished call reports its tokens and cost through `ctx.usage()`, so they land on the
 *   attempt's span and the run's totals even when the answer is then rejected.
 * - Exhausted re-asks end in `ContractViolationError` listing every attempt's issues (each
 *   message prefixed `attempt N:`), or in the last guard's `GuardViolationError`.
 */
import {
  type CallSettings,
  generateText,
  type ModelMessage,
  NoObjectGeneratedError,
  NoOutputGeneratedError,
  Output,
  type Schema,
  type StepResult,
  stepCountIs,
  streamText,
  type ToolSet,
} from 'ai';
import {
  type AgentContext,
  type AgentSpan,
  type Contract,
  ContractViolationError,
  type DeepReadonly,
  GuardViolationError,
  type ValidationIssue,
} from '../index.js';
import {
  type ApprovalCheckpoint,
  type ApprovalRequest,
  approvalResponses,
  parkForApproval,
  resumeApprovals,
} from './approvals.js';
import { type Budget, BudgetMeter } from './budget.js';
import { cacheableCall } from './cacheable-call.js';
import { callNote, piiValues } from './exchange-note.js';
import { ChatSpans, invokeAgentSpan } from './genai-spans.js';
import type { Guard, GuardContext } from './guards.js';
import type { ModelInvoker, ResolvedModel } from './model-call.js';
import { addTokens, costOf, type PriceTable, type TokenCount, ZERO_TOKENS } from './pricing.js';
import { agentTools, type ToolApprovals, type ToolSpec } from './schema.js';
import { settledCall, streamCall } from './stream-call.js';
import type { WorkflowBudget } from './workflow-budget.js';

/** Model settings passed through to the AI SDK. */
export type LlmCallSettings = Pick<
  CallSettings,
  | 'maxOutputTokens'
  | 'temperature'
  | 'topP'
  | 'topK'
  | 'presencePenalty'
  | 'frequencyPenalty'
  | 'stopSequences'
  | 'seed'
  | 'maxRetries'
>;

/** Everything an execution needs, resolved once when the agent is defined. */
export interface LlmPlan<I, O> {
  readonly agentId: string;
  readonly invoker: ModelInvoker;
  readonly output: Contract<O>;
  /** The output contract as the AI SDK sees it (see schema.ts). */
  readonly schema: Schema<unknown>;
  readonly instructions: ((input: DeepReadonly<I>) => string) | undefined;
  readonly prompt: (input: DeepReadonly<I>) => string;
  readonly tools: readonly ToolSpec[] | undefined;
  readonly maxSteps: number;
  readonly maxToolErrors: number;
  readonly maxReasks: number;
  readonly guards: readonly Guard<I, O>[];
  readonly budget: Budget | undefined;
  readonly prices: PriceTable | undefined;
  readonly settings: LlmCallSettings;
  /** True when some tool needs approval (a run may then park the step: approvals.ts). */
  readonly approvals?: boolean;
  /** The input contract: its PII fields are masked in the stored prompt and response. */
  readonly input?: Contract<I>;
  /** Limits on all runs of the run's workflow (workflow-budget.ts). */
  readonly workflowBudget?: WorkflowBudget | undefined;
}

/** What one model call produced. */
type Answer =
  | { readonly kind: 'json'; readonly value: unknown; readonly text: string }
  | {
      readonly kind: 'approval';
      readonly requests: readonly ApprovalRequest[];
      /** What the model said this call, ending with its tool calls and approval requests. */
      readonly messages: readonly ModelMessage[];
    }
  | { readonly kind: 'unparsable'; readonly text: string; readonly message: string }
  | { readonly kind: 'no-output' };

interface CallState {
  tokens: TokenCount;
  /** How the last model step finished ('stop', 'tool-calls', 'length', ...). */
  finishReason: string;
  toolCalls: number;
  toolErrors: number;
}

/**
 * Runs one execution of an LLM agent (see the module invariants) under its `invoke_agent`
 * span. In a replayed run, the output the parent run recorded for the same input is returned
 * with no model call (the agent's contract still checks it).
 */
export async function runLlm<I, O>(
  plan: LlmPlan<I, O>,
  input: DeepReadonly<I>,
  ctx: AgentContext,
): Promise<O> {
  const span = invokeAgentSpan(ctx, plan.agentId);
  try {
    const recorded = await ctx.recorded?.();
    const reused = recorded === undefined ? undefined : plan.output.validate(recorded);
    let out: O;
    if (reused?.ok) {
      span?.set({ 'baton.llm.replayed': true });
      ctx.note?.({ kind: 'llm.replayed' });
      out = reused.value;
    } else {
      out = await askModel(plan, input, ctx, span);
    }
    span?.end();
    return out;
  } catch (e) {
    span?.end(e);
    throw e;
  }
}

/** The re-ask loop: calls the model until an answer passes, or the re-asks run out. */
async function askModel<I, O>(
  plan: LlmPlan<I, O>,
  input: DeepReadonly<I>,
  ctx: AgentContext,
  span: AgentSpan | undefined,
): Promise<O> {
  const pii = ctx.note ? piiValues(plan.input, input) : [];
  const gctx: GuardContext<I> = { input, agent: plan.agentId, runId: ctx.runId, step: ctx.step };
  const system = plan.instructions?.(input);
  const prompt = await guardInput(plan, plan.prompt(input), gctx);
  const meter = plan.budget ? new BudgetMeter(plan.budget, 'step', ctx.runId) : undefined;
  // A step parked for a tool approval resumes from its checkpoint (approvals.ts).
  const resumed = plan.approvals ? await resumeApprovals(ctx) : undefined;
  if (resumed?.pending.length) parkForApproval(ctx, resumed, plan.agentId);
  const approvals: ToolApprovals = {
    agentId: plan.agentId,
    approved: new Set(resumed?.approvedCalls),
  };
  const chat: { current: ChatSpans | undefined } = { current: undefined };
  const tools = plan.tools
    ? (agentTools(plan.tools, ctx, approvals, (name, id) =>
        chat.current?.tool(name, id),
      ) as ToolSet)
    : undefined;
  const messages: ModelMessage[] = resumed
    ? [...resumed.messages, approvalResponses(resumed.decided)]
    : [{ role: 'user', content: prompt }];
  const totals = { ...(resumed?.totals ?? { toolCalls: 0, toolErrors: 0 }) };
  const issues: ValidationIssue[] = [...(resumed?.issues ?? [])];
  if (resumed?.spent) meter?.restore(resumed.spent);
  let lastGuard: GuardViolationError | undefined;
  for (let attempt = resumed?.attempt ?? 1; attempt <= plan.maxReasks + 1; attempt++) {
    meter?.before();
    const state: CallState = {
      tokens: ZERO_TOKENS,
      finishReason: 'stop',
      toolCalls: 0,
      toolErrors: 0,
    };
    const chars = (system?.length ?? 0) + messages.reduce((n, m) => n + contentLength(m), 0);
    const share =
      plan.workflowBudget && ctx.workflow
        ? await plan.workflowBudget.take(ctx.workflow.name, ctx.runId)
        : undefined;
    const call = await plan.invoker.invoke(
      {
        runId: ctx.runId,
        estimateTokens: Math.ceil(chars / 4) + (plan.settings.maxOutputTokens ?? 0),
        signal: ctx.signal,
        ...(tools ? {} : { cache: cacheableCall(plan.output.id, plan.settings, system, messages) }),
      },
      async (model) => {
        chat.current = new ChatSpans(span, model, attempt);
        const spans = { chat: chat.current, price: (t: TokenCount) => priceCall(plan, model, t) };
        const value = await callModel(
          plan,
          model,
          system,
          messages,
          tools,
          totals,
          state,
          ctx,
          spans,
        );
        return { value, tokens: state.tokens, costUsd: priceCall(plan, model, state.tokens) };
      },
    );
    totals.toolCalls += state.toolCalls;
    totals.toolErrors += state.toolErrors;
    const costUsd = call.costUsd ?? priceCall(plan, call.model, call.tokens);
    report(ctx, call.model, call.tokens, costUsd, attempt, totals, call.cached === true);
    await share?.settle(call.tokens.inputTokens + call.tokens.outputTokens, costUsd);
    const note = (
      outcome: 'accepted' | 'rejected',
      issues: readonly ValidationIssue[],
      response?: string,
    ) =>
      ctx.note?.(
        callNote(
          {
            call: attempt,
            model: call.model,
            tokens: call.tokens,
            costUsd,
            outcome,
            issues,
            ...(response !== undefined
              ? { exchange: { system, messages: messages.map(plainMessage), response } }
              : {}),
          },
          pii,
        ),
      );
    meter?.after(call.tokens.inputTokens + call.tokens.outputTokens, costUsd, call.model.id);
    if (totals.toolErrors > plan.maxToolErrors) {
      const why = `${totals.toolErrors} tool errors, over the maximum of ${plan.maxToolErrors}`;
      throw new GuardViolationError('max-tool-errors', 'tool', why, plan.agentId);
    }
    if (approvals.violation) throw approvals.violation;
    if (approvals.predicateFailed) throw approvals.predicateFailed;
    const answer = call.value;
    if (answer.kind === 'approval') {
      messages.push(...answer.messages);
      parkForApproval(
        ctx,
        checkpoint({
          attempt,
          messages,
          pending: answer.requests,
          approvals,
          totals,
          issues,
          meter,
        }),
        plan.agentId,
      );
    }
    if (answer.kind === 'no-output') {
      const why = `no final answer within ${plan.maxSteps} steps`;
      throw new GuardViolationError('max-steps', 'tool', why, plan.agentId);
    }
    let problems: readonly ValidationIssue[];
    if (answer.kind === 'unparsable') {
      problems = [{ path: [], message: answer.message }];
    } else {
      const checked = plan.output.validate(answer.value);
      if (checked.ok) {
        const refusal = await guardOutput(plan, checked.value, gctx);
        if (!refusal) {
          note('accepted', [], answer.text);
          return checked.value;
        }
        if (refusal.onViolation !== 'reask') throw refusal.error;
        lastGuard = refusal.error;
        problems = [
          { path: [], message: `guard '${refusal.error.guard}': ${refusal.error.reason}` },
        ];
      } else {
        lastGuard = undefined;
        problems = checked.issues;
      }
    }
    note('rejected', problems);
    for (const p of problems)
      issues.push({ path: p.path, message: `attempt ${attempt}: ${p.message}` });
    ctx.logger.debug('llm answer rejected', {
      agent: plan.agentId,
      attempt,
      issues: problems.length,
    });
    messages.push(
      { role: 'assistant', content: answer.text || '(empty)' },
      { role: 'user', content: reask(plan.output.id, problems) },
    );
  }
  if (lastGuard) throw lastGuard;
  throw new ContractViolationError({
    contractId: plan.output.id,
    boundary: 'agent-output',
    step: ctx.step,
    agent: plan.agentId,
    issues,
  });
}

/** One `generateText` call; rejects only when the model failed (so a gateway may fall back). */
async function callModel<I, O>(
  plan: LlmPlan<I, O>,
  model: ResolvedModel,
  system: string | undefined,
  messages: readonly ModelMessage[],
  tools: ToolSet | undefined,
  before: { readonly toolErrors: number },
  state: CallState,
  ctx: AgentContext,
  spans: { readonly chat: ChatSpans; readonly price: (t: TokenCount) => number | undefined },
): Promise<Answer> {
  const onStepFinish = (step: StepResult<ToolSet>): void => {
    state.finishReason = step.finishReason;
    const u = step.usage;
    const tokens: TokenCount = {
      inputTokens: u.inputTokens ?? 0,
      outputTokens: u.outputTokens ?? 0,
      cachedInputTokens: u.inputTokenDetails?.cacheReadTokens ?? 0,
      reasoningTokens: u.outputTokenDetails?.reasoningTokens ?? 0,
    };
    state.tokens = addTokens(state.tokens, tokens);
    spans.chat.stepFinished({
      tokens,
      costUsd: spans.price(tokens),
      finishReason: step.finishReason,
      responseModel: step.response?.modelId,
      responseId: step.response?.id,
    });
    for (const part of step.content) {
      if (part.type === 'tool-call') state.toolCalls++;
      else if (part.type === 'tool-error') state.toolErrors++;
    }
  };
  try {
    const options = {
      ...plan.settings,
      model: model.model,
      ...(system !== undefined ? { system } : {}),
      messages: [...messages],
      output: Output.object({ schema: plan.schema, name: schemaName(plan.output.name) }),
      ...(tools
        ? {
            tools,
            stopWhen: [
              stepCountIs(plan.maxSteps),
              // Stop as soon as tool errors pass the bound: no more calls are worth paying for.
              () => before.toolErrors + state.toolErrors > plan.maxToolErrors,
            ],
          }
        : {}),
      abortSignal: ctx.signal,
      experimental_onStepStart: () => spans.chat.stepStarted(),
      onStepFinish,
    };
    // Someone watches the run in this process: stream the tokens to them (stream-call.ts).
    const send = ctx.stream;
    const result = send
      ? await streamCall(streamText({ ...options, onError: () => {} }), send)
      : settledCall(await generateText(options));
    const requests = approvalRequests(result.content);
    if (requests.length > 0) return { kind: 'approval', requests, messages: result.messages };
    return { kind: 'json', value: await result.output(), text: result.text };
  } catch (e) {
    spans.chat.failed(e);
    if (NoObjectGeneratedError.isInstance(e))
      return {
        kind: 'unparsable',
        text: e.text ?? '',
        message: `not valid JSON (${firstLine(e.cause ?? e)})`,
      };
    if (NoOutputGeneratedError.isInstance(e)) {
      // Still calling tools at the step limit; otherwise cut short (length, content filter).
      if (state.finishReason === 'tool-calls') return { kind: 'no-output' };
      return {
        kind: 'unparsable',
        text: '',
        message: `no answer, finished by '${state.finishReason}'`,
      };
    }
    throw e;
  }
}

async function guardInput<I, O>(
  plan: LlmPlan<I, O>,
  prompt: string,
  ctx: GuardContext<I>,
): Promise<string> {
  let text = prompt;
  for (const g of plan.guards) {
    if (g.stage !== 'input') continue;
    const verdict = await g.checkPrompt(text, ctx);
    if (!verdict.ok) throw new GuardViolationError(g.name, 'input', verdict.reason, plan.agentId);
    if (verdict.text !== undefined) text = verdict.text;
  }
  return text;
}

async function guardOutput<I, O>(
  plan: LlmPlan<I, O>,
  output: O,
  ctx: GuardContext<I>,
): Promise<{ error: GuardViolationError; onViolation: 'fail' | 'reask' } | undefined> {
  for (const g of plan.guards) {
    if (g.stage !== 'output') continue;
    const verdict = await g.checkOutput(output as DeepReadonly<O>, ctx);
    if (verdict.ok) continue;
    const error = new GuardViolationError(g.name, 'output', verdict.reason, plan.agentId);
    return { error, onViolation: g.onViolation ?? 'fail' };
  }
  return undefined;
}

function report(
  ctx: AgentContext,
  model: ResolvedModel,
  tokens: TokenCount,
  costUsd: number | undefined,
  attempt: number,
  totals: { readonly toolCalls: number; readonly toolErrors: number },
  cached: boolean,
): void {
  ctx.usage({
    model: model.modelId,
    provider: model.provider,
    inputTokens: tokens.inputTokens,
    outputTokens: tokens.outputTokens,
    cachedInputTokens: tokens.cachedInputTokens,
    reasoningTokens: tokens.reasoningTokens,
    ...(costUsd !== undefined ? { costUsd } : {}),
    attributes: {
      'gen_ai.operation.name': 'chat',
      'baton.llm.model': model.id,
      'baton.llm.calls': attempt,
      'baton.llm.reasks': attempt - 1,
      'baton.llm.tool_calls': totals.toolCalls,
      'baton.llm.tool_errors': totals.toolErrors,
      ...(cached ? { 'baton.llm.cache_hit': true } : {}),
    },
  });
}

function priceCall<I, O>(
  plan: LlmPlan<I, O>,
  model: ResolvedModel,
  tokens: TokenCount,
): number | undefined {
  return costOf(tokens, model.price ?? plan.prices?.[model.modelId] ?? plan.prices?.[model.id]);
}

/** The re-ask message: what was wrong, and what to answer. */
function reask(contractId: string, problems: readonly ValidationIssue[]): string {
  const list = problems.map(
    (p) => `- ${p.path.length ? p.path.join('.') : '(root)'}: ${p.message}`,
  );
  return [
    `Your answer does not satisfy the output contract '${contractId}':`,
    ...list,
    'Answer again with only the corrected JSON object.',
  ].join('\n');
}

/** The contract name as a response-format name (providers accept letters, digits, '_' and '-'). */
function schemaName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

function plainMessage(m: ModelMessage): { role: string; content: string } {
  return {
    role: m.role,
    content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content),
  };
}

function contentLength(m: ModelMessage): number {
  return typeof m.content === 'string' ? m.content.length : JSON.stringify(m.content).length;
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0] ?? message;
}

/** The approval requests among a call's last step content. */
function approvalRequests(content: readonly { readonly type: string }[]): ApprovalRequest[] {
  const out: ApprovalRequest[] = [];
  for (const part of content) {
    if (part.type !== 'tool-approval-request') continue;
    const p = part as unknown as {
      approvalId: string;
      toolCall: { toolCallId: string; toolName: string; input: unknown };
    };
    out.push({
      approvalId: p.approvalId,
      toolCallId: p.toolCall.toolCallId,
      toolName: p.toolCall.toolName,
      input: p.toolCall.input,
    });
  }
  return out;
}

/** The checkpoint a step parks with (plain JSON: SDK messages may carry undefined fields). */
function checkpoint(s: {
  attempt: number;
  messages: readonly ModelMessage[];
  pending: readonly ApprovalRequest[];
  approvals: ToolApprovals;
  totals: { toolCalls: number; toolErrors: number };
  issues: readonly ValidationIssue[];
  meter: BudgetMeter | undefined;
}): ApprovalCheckpoint {
  const cp: ApprovalCheckpoint = {
    kind: 'llm-approval',
    attempt: s.attempt,
    messages: s.messages,
    pending: s.pending,
    decided: [],
    approvedCalls: [...s.approvals.approved],
    totals: s.totals,
    issues: s.issues,
    spent: s.meter?.spent ?? null,
  };
  return JSON.parse(JSON.stringify(cp)) as ApprovalCheckpoint;
}
