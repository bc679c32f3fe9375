/**
 * Token counts and what they cost. Prices are the application's (providers change them, and
 * negotiated rates differ), given per million tokens in USD.
 *
 * Invariants:
 * - Counts a provider does not report are 0, never NaN.
 * - Cached input tokens are part of the input count; they are billed at `cachedInput` when the
 *   price says so, else at `input`.
 */
import { InvalidArgumentError } from '../index.js';

/** What one model costs, in USD per million tokens. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
  /** Price of input tokens read from a prompt cache (default: `input`). */
  readonly cachedInput?: number;
}

/** Prices by model id (the provider's id, e.g. 'gpt-4o-mini', or a gateway id). */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** Tokens used by one or more model calls. */
export interface TokenCount {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly reasoningTokens: number;
}

/** No tokens. */
export const ZERO_TOKENS: TokenCount = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  reasoningTokens: 0,
});

/** The sum of two counts. */
export function addTokens(a: TokenCount, b: TokenCount): TokenCount {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
  };
}

/** Input plus output tokens. */
export const totalTokens = (t: TokenCount): number => t.inputTokens + t.outputTokens;

/** The cost of `tokens` at `price`, in USD (undefined without a price). */
export function costOf(tokens: TokenCount, price: ModelPrice | undefined): number | undefined {
  if (!price) return undefined;
  const cached = Math.min(tokens.cachedInputTokens, tokens.inputTokens);
  const usd =
    (tokens.inputTokens - cached) * price.input +
    cached * (price.cachedInput ?? price.input) +
    tokens.outputTokens * price.output;
  // Rounded to a billionth of a dollar, so sums of many calls do not show float noise.
  return Math.round(usd * 1000) / 1e9;
}

/**
 * Checks a price table.
 * @throws InvalidArgumentError naming the model and field at fault.
 */
export function validatePrices(prices: unknown, argument: string): void {
  if (prices === undefined) return;
  if (typeof prices !== 'object' || prices === null)
    throw new InvalidArgumentError(`${argument} must be an object of prices by model`, argument);
  for (const [model, price] of Object.entries(prices)) validatePrice(price, `${argument}.${model}`);
}

/** Checks one price. @throws InvalidArgumentError */
export function validatePrice(price: unknown, argument: string): void {
  if (price === undefined) return;
  const p = price as Partial<Record<keyof ModelPrice, unknown>> | null;
  if (typeof p !== 'object' || p === null)
    throw new InvalidArgumentError(`${argument} must be { input, output, cachedInput? }`, argument);
  for (const k of ['input', 'output', 'cachedInput'] as const) {
    const v = p[k];
    if (v === undefined && k === 'cachedInput') continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new InvalidArgumentError(
        `${argument}.${k} must be a price in USD per million tokens (>= 0), got ${JSON.stringify(v)}`,
        argument,
      );
    }
  }
}
