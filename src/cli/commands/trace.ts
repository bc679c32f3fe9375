/**
 * `baton trace <run>`: the run's spans, read from the built-in trace store, as a waterfall.
 */
import type { Command } from 'commander';
import type { StateStore } from '../../index.js';
import * as baton from '../../index.js';
import { MIN_WIDTH, parseWidth } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { printJson } from '../output.js';
import { withSession } from '../session.js';

/** The tracing API `baton trace` is written against (exported from the package root). */
interface TraceApi {
  readTrace(store: StateStore, runId: string): Promise<readonly unknown[]>;
  renderWaterfall(spans: readonly unknown[], options: { width: number; ascii: boolean }): string;
}

/**
 * The tracing functions from the public API. Looked up at run time because they are being
 * added to the package root; until then the command says so instead of failing to build.
 * @throws Error when the running baton does not export them yet.
 */
function traceApi(): TraceApi {
  const api = baton as unknown as Partial<TraceApi>;
  if (typeof api.readTrace !== 'function' || typeof api.renderWaterfall !== 'function') {
    throw new Error(
      'baton trace is not available yet: this build of baton does not export readTrace/renderWaterfall',
    );
  }
  return api as TraceApi;
}

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
      const api = traceApi();
      const spans = await withSession(g, [], async ({ rt, store }) => {
        await rt.getRun(runId); // an unknown run is an error, not an empty trace
        return api.readTrace(store, runId);
      });
      if (g.json) return printJson(ctx.io, { runId, spans });
      if (spans.length === 0) {
        ctx.io.out(
          `run ${runId} has no stored spans (tracing to the store was off, or they were pruned)\n`,
        );
        return;
      }
      const width = opts.width ?? Math.max(MIN_WIDTH, process.stdout.columns || 100);
      const text = api.renderWaterfall(spans, { width, ascii: opts.ascii === true });
      ctx.io.out(text.endsWith('\n') ? text : `${text}\n`);
    });
}
