/**
 * The seam between the runner and each implementation of the workload (Baton, LangGraph).
 */
import { type App, type Decision, runPool, type StepMode } from './workload.js';

/** What an implementation is built with. */
export interface ImplOptions {
  readonly mode: StepMode;
  /** A SQLite file for durable lines, or null for no persistence. */
  readonly dbPath: string | null;
}

/** One implementation of the workload, ready to run applications. */
export interface BenchImpl {
  /** What runs, for the report (e.g. 'langgraph+SqliteSaver'). */
  readonly label: string;
  /** Runs the workflow for one application to completion and returns its decision. */
  run(app: App, index: number): Promise<Decision>;
  /** Releases files and handles. */
  close(): Promise<void>;
  /**
   * Durable lines: checks, after `close`, that the file holds all `runs` runs, so a durable
   * figure cannot come from writes that never happened. @throws Error when some are missing.
   */
  verifyStored?(dbPath: string, runs: number): void;
}

/**
 * Runs every application through `impl` with `inFlight` at once, then closes it (for tests of
 * the implementations); returns the decisions by application index.
 */
export async function decideAll(
  impl: BenchImpl,
  apps: readonly App[],
  inFlight: number,
): Promise<(Decision | undefined)[]> {
  const out = new Array<Decision | undefined>(apps.length);
  try {
    await runPool(apps.length, inFlight, async (i) => {
      out[i] = await impl.run(apps[i]!, i);
    });
  } finally {
    await impl.close();
  }
  return out;
}
