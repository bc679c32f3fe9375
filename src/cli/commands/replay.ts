/**
 * `baton replay <run> --from <v> --workflows <module>`: forks a new run from a version of an
 * existing one (the parent is never touched) and drives the fork to its next stop.
 */
import type { Command } from 'commander';
import { parseLimit, parseVersion } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { DEFAULT_DRIVE_TIMEOUT_MS, printDriven, untilStopped } from '../drive.js';
import { printJson } from '../output.js';
import { loadWorkflows, withSession } from '../session.js';

interface ReplayCliOptions {
  readonly from: number;
  readonly workflows?: string;
  readonly timeout?: number;
}

/** Registers `baton replay`. */
export function registerReplay(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description('fork a new run from a version of a run and drive it')
    .argument('<run>', 'run id')
    .requiredOption('--from <version>', 'fork from the state at this version', parseVersion)
    .option(
      '--workflows <module>',
      "a module exporting the run's workflow (needed to drive the fork)",
    )
    .option(
      '--timeout <ms>',
      `drive for at most this long (default ${DEFAULT_DRIVE_TIMEOUT_MS})`,
      parseLimit,
    )
    .action(async (runId: string, opts: ReplayCliOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const workflows = await loadWorkflows(opts.workflows);
      const fork = await withSession(g, workflows, async ({ rt }) => {
        const handle = await rt.replay(runId, { fromVersion: opts.from });
        return untilStopped(rt, handle.id, opts.timeout ?? DEFAULT_DRIVE_TIMEOUT_MS);
      });
      if (g.json)
        return printJson(ctx.io, { parentRunId: runId, fromVersion: opts.from, run: fork });
      printDriven(ctx.io, `replayed run ${runId} from v${opts.from} as run ${fork.runId}`, fork);
    });
}
