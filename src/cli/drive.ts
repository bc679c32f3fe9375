/**
 * Letting a run this CLI process started driving (after a signal, or a replay's fork) reach its
 * next stop before the runtime closes: closing halts local drivers, which leaves the run
 * resumable but idle until a worker claims it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunRecord, Runtime } from '../index.js';
import { type CliIo, paint, statusStyle } from './output.js';

/** How long the CLI drives a run by default before leaving it to a worker. */
export const DEFAULT_DRIVE_TIMEOUT_MS = 60_000;

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

/** Prints where a driven run stopped: its status, then its output, error or that it moves on. */
export function printDriven(io: CliIo, what: string, run: RunRecord): void {
  io.out(`${what}; status ${paint(run.status, statusStyle(run.status), io.color)}\n`);
  if (run.output !== null) io.out(`output: ${JSON.stringify(run.output)}\n`);
  if (run.error) io.out(`error: ${run.error.code}: ${run.error.message}\n`);
  if (run.status === 'waiting') io.out(`waiting for: ${run.waitingFor}\n`);
  if (MOVING.has(run.status)) {
    io.out('still running after --timeout: it stays resumable, and a worker drives it on\n');
  }
}
