/**
 * `baton trace <run>`: the run's spans, read from the built-in trace store, as a waterfall.
 */
import type { Command } from 'commander';
import { MIN_WIDTH, parseWidth } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { library } from '../library.js';
import { printJson } from '../output.js';
import { withSession } from '../session.js';

/** Registers `baton trace`. */
export function registerTrace(program: Command, ctx: CliContext): void {
  program
    .command('trace')
    .description("show a run's spans as a waterfall")
    .argument('<run>', 'run id')
    .option(
      '--width <columns>',
      `width of the waterfall, at least ${MIN_WIDTH} (default: the terminal, else 100)`,
      parseWidth,
    )
    .option('--ascii', 'draw bars with ASCII characters only')
    .action(async (runId: string, opts: { width?: number; ascii?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      const { renderWaterfall } = await library();
      // An unknown run is an error, not an empty trace; child runs are nested under their steps.
      const spans = await withSession(g, [], ({ rt }) => rt.trace(runId), 'read');
      if (g.json) return printJson(ctx.io, { runId, spans });
      if (spans.length === 0) {
        ctx.io.out(
          `run ${runId} has no stored spans (tracing to the store was off, or they were pruned)\n`,
        );
        return;
      }
      const width = opts.width ?? Math.max(MIN_WIDTH, process.stdout.columns || 100);
      const text = renderWaterfall(spans, { width, ascii: opts.ascii === true });
      ctx.io.out(text.endsWith('\n') ? text : `${text}\n`);
    });
}
