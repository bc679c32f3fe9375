import { agent, contract, createRuntime, memoryStore, workflow } from 'baton-runtime';
import { z } from 'zod';

const DocShape = z.object({ id: z.string(), text: z.string() });
const Doc = contract('review.doc@1', DocShape);
const Batch = contract('review.batch@1', z.object({ docs: z.array(DocShape) }));
const Verdict = contract('review.verdict@1', z.object({ id: z.string(), ok: z.boolean() }));

const check = agent({
  name: 'doc-check',
  version: '1.0.0',
  input: Doc,
  output: Verdict,
  execute: async (doc) => ({ id: doc.id, ok: doc.text.length > 0 }),
});
// A workflow of its own: its own runs, history and hash chain.
const reviewOne = workflow('review-one', { version: 1, input: Doc })
  .step('check', check, { input: (s) => s.input })
  .output((s) => s.check);

const reviewBatch = workflow('review-batch', { version: 1, input: Batch })
  // One child run per document (ids `<run>.reviews.<i>`), 8 at a time, outputs in order.
  .map('reviews', reviewOne, { input: (s) => s.input.docs, concurrency: 8 })
  // A durable timer: the run waits (reason 'timer') and holds nothing in memory meanwhile.
  .sleep('cool-off', { ms: 60_000 }, { needs: ['reviews'] })
  .output((s) => ({ rejected: s.reviews.filter((v) => !v.ok).map((v) => v.id) }));

const rt = createRuntime({
  store: memoryStore(),
  workflows: [reviewBatch],
  // Delete finished runs a month old, every hour, leaving a tombstone of each.
  retention: { olderThan: 30 * 86_400_000 },
});
const run = await rt.start(reviewBatch, { docs: [{ id: 'd1', text: 'ok' }] });
console.log(await rt.children(run.id)); // [{ runId: `${run.id}.reviews.0`, ... }]
console.log(await rt.waits()); // [{ step: 'cool-off', reason: 'timer', dueAt: ... }] once reviewed

// One run per tick across every runtime sharing the store: ids `sched.nightly-review.<tick ms>`.
await rt.schedule('nightly-review', reviewBatch, {
  cron: '0 2 * * *',
  timezone: 'Europe/Paris',
  input: { docs: [] },
  overlap: 'skip',
  catchUp: 1,
});
console.log(await rt.schedules()); // [{ name: 'nightly-review', nextAt: ..., lastRun: null, ... }]
console.log(await rt.prune({ olderThan: 30 * 86_400_000, dryRun: true })); // { runIds: [...] }
await rt.close();
