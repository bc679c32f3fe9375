/**
 * Baton contracts at LangGraph node boundaries: a node's input (the state it is given) and its
 * state update are validated against contracts, and a node whose update violates its contract
 * fails with `ContractViolationError` before the update reaches a checkpoint.
 *
 * Invariants:
 * - Validation only: the node receives the state and LangGraph receives the update exactly as
 *   they were (a contract that transforms values does not rewrite state).
 * - A failed check fails the node like any error (LangGraph records it as the task's error
 *   write; the invocation rejects with the ContractViolationError). Nothing of the update is
 *   applied or checkpointed.
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import { RunnableLambda } from '@langchain/core/runnables';
import { type Contract, InvalidArgumentError } from '../index.js';

/** The contracts of one node. */
export interface NodeContracts {
  /** Validates the state the node is given. */
  readonly input?: Contract;
  /** Validates the node's state update (a Command's `update`). */
  readonly output?: Contract;
}

/** A node function, as given to `StateGraph.addNode`. */
export type NodeFunction = (state: never, config: RunnableConfig) => unknown;

/** The part of an uncompiled LangGraph `StateGraph` that `withContracts` wraps. */
export interface GraphBuilderLike {
  readonly nodes: Record<string, { runnable: RunnableLike }>;
  compile(...args: never[]): unknown;
}

interface RunnableLike {
  invoke(input: unknown, config?: RunnableConfig): Promise<unknown>;
}

/**
 * Checks nodes against contracts. Given a map of node functions, returns a new map with the
 * named nodes wrapped; given an uncompiled `StateGraph`, wraps its named nodes in place and
 * returns it (call it before `compile`).
 * @throws InvalidArgumentError when a named node does not exist or the graph is compiled.
 * @example
 * const graph = withContracts(builder, { 'credit-score': { output: ScoreUpdate } })
 *   .compile({ checkpointer: new BatonSaver(store) });
 */
export function withContracts<G extends GraphBuilderLike>(
  graph: G,
  contracts: Readonly<Record<string, NodeContracts>>,
): G;
export function withContracts<M extends Record<string, NodeFunction>>(
  nodes: M,
  contracts: { readonly [K in keyof M]?: NodeContracts },
): M;
export function withContracts(
  target: GraphBuilderLike | Record<string, NodeFunction>,
  contracts: Readonly<Record<string, NodeContracts | undefined>>,
): unknown {
  if (isBuilder(target)) {
    for (const [node, c] of Object.entries(contracts)) {
      const spec = target.nodes[node];
      if (!spec) throw unknownNode(node, Object.keys(target.nodes));
      if (!c) continue;
      const inner = spec.runnable;
      target.nodes[node] = {
        ...spec,
        runnable: RunnableLambda.from(async (state: unknown, config?: RunnableConfig) =>
          checked(node, c, state, () => inner.invoke(state, config)),
        ),
      };
    }
    return target;
  }
  if (typeof target !== 'object' || target === null || 'invoke' in target) {
    throw new InvalidArgumentError(
      'withContracts takes an uncompiled StateGraph (call it before compile()) or a map of node functions',
      'graph',
    );
  }
  const out: Record<string, NodeFunction> = { ...target };
  for (const [node, c] of Object.entries(contracts)) {
    const fn = target[node];
    if (typeof fn !== 'function') throw unknownNode(node, Object.keys(target));
    if (!c) continue;
    out[node] = (state: never, config: RunnableConfig) =>
      checked(node, c, state, async () => fn(state, config));
  }
  return out;
}

async function checked(
  node: string,
  c: NodeContracts,
  state: unknown,
  run: () => Promise<unknown>,
): Promise<unknown> {
  c.input?.parse(state, { boundary: 'agent-input', step: node, agent: node });
  const result = await run();
  if (c.output) {
    for (const update of updatesOf(result)) {
      c.output.parse(update, { boundary: 'agent-output', step: node, agent: node });
    }
  }
  return result;
}

/** The state updates in what a node returned: the value itself, or each Command's `update`. */
function updatesOf(result: unknown): unknown[] {
  const items = Array.isArray(result) && result.every(isCommand) ? result : [result];
  return items.map((item) => (isCommand(item) ? (item.update ?? {}) : (item ?? {})));
}

function isCommand(value: unknown): value is { update?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { lg_name?: unknown }).lg_name === 'Command'
  );
}

function isBuilder(value: unknown): value is GraphBuilderLike {
  const v = value as Partial<GraphBuilderLike> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.compile === 'function' &&
    typeof v.nodes === 'object' &&
    v.nodes !== null
  );
}

function unknownNode(node: string, known: string[]): InvalidArgumentError {
  return new InvalidArgumentError(
    `withContracts: no node '${node}' (nodes: ${known.join(', ') || 'none'})`,
    'contracts',
  );
}
