import { agent, contract, createRuntime, isSkipped, memoryStore, workflow } from 'baton-runtime';
import { z } from 'zod';

const Application = contract(
  'loan.application@1',
  z.object({ id: z.string(), amount: z.number() }),
);
const Fraud = contract('loan.fraud@1', z.object({ flagged: z.boolean() }));
const Income = contract('loan.income@1', z.object({ verified: z.number() }));
const Booking = contract('loan.booking@1', z.object({ lineId: z.string() }));
declare const fraudService: { check(id: string, signal: AbortSignal): Promise<boolean> };
declare const payroll: { verify(id: string): Promise<number> };
declare const ledger: {
  book(key: string, amount: number): Promise<string>;
  void(lineId: string): Promise<void>;
};

// 'skip': an optional step; its slot becomes { skipped: true, reason } and dependents must handle it.
const fraud = agent({
  name: 'fraud-check',
  version: '2.1.0',
  input: Application,
  output: Fraud,
  policy: {
    timeoutMs: 2_000, // aborts ctx.signal and counts as a failure
    retry: { maxAttempts: 3, backoff: { initialMs: 100, maxMs: 2_000, factor: 2, jitter: true } },
    breaker: { failureThreshold: 5, resetAfterMs: 60_000 },
    concurrency: 16, // a bulkhead shared by every run of the runtime
    ratePerSecond: 50, // a token bucket, too
    onFailure: 'skip',
  },
  execute: async (app, ctx) => ({ flagged: await fraudService.check(app.id, ctx.signal) }),
});

// 'cached': the last good output of this agent version for an equal input (a durable cache).
const income = agent({
  name: 'income-check',
  version: '1.0.0',
  input: Application,
  output: Income,
  policy: { onFailure: 'cached' },
  execute: async (app) => ({ verified: await payroll.verify(app.id) }),
});

// 'fail' (the default) runs the saga: completed steps with `compensate` are undone in reverse.
const book = agent({
  name: 'book-credit-line',
  version: '1.0.0',
  input: Application,
  output: Booking,
  execute: async (app, ctx) => ({ lineId: await ledger.book(ctx.idempotencyKey, app.amount) }),
  compensate: async (booking) => ledger.void(booking.lineId),
});

// 'human' parks the run for review: rt.signal(runId, 'review', output) resumes it.
const review = agent({
  name: 'underwriter',
  version: '1.0.0',
  input: Application,
  output: Fraud,
  policy: { onFailure: 'human', retry: { maxAttempts: 1 } },
  execute: async () => {
    throw new Error('needs a person');
  },
});

export const loan = workflow('loan', { version: 1, input: Application })
  .step('fraud', fraud, { input: (s) => s.input })
  .step('income', income, { input: (s) => s.input })
  .step('review', review, {
    needs: ['fraud'],
    input: (s) => s.input,
    when: (s) => isSkipped(s.fraud), // a person looks when the fraud check was skipped
  })
  .step('book', book, { needs: ['income', 'review'], input: (s) => s.input })
  .output((s) => s.book);

const rt = createRuntime({
  store: memoryStore(),
  workflows: [loan],
  onAlert: (alert) => console.warn(alert.kind, alert.runId, alert.message),
});
console.log(rt.breakers()); // [{ name: 'fraud-check@2.1.0', state: 'closed', ... }]
