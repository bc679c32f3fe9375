/**
 * `baton verify <run>`: checks a run's hash chain. Exit code 1 when it is broken, naming the
 * first version that does not verify.
 */
import type { Command } from 'commander';
import { type CliContext, globalOptions } from '../context.js';
import { paint, printJson } from '../output.js';
import { withSession } from '../session.js';

/** Registers `baton verify`. */
export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description("check a run's hash chain (exit code 1 when it is broken)")
    .argument('<run>', 'run id')
    .action(async (runId: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const result = await withSession(g, [], ({ rt }) => rt.verify(runId), 'read');
      if (!result.ok) ctx.exitCode = 1;
      if (g.json) return printJson(ctx.io, { runId, ...result });
      if (result.ok) {
        ctx.io.out(
          `${paint('ok', 'green', ctx.io.color)}: run ${runId}, ${result.versions} versions verify, head hash ${result.headHash}\n`,
        );
      } else {
        ctx.io.out(
          `${paint('BROKEN', 'red', ctx.io.color)}: run ${runId}, chain broken at version ${result.brokenAt}: ${result.reason}\n`,
        );
      }
    });
}
