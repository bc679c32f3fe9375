/**
 * `baton verify <run>`: checks a run's hash chain and, for an ended run, its status and output
 * against the seal journaled with its end. Exit code 1 when either is broken, naming the first
 * version that does not verify.
 */
import type { Command } from 'commander';
import type { RunEndCheck } from '../../index.js';
import { type CliContext, globalOptions } from '../context.js';
import { paint, printJson } from '../output.js';
import { withSession } from '../session.js';

/** What the line adds about the run's end. */
const END_NOTES: Readonly<Record<RunEndCheck, string>> = {
  sealed: '; status and output match its end seal',
  unsealed: '; status and output not sealed (the run ended before end seals were recorded)',
  open: '',
};

/** Registers `baton verify`. */
export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description("check a run's hash chain and end seal (exit code 1 when it is broken)")
    .argument('<run>', 'run id')
    .action(async (runId: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const result = await withSession(g, [], ({ rt }) => rt.verify(runId), 'read');
      if (!result.ok) ctx.exitCode = 1;
      if (g.json) return printJson(ctx.io, { runId, ...result });
      if (result.ok) {
        ctx.io.out(
          `${paint('ok', 'green', ctx.io.color)}: run ${runId}, ${result.versions} versions verify, head hash ${result.headHash}${END_NOTES[result.end]}\n`,
        );
      } else {
        ctx.io.out(
          `${paint('BROKEN', 'red', ctx.io.color)}: run ${runId}, chain broken at version ${result.brokenAt}: ${result.reason}\n`,
        );
      }
    });
}
