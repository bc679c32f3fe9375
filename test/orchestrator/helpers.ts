/**
 * Test helpers for runs: waiting for a run to reach a status without timed sleeps (each check
 * yields to the event loop once; the bound is a number of checks, not a duration).
 */
import type { RunStatus, Runtime } from '../../src/index.js';

/** Resolves once the run has the status; fails after `maxChecks` event-loop turns. */
export async function untilStatus(
  rt: Runtime,
  runId: string,
  status: RunStatus,
  maxChecks = 100_000,
): Promise<void> {
  for (let i = 0; i < maxChecks; i++) {
    if ((await rt.getRun(runId)).status === status) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`run ${runId} never reached ${status} (now ${(await rt.getRun(runId)).status})`);
}

/** A gate that tests open by hand. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}
