/**
 * What an LLM agent's model call offers a gateway's response cache: its prompt and parameters
 * as JSON (the key, with the model), and whether the settings make the answer reproducible.
 * Built only for calls without tools (see response-cache.ts for why).
 */
import type { ModelMessage } from 'ai';
import type { Json } from '../index.js';
import type { CacheableCall } from './model-call.js';

/** The cacheable description of one call. */
export function cacheableCall(
  outputContract: string,
  settings: { readonly temperature?: number; readonly seed?: number },
  system: string | undefined,
  messages: readonly ModelMessage[],
): CacheableCall {
  const prompt = JSON.parse(
    JSON.stringify({ output: outputContract, settings, system: system ?? null, messages }),
  ) as Json;
  // A provider's default temperature is usually above 0: only an explicit 0 or a seed counts.
  const deterministic = settings.temperature === 0 || settings.seed !== undefined;
  return { prompt, deterministic };
}
