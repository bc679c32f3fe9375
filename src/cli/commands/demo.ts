/**
 * `baton demo`: a first look without writing any code — runs a three-step workflow (two agents
 * in parallel, then a third on both) on the store (created if missing: the one command that
 * may create a file), then prints the run's state history and the commands to inspect it.
 */

import type { Command } from 'commander';
import { type CliContext, globalOptions } from '../context.js';
import { library } from '../library.js';
import { printJson, renderTable } from '../output.js';

/** Registers `baton demo`. */
export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('run a three-step workflow on the store (created if missing) and show its history')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { createRuntime, sqliteStore } = await library();
      const { demoWorkflow } = await import('./demo-workflow.js');
      const rt = createRuntime({ store: sqliteStore(g.store), workflows: [demoWorkflow] });
      try {
        const run = await rt.start(demoWorkflow, { sku: 'blue-widget', quantity: 3 });
        const output = await run.result();
        const history = await rt.history(run.id);
        const verified = await rt.verify(run.id);
        if (g.json)
          return printJson(ctx.io, { runId: run.id, output, verified: verified.ok, history });
        const rows = history.map((s) => [
          `v${s.version}`,
          s.step,
          s.createdBy,
          s.inputVersion === null ? '-' : `v${s.inputVersion}`,
          JSON.stringify(s.data[s.step] ?? null),
          s.hash.slice(0, 12),
        ]);
        ctx.io.out(`run ${run.id} completed: ${JSON.stringify(output)}\n\n`);
        ctx.io.out(
          `${renderTable(['VERSION', 'STEP', 'CREATED BY', 'READ', 'SLOT', 'HASH'], rows, ctx.io.color)}\n\n`,
        );
        ctx.io.out(
          `hash chain: ${verified.ok ? `verified (${verified.versions} versions)` : 'BROKEN'}\n`,
        );
        ctx.io.out(`inspect it: npx baton show ${run.id} --store ${g.store}\n`);
      } finally {
        await rt.close();
      }
    });
}
