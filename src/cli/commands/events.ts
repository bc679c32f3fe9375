/**
 * `baton events <correlationId>`: the causal tree of a choreographed flow (events, deliveries,
 * emitted events, with flags for unconsumed events, suppressed duplicates, failures, dead
 * letters and stalls); `--dead` lists the dead letters; `--redeliver <eventId>` puts a dead
 * letter back in line.
 */
import type { Command } from 'commander';
import { type CliContext, globalOptions } from '../context.js';
import { library } from '../library.js';
import { printJson } from '../output.js';
import { withSession } from '../session.js';

interface EventsCliOptions {
  readonly dead?: boolean;
  readonly redeliver?: string;
  readonly reactor?: string;
}

/** Registers `baton events`. */
export function registerEvents(program: Command, ctx: CliContext): void {
  program
    .command('events')
    .description('trace an event flow by correlation id, list dead letters, or redeliver one')
    .argument('[correlationId]', 'the flow to trace')
    .option('--dead', 'list the dead letters')
    .option('--redeliver <eventId>', 'deliver a dead-lettered event again')
    .option('--reactor <id>', 'with --redeliver: only to this reactor (name@version)')
    .action(async (correlationId: string | undefined, opts: EventsCliOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const modes = [correlationId !== undefined, opts.dead === true, opts.redeliver !== undefined];
      if (modes.filter(Boolean).length !== 1) {
        // Bad usage: commander prints it with the usage and exits 2.
        cmd.error(
          'error: give exactly one of: a correlation id, --dead, or --redeliver <eventId>',
          {
            exitCode: 2,
          },
        );
      }
      const { renderDeadLetters, renderEventTree } = await library();
      await withSession(
        g,
        [],
        async ({ rt }) => {
          if (opts.redeliver !== undefined) {
            const result = await rt.redeliver(opts.redeliver, opts.reactor);
            if (g.json) return printJson(ctx.io, result);
            ctx.io.out(`${JSON.stringify(result)}\n`);
            return;
          }
          if (opts.dead) {
            const dead = await rt.deadLetters();
            if (g.json) return printJson(ctx.io, dead);
            ctx.io.out(`${renderDeadLetters(dead)}\n`);
            return;
          }
          const trace = await rt.eventTrace(correlationId!);
          if (g.json) return printJson(ctx.io, trace);
          ctx.io.out(`${renderEventTree(trace)}\n`);
        },
        // Redelivering writes; tracing a flow and listing dead letters only read.
        opts.redeliver !== undefined ? 'write' : 'read',
      );
    });
}
