/**
 * `baton cancel <run>`: cancels a run that has not ended (it appends a cancellation marker
 * version, fencing whoever drives it).
 */
import type { Command } from 'commander';
import { type CliContext, globalOptions } from '../context.js';
import { printJson } from '../output.js';
import { withSession } from '../session.js';

/** Registers `baton cancel`. */
export function registerCancel(program: Command, ctx: CliContext): void {
  program
    .command('cancel')
    .description('cancel a run that has not ended')
    .argument('<run>', 'run id')
    .action(async (runId: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { before, after } = await withSession(g, [], async ({ rt }) => {
        const before = (await rt.getRun(runId)).status;
        await rt.cancel(runId);
        return { before, after: (await rt.getRun(runId)).status };
      });
      if (g.json) return printJson(ctx.io, { runId, previousStatus: before, status: after });
      ctx.io.out(
        before === after
          ? `run ${runId} had already ended (${after}); nothing to cancel\n`
          : `run ${runId} cancelled (was ${before})\n`,
      );
    });
}
