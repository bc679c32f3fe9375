/**
 * `llmAgent`: an agent whose `execute` asks a language model, through the AI SDK, for output
 * bound to its output contract. It is a plain Baton agent (built with `agent()`), so contracts,
 * policies, breakers, the journal, versions, replay and bisect apply to it unchanged.
 */
import type { LanguageModel } from 'ai';
import {
  type Agent,
  type AgentDefinition,
  agent,
  type Contract,
  canonicalJson,
  type DeepReadonly,
  InvalidDefinitionError,
  type Policy,
} from '../index.js';
import { type Budget, validateBudget } from './budget.js';
import { type GatewayModel, isGatewayModel } from './gateway.js';
import { type LlmCallSettings, type LlmPlan, runLlm } from './generate.js';
import type { Guard } from './guards.js';
import { describeModel, type ModelInvoker } from './model-call.js';
import { type PriceTable, validatePrices } from './pricing.js';
import { outputSchema, type ToolAgent, type ToolOptions, toolSpecs } from './schema.js';

/** What `llmAgent()` takes. */
export interface LlmAgentOptions<I, O, P extends Policy | undefined = undefined> {
  readonly name: string;
  /** Semantic version; bump it when the prompt, the model or the settings change. */
  readonly version: string;
  readonly description?: string;
  /** Any AI SDK language model, or a model of a gateway (`gateway.model(id)`). */
  readonly model: LanguageModel | GatewayModel;
  readonly input: Contract<I>;
  /** The answer's contract: its JSON Schema goes to the model, and it validates the answer. */
  readonly output: Contract<O>;
  /** The system message. */
  readonly instructions?: string | ((input: DeepReadonly<I>) => string);
  /** The user message for an input (default: the input as JSON). */
  readonly prompt?: (input: DeepReadonly<I>) => string;
  /**
   * Baton agents the model may call as tools, by tool name; `{ agent, needsApproval,
   * irreversible }` for a tool that waits for a human's approval (see the README).
   */
  readonly tools?: Readonly<Record<string, ToolAgent | ToolOptions>>;
  /** Model steps per call, tool round trips included (default 5 with tools, else 1). */
  readonly maxSteps?: number;
  /** Tool errors (unknown tool, bad input, a tool that threw) tolerated per execution (default 3). */
  readonly maxToolErrors?: number;
  readonly guards?: readonly Guard<NoInfer<I>, NoInfer<O>>[];
  /** Calls after the first when the answer fails its contract or a re-asking guard (default 2). */
  readonly maxReasks?: number;
  /** Limits on one execution (all its calls and re-asks). */
  readonly budget?: Budget;
  /** Prices by model id, for the cost on spans and cost budgets (a gateway model's own wins). */
  readonly prices?: PriceTable;
  readonly settings?: LlmCallSettings;
  readonly policy?: P;
  readonly evaluate?: AgentDefinition<I, O, P>['evaluate'];
  readonly compensate?: AgentDefinition<I, O, P>['compensate'];
}

/**
 * Defines an agent backed by a language model.
 * @throws InvalidDefinitionError naming the agent and the option at fault.
 * @example
 * const explain = llmAgent({
 *   name: 'explain', version: '1.0.0', model: openai('gpt-4o-mini'),
 *   input: Decision, output: Explanation,
 *   instructions: 'Explain the decision to the applicant using only the given risk factors.',
 *   prompt: (d) => JSON.stringify(d),
 * });
 */
export function llmAgent<I, O, const P extends Policy | undefined = undefined>(
  options: LlmAgentOptions<I, O, P>,
): Agent<I, O, P> {
  const plan = resolvePlan(options);
  return agent<I, O, P>({
    name: options.name,
    version: options.version,
    input: options.input,
    output: options.output,
    execute: (input, ctx) => runLlm(plan, input, ctx),
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.policy !== undefined ? { policy: options.policy } : {}),
    ...(options.evaluate !== undefined ? { evaluate: options.evaluate } : {}),
    ...(options.compensate !== undefined ? { compensate: options.compensate } : {}),
  });
}

/** A model called directly, with no gateway in between. */
export function directInvoker(model: LanguageModel): ModelInvoker {
  const resolved = { ...describeModel(model), model, price: undefined };
  const target = { ...resolved, id: resolved.modelId };
  return {
    async invoke(_request, fn) {
      return { ...(await fn(target)), model: target };
    },
  };
}

function resolvePlan<I, O, P extends Policy | undefined>(
  o: LlmAgentOptions<I, O, P>,
): LlmPlan<I, O> {
  const label = `llm agent '${String(o?.name)}@${String(o?.version)}'`;
  const bad = (msg: string): never => {
    throw new InvalidDefinitionError(`${label}: ${msg}`, label);
  };
  if (typeof o !== 'object' || o === null) bad('llmAgent() expects an options object');
  if (o.model === undefined || o.model === null)
    bad('model must be an AI SDK model or a gateway model');
  if (o.prompt !== undefined && typeof o.prompt !== 'function') bad('prompt must be a function');
  const instructions = o.instructions;
  if (instructions !== undefined && !['string', 'function'].includes(typeof instructions))
    bad('instructions must be a string or a function');
  const count = (
    k: 'maxSteps' | 'maxToolErrors' | 'maxReasks',
    min: number,
  ): number | undefined => {
    const v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= min))
      bad(`${k} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  if (o.tools !== undefined) {
    if (typeof o.tools !== 'object' || o.tools === null) bad('tools must be an object of agents');
    for (const [name, t] of Object.entries(o.tools)) checkTool(name, t, bad);
  }
  if (o.guards !== undefined && !Array.isArray(o.guards)) bad('guards must be an array');
  for (const [i, g] of (o.guards ?? []).entries()) {
    const ok =
      (g?.stage === 'input' && typeof g.checkPrompt === 'function') ||
      (g?.stage === 'output' && typeof g.checkOutput === 'function') ||
      (g?.stage === 'tool' && Array.isArray(g.irreversible));
    if (!ok)
      bad(
        `guards[${i}] must be { name, stage: 'input', checkPrompt }, { name, stage: 'output', checkOutput } or irreversibleTools([...])`,
      );
  }
  try {
    validateBudget(o.budget, 'budget');
    validatePrices(o.prices, 'prices');
  } catch (e) {
    bad((e as Error).message);
  }
  const hasTools = o.tools !== undefined && Object.keys(o.tools).length > 0;
  const denied = new Set(
    (o.guards ?? []).flatMap((g) => (g.stage === 'tool' ? g.irreversible : [])),
  );
  const tools = hasTools && o.tools ? toolSpecs(o.tools, denied) : undefined;
  for (const t of tools ?? []) {
    if (t.irreversible && (t.needsApproval === undefined || t.needsApproval === false))
      bad(`tool '${t.name}' is irreversible, so it must have needsApproval`);
  }
  for (const name of denied)
    if (!tools?.some((t) => t.name === name)) bad(`irreversibleTools names no tool '${name}'`);
  return {
    agentId: `${o.name}@${o.version}`,
    invoker: isGatewayModel(o.model) ? o.model : directInvoker(o.model),
    output: o.output,
    schema: outputSchema(o.output),
    instructions:
      typeof instructions === 'string' ? () => instructions : (instructions ?? undefined),
    prompt: o.prompt ?? ((input) => canonicalJson(input)),
    tools,
    approvals: tools?.some((t) => t.needsApproval !== undefined && t.needsApproval !== false),
    maxSteps: count('maxSteps', 1) ?? (hasTools ? 5 : 1),
    maxToolErrors: count('maxToolErrors', 0) ?? 3,
    maxReasks: count('maxReasks', 0) ?? 2,
    guards: o.guards ?? [],
    budget: o.budget,
    prices: o.prices,
    settings: o.settings ?? {},
  };
}

/** Checks one `tools` entry: an agent, or `{ agent, needsApproval?, irreversible? }`. */
function checkTool(name: string, t: unknown, bad: (msg: string) => never): void {
  const entry = t as Partial<ToolOptions> & { kind?: unknown };
  if (entry?.kind === 'agent') return;
  if (typeof entry !== 'object' || entry === null || entry.agent?.kind !== 'agent')
    bad(`tools.${name} must be an agent or { agent, needsApproval?, irreversible? }`);
  const n = entry.needsApproval;
  if (n !== undefined && typeof n !== 'boolean' && typeof n !== 'function')
    bad(`tools.${name}.needsApproval must be a boolean or a function of the tool input`);
  if (entry.irreversible !== undefined && typeof entry.irreversible !== 'boolean')
    bad(`tools.${name}.irreversible must be a boolean`);
}
