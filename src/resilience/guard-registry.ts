/**
 * One guard per agent id per runtime: every run of the runtime shares the agent's breaker,
 * bulkhead and rate limiter, so limits hold across runs and one sick agent is isolated once.
 *
 * Invariants:
 * - `guard(id)` returns the same guard for the same id for the registry's lifetime; the policy
 *   layers given on the first call fix that guard's policy (an agent version's policy is fixed).
 * - `breakers()` lists every guard that has a breaker, sorted by name.
 */
import { createAbortLinker } from './abort-link.js';
import type { AgentGuard } from './agent-guard.js';
import { createAgentGuard } from './agent-guard.js';
import type { BreakerSnapshot, BreakerTransitionListener } from './circuit-breaker.js';
import { type Clock, systemClock } from './clock.js';
import { type Policy, resolvePolicy } from './policy.js';
import type { BreakerFactory } from './shared-breaker.js';

/** Options of {@link createGuardRegistry}. */
export interface GuardRegistryOptions {
  readonly clock?: Clock;
  /** Runtime-level policy defaults, under every agent's own policy. */
  readonly defaults?: Policy;
  readonly random?: () => number;
  readonly onTransition?: BreakerTransitionListener;
  /** Builds each breaker (default: local to this runtime). */
  readonly breakerFactory?: BreakerFactory;
}

/** Hands out the guards of one runtime. */
export interface GuardRegistry {
  /**
   * The guard of agent `agentId` (usually `name@version`), created on first use from the
   * registry defaults overlaid with `layers` (most specific last).
   */
  guard(agentId: string, ...layers: readonly (Policy | undefined)[]): AgentGuard;
  /** Every breaker's state, sorted by name. */
  breakers(): BreakerSnapshot[];
  /** Ids of the agents that have a guard. */
  ids(): string[];
}

/** Creates a registry of guards sharing one clock and one transition listener. */
export function createGuardRegistry(options: GuardRegistryOptions = {}): GuardRegistry {
  const clock = options.clock ?? systemClock;
  const guards = new Map<string, AgentGuard>();
  // One listener per run signal for the whole runtime, however many agents share it.
  const link = createAbortLinker();
  return {
    guard(agentId, ...layers) {
      let g = guards.get(agentId);
      if (!g) {
        g = createAgentGuard({
          name: agentId,
          policy: resolvePolicy(options.defaults, ...layers),
          clock,
          link,
          ...(options.random ? { random: options.random } : {}),
          ...(options.onTransition ? { onTransition: options.onTransition } : {}),
          ...(options.breakerFactory ? { breakerFactory: options.breakerFactory } : {}),
        });
        guards.set(agentId, g);
      }
      return g;
    },
    breakers() {
      const out: BreakerSnapshot[] = [];
      for (const g of guards.values()) if (g.breaker) out.push(g.breaker.snapshot());
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    ids: () => [...guards.keys()],
  };
}
