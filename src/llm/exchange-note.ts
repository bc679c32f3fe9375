/**
 * The journal notes of an LLM agent's model calls (`ctx.note`, entries of type `attempt.note`):
 * one per call of the re-ask loop with its number, outcome, the issues fed back and its
 * tokens; the accepted call's note also holds the prompt and the response, and, as a note of
 * the attempt whose output became a version, it carries that version.
 *
 * Invariant: personal data never reaches the journal. Every value at a path the input or
 * output contract tags as PII (`.meta({ pii: true })`) is replaced by `[pii]` wherever it
 * appears in the stored prompt and response, before the note is made.
 */
import {
  type Contract,
  type Json,
  type JsonObject,
  PII_MASK,
  piiPaths,
  type ValidationIssue,
} from '../index.js';
import type { ResolvedModel } from './model-call.js';
import type { TokenCount } from './pricing.js';

/** What one call of the re-ask loop is noted with. */
export interface CallNote {
  readonly call: number;
  readonly model: ResolvedModel;
  readonly tokens: TokenCount;
  readonly costUsd: number | undefined;
  readonly outcome: 'accepted' | 'rejected';
  readonly issues: readonly ValidationIssue[];
  /** The accepted call's exchange, before masking. */
  readonly exchange?: {
    readonly system: string | undefined;
    readonly messages: readonly { readonly role: string; readonly content: string }[];
    readonly response: string;
  };
}

/** The PII values of `value` at the paths its contract tags, longest first. */
export function piiValues(contract: Contract<unknown> | undefined, value: unknown): string[] {
  if (!contract) return [];
  const found = new Set<string>();
  for (const path of piiPaths(contract.jsonSchema as Json | null)) {
    collect(value, path.split('/').filter(Boolean), found);
  }
  // Longest first, so a value that contains another is masked whole.
  return [...found].sort((a, b) => b.length - a.length);
}

function collect(value: unknown, segs: readonly string[], into: Set<string>): void {
  if (segs.length === 0) {
    if (typeof value === 'string' && value.length > 0) into.add(value);
    else if (typeof value === 'number' || typeof value === 'boolean') into.add(String(value));
    else if (typeof value === 'object' && value !== null) into.add(JSON.stringify(value));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const [head, ...rest] = segs;
  for (const [k, v] of Object.entries(value))
    if (head === '*' || head === k) collect(v, rest, into);
}

/** `text` with every occurrence of a PII value replaced by `[pii]`. */
export function maskText(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of values) if (out.includes(v)) out = out.split(v).join(PII_MASK);
  return out;
}

/** The note of one call, masked. */
export function callNote(n: CallNote, pii: readonly string[]): JsonObject {
  const t = n.tokens;
  return {
    kind: 'llm.call',
    call: n.call,
    outcome: n.outcome,
    model: n.model.modelId,
    provider: n.model.provider,
    ...(n.model.id !== n.model.modelId ? { gatewayModel: n.model.id } : {}),
    inputTokens: t.inputTokens,
    outputTokens: t.outputTokens,
    cachedInputTokens: t.cachedInputTokens,
    reasoningTokens: t.reasoningTokens,
    ...(n.costUsd !== undefined ? { costUsd: n.costUsd } : {}),
    issues: n.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: maskText(i.message, pii),
    })),
    ...(n.exchange
      ? {
          ...(n.exchange.system !== undefined ? { system: maskText(n.exchange.system, pii) } : {}),
          prompt: n.exchange.messages.map((m) => ({
            role: m.role,
            content: maskText(m.content, pii),
          })),
          response: maskText(n.exchange.response, pii),
        }
      : {}),
  };
}
