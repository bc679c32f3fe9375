/**
 * `baton demo`: a first look without writing any code — runs a three-step workflow (two agents
 * in parallel, then a third on both) on the store (created if missing: the one command that
 * may create a file), then prints the run's state history and the commands to inspect it.
 */

import type { Command } from 'commander';
import { z } from 'zod';
import { agent, contract, createRuntime, sqliteStore, workflow } from '../../index.js';
import { type CliContext, globalOptions } from '../context.js';
import { printJson, renderTable } from '../output.js';

const Order = contract(
  'demo.order@1',
  z.object({ sku: z.string(), quantity: z.number().int().positive() }),
);
const Price = contract('demo.price@1', z.object({ unitCents: z.number().int().nonnegative() }));
const Stock = contract('demo.stock@1', z.object({ available: z.number().int().nonnegative() }));
const QuoteIn = contract(
  'demo.quote-in@1',
  z.object({ unitCents: z.number(), available: z.number(), quantity: z.number() }),
);
const Quote = contract(
  'demo.quote@1',
  z.object({ totalCents: z.number().int(), fillable: z.boolean() }),
);

const price = agent({
  name: 'price',
  version: '1.0.0',
  input: Order,
  output: Price,
  execute: (o) => ({ unitCents: 250 + o.sku.length * 10 }),
});
const stock = agent({
  name: 'stock',
  version: '1.0.0',
  input: Order,
  output: Stock,
  execute: (o) => ({ available: (o.sku.length * 7) % 20 }),
});
const quote = agent({
  name: 'quote',
  version: '1.0.0',
  input: QuoteIn,
  output: Quote,
  execute: (q) => ({ totalCents: q.unitCents * q.quantity, fillable: q.available >= q.quantity }),
});

/** The demo's three-step workflow. */
export const demoWorkflow = workflow('demo-quote', { version: 1, input: Order })
  .step('price', price, { input: (s) => s.input })
  .step('stock', stock, { input: (s) => s.input })
  .step('quote', quote, {
    needs: ['price', 'stock'],
    input: (s) => ({
      unitCents: s.price.unitCents,
      available: s.stock.available,
      quantity: s.input.quantity,
    }),
  })
  .output((s) => s.quote);

/** Registers `baton demo`. */
export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('run a three-step workflow on the store (created if missing) and show its history')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
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
