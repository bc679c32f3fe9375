/**
 * Knowing when a run settles (ends, or parks for review) without polling: a Telemetry wrapper
 * that sees every drive of a run end with its status, and passes everything on to the real
 * telemetry (tracing) underneath.
 *
 * Invariants:
 * - Only drives of this process are seen; a run settled by another process is read from the store.
 * - An end seen before anyone waits is remembered, so a waiter can never miss it.
 */
import type { RunScope, RunStatus, Telemetry } from 'baton-runtime';

/** Statuses at which a drive ends for good or for a human. */
const SETTLED = new Set<string>([
  'completed',
  'failed',
  'cancelled',
  'compensated',
  'compensation_failed',
  'waiting',
]);

/** Run-end notifications on top of a telemetry. */
export interface Settler {
  /** Pass to `createRuntime({ telemetry })`. */
  readonly telemetry: Telemetry;
  /** Resolves with the status once a drive of the run ends settled (at once if it already did). */
  settled(runId: string): Promise<RunStatus>;
  /** Forgets a remembered end (before signalling a waiting run, to wait for its next end). */
  forget(runId: string): void;
}

/** Wraps `inner` (the tracing, or the no-op telemetry). */
export function createSettler(inner: Telemetry): Settler {
  const ended = new Map<string, RunStatus>();
  const waiters = new Map<string, ((s: RunStatus) => void)[]>();
  const onEnd = (runId: string, status: string): void => {
    if (!SETTLED.has(status)) return; // 'detached: ...': another process takes over
    ended.set(runId, status as RunStatus);
    const list = waiters.get(runId);
    waiters.delete(runId);
    for (const resolve of list ?? []) resolve(status as RunStatus);
  };
  const telemetry: Telemetry = {
    run(runId, attributes): RunScope {
      const scope = inner.run(runId, attributes);
      return {
        step: (name, attrs) => scope.step(name, attrs),
        event: (name, attrs) => scope.event(name, attrs),
        end(status, error) {
          scope.end(status, error);
          onEnd(runId, status);
        },
      };
    },
    breakerTransition: (t) => inner.breakerTransition(t),
    flush: () => inner.flush(),
  };
  return {
    telemetry,
    settled(runId) {
      const done = ended.get(runId);
      if (done !== undefined) return Promise.resolve(done);
      return new Promise((resolve) => {
        const list = waiters.get(runId) ?? [];
        list.push(resolve);
        waiters.set(runId, list);
      });
    },
    forget: (runId) => void ended.delete(runId),
  };
}
