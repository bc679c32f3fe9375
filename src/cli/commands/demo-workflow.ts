/**
 * The workflow `baton demo` runs: two agents in parallel (price, stock), then a third on both.
 * Its own module, imported only when the demo runs (it defines zod schemas at load time).
 */
import { z } from 'zod';
import { agent, contract, workflow } from '../../index.js';

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
