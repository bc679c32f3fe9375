/**
 * Builds the internals every part of one runtime shares (`RuntimeCore`): store, group
 * committers, clock, guards (with breakers recorded in the store or shared through it), policy
 * resolution, telemetry and the saga that undoes failed runs.
 */

import { hostname } from 'node:os';
import { PiiCodec } from '../governance/pii-codec.js';
import { DEFAULT_MAX_SLOT_BYTES } from '../ledger/versions.js';
import type { ChildRuns } from '../orchestrator/child-step.js';
import { GroupCommitter, GroupCreator } from '../orchestrator/group-commit.js';
import { LiveFeed } from '../orchestrator/live-feed.js';
import type { Alert } from '../orchestrator/run-types.js';
import { type RuntimeCore, silentLogger } from '../orchestrator/runtime-core.js';
import type { StepSpec } from '../orchestrator/workflow.js';
import { systemClock } from '../resilience/clock.js';
import { createGuardRegistry } from '../resilience/guard-registry.js';
import { type ResolvedPolicy, resolvePolicy } from '../resilience/policy.js';
import { createSharedBreakerFactory } from '../resilience/shared-breaker.js';
import { SAGA } from '../saga/saga-compensator.js';
import { noopTelemetry } from '../tracing/telemetry.js';
import type { RuntimeOptions } from './runtime-types.js';

/** Creates the shared internals of a runtime; `alert` receives every alert the parts raise. */
export function createRuntimeCore(
  options: RuntimeOptions,
  alert: (a: Alert) => void,
  children?: ChildRuns,
): RuntimeCore {
  const clock = options.clock ?? systemClock;
  const store = options.store;
  const telemetry = options.telemetry ?? noopTelemetry;
  const logger = options.logger ?? silentLogger;
  const policies = new WeakMap<StepSpec, ResolvedPolicy>();
  // In memory a batch needs no wait; on disk, waiting one turn lets many runs share an fsync.
  const schedule = store.kind === 'memory' ? 'microtask' : 'immediate';
  const owner =
    options.owner ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const shared = options.sharedBreakers;
  const guards = createGuardRegistry({
    clock,
    ...(options.policy ? { defaults: options.policy } : {}),
    ...(options.random ? { random: options.random } : {}),
    // Fleet-wide breakers: state shared through the store, one probe per reset for the fleet.
    ...(shared
      ? {
          breakerFactory: createSharedBreakerFactory({
            store,
            instance: owner,
            ...(typeof shared === 'object' && shared.syncMs !== undefined
              ? { syncMs: shared.syncMs }
              : {}),
          }),
        }
      : {}),
    onTransition: (t) => {
      // Every transition is emitted for tracing and recorded in the store with time and reason
      // (a shared breaker records its own transitions, for the fleet to read).
      telemetry.breakerTransition(t);
      if (shared) return undefined;
      return store
        .appendRecords([{ kind: 'breaker', key: t.breaker, runId: null, at: t.at, body: { ...t } }])
        .catch((e: unknown) =>
          logger.warn('recording a breaker transition failed', { error: String(e) }),
        );
    },
  });
  return {
    store,
    committer: new GroupCommitter(store, schedule),
    creator: new GroupCreator(store, schedule),
    clock,
    logger,
    owner,
    leaseMs: options.leaseMs ?? 30_000,
    maxSlotBytes: options.maxSlotBytes ?? DEFAULT_MAX_SLOT_BYTES,
    defaults: options.policy,
    guards,
    random: options.random ?? Math.random,
    telemetry,
    compensator: SAGA,
    live: new LiveFeed(),
    ...(children ? { children } : {}),
    ...(options.piiEncryption
      ? { pii: new PiiCodec(store, options.piiEncryption, () => clock.now()) }
      : {}),
    alert,
    policyFor: (wf, step) => {
      // Keyed by the (frozen) step spec: a definition's policies never change.
      let resolved = policies.get(step);
      if (!resolved) {
        resolved = resolvePolicy(options.policy, wf.policy, step.agent?.policy, step.policy);
        policies.set(step, resolved);
      }
      return resolved;
    },
  };
}

/** Delivers an alert to the logger and the `onAlert` hook; a failing hook is logged, never thrown. */
export function deliverAlert(options: RuntimeOptions, core: RuntimeCore, alert: Alert): void {
  core.logger.warn(alert.message, { ...alert });
  if (!options.onAlert) return;
  try {
    Promise.resolve(options.onAlert(alert)).catch((e: unknown) =>
      core.logger.error('onAlert hook failed', { error: String(e) }),
    );
  } catch (e) {
    core.logger.error('onAlert hook failed', { error: String(e) });
  }
}
