/**
 * `baton signal <run> <name> <json-payload> --workflows <module>`: delivers a signal to a waiting
 * run (a durable wait, or a step in human review), then drives the run to its next stop.
 */
import type { Command } from 'commander';
import type { Json } from '../../index.js';
import { parseJsonArg, parseLimit } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { DEFAULT_DRIVE_TIMEOUT_MS, printDriven, untilStopped } from '../drive.js';
import { printJson } from '../output.js';
import { loadWorkflows, withSession } from '../session.js';

interface SignalOptions {
  readonly workflows?: string;
  readonly timeout?: number;
}

/** Registers `baton signal`. */
export function registerSignal(program: Command, ctx: CliContext): void {
  program
    .command('signal')
    .description('deliver a signal (JSON payload) to a waiting run, then drive it to its next stop')
    .argument('<run>', 'run id')
    .argument('<name>', 'the signal name (the waiting step)')
    .argument('<payload>', 'the payload, as JSON', parseJsonArg)
    .option(
      '--workflows <module>',
      "a module exporting the run's workflow (needed to validate and drive)",
    )
    .option(
      '--timeout <ms>',
      `drive for at most this long (default ${DEFAULT_DRIVE_TIMEOUT_MS})`,
      parseLimit,
    )
    .action(
      async (runId: string, name: string, payload: Json, opts: SignalOptions, cmd: Command) => {
        const g = globalOptions(cmd);
        const workflows = await loadWorkflows(opts.workflows);
        const run = await withSession(g, workflows, async ({ rt }) => {
          await rt.signal(runId, name, payload);
          return untilStopped(rt, runId, opts.timeout ?? DEFAULT_DRIVE_TIMEOUT_MS);
        });
        if (g.json) return printJson(ctx.io, { runId, signal: name, run });
        printDriven(ctx.io, `signal '${name}' delivered to run ${runId}`, run);
      },
    );
}
