/**
 * The seam between LLM agents and the models they call: a plain AI SDK model is called
 * directly; a gateway model goes through the gateway's limits, breakers, fallbacks and run
 * budget. Both look the same to the caller.
 */
import type { LanguageModel } from 'ai';
import type { Json } from '../index.js';
import type { ModelPrice, TokenCount } from './pricing.js';

/** The model a call actually went to. */
export interface ResolvedModel {
  /** The gateway id, or the provider's model id for a plain model. */
  readonly id: string;
  /** The provider's model id (`gen_ai.request.model`). */
  readonly modelId: string;
  /** The provider's name (`gen_ai.provider.name`), e.g. 'openai'. */
  readonly provider: string;
  readonly model: LanguageModel;
  readonly price: ModelPrice | undefined;
}

/** What one call needs from the caller. */
export interface ModelCallRequest {
  /** The run the call is made for (run budgets are counted per run). */
  readonly runId: string;
  /** Tokens the call is expected to use, reserved against token limits until it ends. */
  readonly estimateTokens: number;
  readonly signal?: AbortSignal;
  /** Set when the call may be answered from a gateway's response cache (response-cache.ts). */
  readonly cache?: CacheableCall;
}

/** What makes a call cacheable, given by the caller (the LLM agent's execution). */
export interface CacheableCall {
  /** The prompt and parameters as JSON; with the model, the cache key. */
  readonly prompt: Json;
  /** True when the settings make the answer reproducible (temperature 0, or a seed). */
  readonly deterministic: boolean;
}

/** What a call returns: the caller's value and the tokens it used. */
export interface ModelCallResult<R> {
  readonly value: R;
  readonly tokens: TokenCount;
  /** The call's cost when the caller knows it (else the gateway prices it). */
  readonly costUsd?: number | undefined;
}

/** A model call made through an invoker, with the model that answered and its cost. */
export interface InvokedCall<R> extends ModelCallResult<R> {
  readonly model: ResolvedModel;
  /** True when a response cache answered: no model was called, nothing was spent. */
  readonly cached?: boolean;
}

/**
 * Calls a model: `fn` receives the model to use and rejects only when the model failed (a
 * transport or provider error), which is what makes a gateway fall back to the next one.
 */
export interface ModelInvoker {
  invoke<R>(
    request: ModelCallRequest,
    fn: (model: ResolvedModel) => Promise<ModelCallResult<R>>,
  ): Promise<InvokedCall<R>>;
}

/** The provider's model id and provider name of any AI SDK model. */
export function describeModel(model: LanguageModel): { modelId: string; provider: string } {
  if (typeof model === 'string') {
    // A string id goes to the AI SDK's default provider (its hosted gateway): 'openai/gpt-4o'.
    const slash = model.indexOf('/');
    return { modelId: model, provider: slash > 0 ? model.slice(0, slash) : 'gateway' };
  }
  // Providers name themselves 'openai.chat', 'anthropic.messages', 'local.chat', ...
  const dot = model.provider.indexOf('.');
  return {
    modelId: model.modelId,
    provider: dot > 0 ? model.provider.slice(0, dot) : model.provider,
  };
}
