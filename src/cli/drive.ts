/**
 * Letting a run this CLI process started driving (after a signal, or a replay's fork) reach its
 * next stop before the runtime closes: closing halts local drivers, which leaves the run
 * resumable but idle until a worker claims it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunRecord, Runtime } from '../index.js';

/** Statuses in which a driver is still working on the run. */
const MOVING = new Set(['pending', 'running', 'compensating']);

/** How often the store is read while waiting (the CLI is a client; a short poll is fine here). */
const POLL_MS = 20;

/**
 * Waits until the run ends or parks (waiting), or `timeoutMs` passes; returns its latest record.
 */
export async function untilStopped(
  rt: Runtime,
  runId: string,
  timeoutMs: number,
): Promise<RunRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await rt.getRun(runId);
    if (!MOVING.has(run.status) || Date.now() >= deadline) return run;
    await sleep(POLL_MS);
  }
}
