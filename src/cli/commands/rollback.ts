/**
 * `baton rollback <run> <version> --workflows <module>`: appends a version equal to an older
 * one (history is never rewritten) and drives the run on from there to its next stop.
 */
import type { Command } from 'commander';
import { parseLimit, parseVersion } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { DEFAULT_DRIVE_TIMEOUT_MS, printDriven, untilStopped } from '../drive.js';
import { printJson } from '../output.js';
import { loadWorkflows, withSession } from '../session.js';

interface RollbackCliOptions {
  readonly workflows?: string;
  readonly timeout?: number;
}

/** Registers `baton rollback`. */
export function registerRollback(program: Command, ctx: CliContext): void {
  program
    .command('rollback')
    .description('append a version equal to an older one and drive the run on from there')
    .argument('<run>', 'run id')
    .argument('<version>', 'the version to roll back to', parseVersion)
    .requiredOption('--workflows <module>', "a module exporting the run's workflow")
    .option(
      '--timeout <ms>',
      `drive for at most this long (default ${DEFAULT_DRIVE_TIMEOUT_MS})`,
      parseLimit,
    )
    .action(async (runId: string, version: number, opts: RollbackCliOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const workflows = await loadWorkflows(opts.workflows);
      const result = await withSession(g, workflows, async ({ rt }) => {
        const snapshot = await rt.rollback(runId, version);
        const run = await untilStopped(rt, runId, opts.timeout ?? DEFAULT_DRIVE_TIMEOUT_MS);
        return { rollbackVersion: snapshot.version, run };
      });
      if (g.json) return printJson(ctx.io, { runId, toVersion: version, ...result });
      printDriven(
        ctx.io,
        `rolled run ${runId} back to v${version} (as v${result.rollbackVersion})`,
        result.run,
      );
    });
}
