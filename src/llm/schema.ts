/**
 * Contracts as the AI SDK sees them: the JSON Schema sent to the provider, and tools made of
 * Baton agents.
 *
 * Invariants:
 * - The provider gets the contract's JSON Schema in draft-07 (what providers' structured-output
 *   modes accept); rules it cannot carry (refinements) are checked afterwards by the contract,
 *   and their messages are what a re-ask tells the model.
 * - The AI SDK never validates a model's output here: it only parses the JSON, so every
 *   validation issue comes from the contract, in Baton's own words.
 * - A tool's input is validated by its contract before the tool runs; a failure becomes a
 *   tool error the model sees (and that counts against the agent's tool-error bound).
 */
import { type JSONSchema7, jsonSchema, type Schema, type Tool, tool } from 'ai';
import {
  type AgentContext,
  AgentFailedError,
  type AgentSpan,
  type Contract,
  GuardViolationError,
} from '../index.js';
import { deepFreeze } from '../ledger/json.js';

/** A Baton agent used as a tool: contract in, contract out. */
export interface ToolAgent {
  readonly kind: 'agent';
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly input: Contract<unknown>;
  readonly output: Contract<unknown>;
  readonly execute: (input: never, ctx: AgentContext) => unknown;
}

/** The contract's JSON Schema for a provider (draft-07), or an open object when it has none. */
export function providerSchema(contract: Contract<unknown>): JSONSchema7 {
  const std = contract.schema['~standard'] as {
    jsonSchema?: { output?: (o: { target: string }) => unknown };
  };
  try {
    const out = std.jsonSchema?.output?.({ target: 'draft-07' });
    if (typeof out === 'object' && out !== null) {
      const { $schema: _drop, ...rest } = out as Record<string, unknown>;
      return rest as JSONSchema7;
    }
  } catch {
    // Fall through to the stored schema.
  }
  if (contract.jsonSchema) {
    const { $schema: _drop, ...rest } = contract.jsonSchema as Record<string, unknown>;
    return rest as JSONSchema7;
  }
  return { type: 'object' };
}

/** An AI SDK schema that only carries the JSON Schema: the contract validates afterwards. */
export function outputSchema(contract: Contract<unknown>): Schema<unknown> {
  return jsonSchema(providerSchema(contract), {
    validate: (value) => ({ success: true, value }),
  });
}

/**
 * A tool agent with options: `needsApproval` makes each call (or each call whose input the
 * predicate picks) wait durably for a human's approval; `irreversible` tools can never run
 * without one.
 */
export interface ToolOptions {
  readonly agent: ToolAgent;
  readonly needsApproval?: boolean | ((input: unknown) => boolean | Promise<boolean>);
  readonly irreversible?: boolean;
}

/** A tool agent with its provider schema, computed once when the LLM agent is defined. */
export interface ToolSpec {
  readonly name: string;
  readonly agent: ToolAgent;
  readonly schema: JSONSchema7;
  readonly needsApproval: ToolOptions['needsApproval'];
  readonly irreversible: boolean;
}

/** The tool specs of an agent's `tools` option (`irreversible`: names a deny-list adds). */
export function toolSpecs(
  tools: Readonly<Record<string, ToolAgent | ToolOptions>>,
  irreversible: ReadonlySet<string> = new Set(),
): ToolSpec[] {
  return Object.entries(tools).map(([name, t]) => {
    const o: ToolOptions = 'kind' in t && t.kind === 'agent' ? { agent: t } : (t as ToolOptions);
    return {
      name,
      agent: o.agent,
      schema: providerSchema(o.agent.input),
      needsApproval: o.needsApproval,
      irreversible: o.irreversible === true || irreversible.has(name),
    };
  });
}

/** The calls a human approved in this execution, and the refusal of an unapproved one. */
export interface ToolApprovals {
  readonly agentId: string;
  readonly approved: ReadonlySet<string>;
  /** Set when an irreversible tool was about to run without approval (the step then fails). */
  violation?: GuardViolationError;
  /** Set when a `needsApproval` predicate threw (the step then fails with it). */
  predicateFailed?: AgentFailedError;
}

/**
 * A tool's `needsApproval`, failing closed: a predicate that throws asks for approval (so the
 * tool cannot run unapproved) and records the failure, which then fails the step — the AI SDK
 * would otherwise feed it to the model as a tool error and carry on.
 */
function approvalRule(
  name: string,
  needsApproval: ToolOptions['needsApproval'],
  approvals: ToolApprovals | undefined,
): ToolOptions['needsApproval'] {
  if (typeof needsApproval !== 'function') return needsApproval;
  return async (input) => {
    try {
      return await needsApproval(input);
    } catch (e) {
      if (approvals && !approvals.predicateFailed)
        approvals.predicateFailed = new AgentFailedError(
          `tool '${name}': its needsApproval predicate threw: ${e instanceof Error ? e.message : String(e)}`,
          { cause: e, retryable: false },
        );
      return true;
    }
  };
}

/**
 * Tools for the AI SDK, made of Baton agents; each tool's input is checked by its contract.
 * `span` opens the `execute_tool` span of a call (ended here, failed when the tool threw).
 */
export function agentTools(
  specs: readonly ToolSpec[],
  ctx: AgentContext,
  approvals?: ToolApprovals,
  span?: (name: string, toolCallId: string) => AgentSpan | undefined,
): Record<string, Tool> {
  const out: Record<string, Tool> = {};
  for (const { name, agent, schema, needsApproval, irreversible } of specs) {
    out[name] = tool({
      ...(needsApproval !== undefined
        ? { needsApproval: approvalRule(name, needsApproval, approvals) }
        : {}),
      description: agent.description ?? `${agent.id}`,
      inputSchema: jsonSchema(schema, {
        validate: (value) => {
          const r = agent.input.validate(value);
          if (r.ok) return { success: true, value: r.value };
          const list = r.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
          return {
            success: false,
            error: new Error(`input violates contract '${agent.input.id}': ${list.join('; ')}`),
          };
        },
      }),
      execute: async (input: unknown, { toolCallId }: { toolCallId: string }) => {
        if (irreversible && !approvals?.approved.has(toolCallId)) {
          const why = `irreversible tool '${name}' called without a human's approval`;
          const refusal = new GuardViolationError(
            'irreversible-tools',
            'tool',
            why,
            approvals?.agentId,
          );
          if (approvals) approvals.violation = refusal;
          throw refusal;
        }
        const traced = span?.(name, toolCallId);
        try {
          const value = await agent.execute(deepFreeze(input) as never, ctx);
          const out = agent.output.parse(value, { boundary: 'agent-output', agent: agent.id });
          traced?.end();
          return out;
        } catch (e) {
          traced?.end(e);
          throw e;
        }
      },
    });
  }
  return out;
}
