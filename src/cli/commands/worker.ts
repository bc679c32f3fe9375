/**
 * `baton worker --workflows <module> [--concurrency N]`: a long-running worker that claims
 * queued (`rt.submit`) and orphaned runs of the workflows the module exports, holds a lease on
 * each (renewed by heartbeats), and on SIGTERM or SIGINT drains gracefully: it claims nothing
 * new, lets the runs in hand finish or park, then exits 0.
 */
import type { Command } from 'commander';
import { parseLimit } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { library } from '../library.js';
import { loadWorkflows, openStore } from '../session.js';

interface WorkerCliOptions {
  readonly workflows: string;
  readonly concurrency?: number;
  readonly leaseMs?: number;
}

/** Registers `baton worker`. */
export function registerWorker(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('claim and drive queued and orphaned runs until SIGTERM (graceful drain)')
    .requiredOption('--workflows <module>', 'a module exporting the workflows to run')
    .option('--concurrency <n>', 'runs driven at once (default 32)', parseLimit)
    .option(
      '--lease-ms <ms>',
      'lease length; a dead worker is taken over after it (default 30000)',
      parseLimit,
    )
    .action(async (opts: WorkerCliOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const workflows = await loadWorkflows(opts.workflows);
      const { createRuntime } = await library();
      const store = await openStore(g.store, 'write', g.schema);
      const rt = createRuntime({
        store,
        workflows,
        resume: false,
        ...(opts.leaseMs !== undefined ? { leaseMs: opts.leaseMs } : {}),
      });
      await rt.ready();
      const worker = rt.startWorker({ concurrency: opts.concurrency ?? 32 });
      ctx.io.out(
        `worker ${worker.owner} started: ${workflows.map((w) => `${w.name}@${w.version}`).join(', ')}\n`,
      );
      const stop = new Promise<string>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      const signal = await stop;
      ctx.io.out(`${signal}: draining ${worker.active()} run(s)\n`);
      await worker.drain();
      await rt.close();
      ctx.io.out('drained; bye\n');
    });
}
