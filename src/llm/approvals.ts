/**
 * Tool approvals as durable human waits. When the model calls a tool that needs approval, the
 * AI SDK stops with an approval request instead of running it; the step then parks on the wait
 * `<step>:approval:<toolCallId>` (through `ctx.suspend`) with the conversation so far, and
 * `rt.signal(runId, wait, { approved, reason? })` resumes it: the agent is executed again,
 * restores the conversation, and the SDK runs the approved tool (or tells the model it was
 * denied, with the reason) before the model continues.
 *
 * Invariants:
 * - The checkpoint holds every message the model already produced, the attempt number, the
 *   tool counters, the re-ask issues and what the step's budget spent: a resumed step never
 *   repeats a model call it already paid for.
 * - Several approvals asked in one model turn are asked one at a time; the model is called again
 *   only once each has a decision.
 */
import type { ModelMessage, ToolApprovalResponse } from 'ai';
import { type AgentContext, GuardViolationError, type ValidationIssue } from '../index.js';
import type { Spent } from './budget.js';

/** One tool call waiting for a human. */
export interface ApprovalRequest {
  readonly approvalId: string;
  readonly toolCallId: string;
  readonly toolName: string;
  readonly input: unknown;
}

/** A human's decision on one call. */
export interface ApprovalDecision {
  readonly approvalId: string;
  readonly toolCallId: string;
  readonly approved: boolean;
  readonly reason?: string;
}

/** What an approval signal's payload must be. */
export const APPROVAL_PAYLOAD_SCHEMA: Readonly<Record<string, unknown>> = Object.freeze({
  type: 'object',
  properties: { approved: { type: 'boolean' }, reason: { type: 'string' } },
  required: ['approved'],
  additionalProperties: false,
});

/** What an LLM step saves when it parks for approval (JSON). */
export interface ApprovalCheckpoint {
  readonly kind: 'llm-approval';
  readonly attempt: number;
  readonly messages: readonly ModelMessage[];
  /** Requests of the current model turn still without a decision, in order. */
  readonly pending: readonly ApprovalRequest[];
  /** Decisions of the current model turn. */
  readonly decided: readonly ApprovalDecision[];
  /** Every call approved in this execution (irreversible tools check it). */
  readonly approvedCalls: readonly string[];
  readonly totals: { readonly toolCalls: number; readonly toolErrors: number };
  readonly issues: readonly ValidationIssue[];
  readonly spent: Spent | null;
}

/** The wait key of a request (provider call ids are sanitized to what a wait name allows). */
export function approvalKey(r: Pick<ApprovalRequest, 'toolCallId'>): string {
  return `approval:${r.toolCallId.replace(/[^A-Za-z0-9_.:@-]/g, '_').slice(0, 180)}`;
}

/**
 * The checkpoint this execution resumes from, with the signal's decision applied; undefined for
 * a fresh execution.
 */
export async function resumeApprovals(ctx: AgentContext): Promise<ApprovalCheckpoint | undefined> {
  const r = await ctx.resumption?.();
  const saved = r?.detail as ApprovalCheckpoint | null | undefined;
  if (!r || saved?.kind !== 'llm-approval') return undefined;
  const payload = r.payload as { approved?: unknown; reason?: unknown } | null;
  const [next, ...rest] = saved.pending;
  if (!next || !r.wait.endsWith(`:${approvalKey(next)}`)) return saved;
  const decision: ApprovalDecision = {
    approvalId: next.approvalId,
    toolCallId: next.toolCallId,
    approved: payload?.approved === true,
    ...(typeof payload?.reason === 'string' ? { reason: payload.reason } : {}),
  };
  return {
    ...saved,
    pending: rest,
    decided: [...saved.decided, decision],
    approvedCalls: decision.approved
      ? [...saved.approvedCalls, next.toolCallId]
      : saved.approvedCalls,
  };
}

/**
 * Parks the step on the first pending request (never returns).
 * @throws StepSuspendedError (the park); GuardViolationError where the context cannot wait.
 */
export function parkForApproval(
  ctx: AgentContext,
  checkpoint: ApprovalCheckpoint,
  agentId: string,
): never {
  const next = checkpoint.pending[0];
  if (!next || !ctx.suspend) {
    const why = `tool '${next?.toolName ?? '?'}' needs approval, but this call cannot wait for one (no run)`;
    throw new GuardViolationError('approval', 'tool', why, agentId);
  }
  ctx.logger.info('llm tool call waits for approval', {
    agent: agentId,
    tool: next.toolName,
    toolCallId: next.toolCallId,
  });
  return ctx.suspend(approvalKey(next), { detail: checkpoint, accepts: APPROVAL_PAYLOAD_SCHEMA });
}

/** The tool message that answers a turn's approval requests (the SDK acts on it). */
export function approvalResponses(decided: readonly ApprovalDecision[]): ModelMessage {
  const content: ToolApprovalResponse[] = decided.map((d) => ({
    type: 'tool-approval-response',
    approvalId: d.approvalId,
    approved: d.approved,
    ...(d.reason !== undefined ? { reason: d.reason } : {}),
  }));
  return { role: 'tool', content };
}
