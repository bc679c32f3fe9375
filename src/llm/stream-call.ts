/**
 * One model call's result, the same whether it was generated at once (`generateText`) or
 * streamed (`streamText`, when someone watches the run): streaming changes who sees the tokens
 * while they come, never the answer, the usage or the errors.
 *
 * Invariants:
 * - A streamed call forwards each text delta, in order, to `send` (the run's live watchers) and
 *   rejects with the model's error as `generateText` would (so a gateway can still fall back).
 * - Reading `output()` throws what `generateText`'s `output` throws (NoObjectGeneratedError,
 *   NoOutputGeneratedError), so the caller's handling is the same for both.
 */
import type {
  GenerateTextResult,
  ModelMessage,
  OutputInterface,
  StreamTextResult,
  ToolSet,
} from 'ai';

/** What the LLM agent reads from a finished call. */
export interface CallResult {
  readonly content: readonly { readonly type: string }[];
  /** The messages the model produced this call (tool calls and results included). */
  readonly messages: readonly ModelMessage[];
  readonly text: string;
  output(): Promise<unknown>;
}

/** A `generateText` result. */
export function settledCall(r: GenerateTextResult<ToolSet, OutputInterface<unknown>>): CallResult {
  return {
    content: r.content,
    messages: r.response.messages,
    text: r.text,
    output: async () => r.output,
  };
}

/** Consumes a `streamText` result, sending each text delta to `send`. */
export async function streamCall(
  r: StreamTextResult<ToolSet, OutputInterface<unknown>>,
  send: (text: string) => void,
): Promise<CallResult> {
  for await (const part of r.fullStream) {
    if (part.type === 'text-delta') send(part.text);
    else if (part.type === 'error') throw part.error;
  }
  const [content, response, text] = await Promise.all([r.content, r.response, r.text]);
  return { content, messages: response.messages, text, output: async () => await r.output };
}
