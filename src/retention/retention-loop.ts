/**
 * The `retention` runtime option: prunes on a period for as long as the runtime lives. Several
 * runtimes on one store may all run it; a run pruned by one is simply gone for the others.
 */
import type { Logger } from '../agents/agent.js';
import type { StateStore } from '../ledger/store.js';
import type { Clock } from '../resilience/clock.js';
import { type PruneOptions, pruneRuns } from './prune.js';

/** Default period of the retention loop. */
export const DEFAULT_RETENTION_EVERY_MS = 3_600_000;

/** Prunes every `everyMs` until `signal` aborts; failures are logged and retried next period. */
export async function retentionLoop(
  core: { readonly store: StateStore; readonly clock: Clock; readonly logger: Logger },
  options: PruneOptions,
  everyMs: number | undefined,
  signal: AbortSignal,
): Promise<void> {
  const period = everyMs ?? DEFAULT_RETENTION_EVERY_MS;
  while (!signal.aborted) {
    try {
      const report = await pruneRuns(core.store, core.clock.now(), options, 'retention');
      if (report.runIds.length > 0)
        core.logger.info('retention pruned runs', { pruned: report.runIds.length });
    } catch (e) {
      if (!signal.aborted)
        core.logger.warn('retention pass failed; retrying', { error: String(e) });
    }
    try {
      await core.clock.sleep(period, signal);
    } catch {
      return;
    }
  }
}
