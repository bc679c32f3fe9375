import { createRuntime, event, reactor, sqliteStore } from 'baton-runtime';
import { z } from 'zod';

// Events are contracts too.
const ResearchCompleted = event(
  'research.completed@1',
  z.object({ topic: z.string(), findings: z.array(z.string()), confidence: z.number() }),
);
const AnalysisReady = event(
  'analysis.ready@1',
  z.object({ topic: z.string(), summary: z.string() }),
);
const FlowFailed = event('flow.failed@1', z.object({ reason: z.string() }), { failure: true });
declare const drafts: {
  save(key: string, text: string): Promise<void>;
  remove(key: string): Promise<void>;
};

// A reactor reacts to one event type and may emit the types it declares.
const analyst = reactor({
  name: 'analyst',
  version: '1.0.0',
  on: ResearchCompleted,
  emits: [AnalysisReady],
  policy: { retry: { maxAttempts: 5 } }, // then the event goes to the dead letters
  async handle(e, ctx) {
    const summary = e.payload.findings.join('; ');
    await drafts.save(e.eventId, summary);
    ctx.emit(AnalysisReady, { topic: e.payload.topic, summary }); // causation recorded for you
  },
  async compensate(e) {
    await drafts.remove(e.eventId); // runs when a failure event of this correlation is published
  },
});

const rt = createRuntime({ store: sqliteStore('baton.db'), reactors: [analyst] });
const published = await rt.publish(ResearchCompleted, {
  topic: 'rates',
  findings: ['a', 'b'],
  confidence: 0.9,
});
await rt.eventsSettled();
console.log(await rt.eventTrace(published.correlationId)); // the causal tree, with flags
await rt.publish(
  FlowFailed,
  { reason: 'report rejected' },
  { correlationId: published.correlationId },
);
await rt.close();
