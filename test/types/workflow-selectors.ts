/**
 * Type-level tests of workflow selectors, compiled by `tsc --noEmit` (npm run typecheck).
 * Each `@ts-expect-error` must stay an error: if the types loosen, the build fails.
 */
import { z } from 'zod';
import { agent, contract, isSkipped, workflow } from '../../src/index.js';

const App = contract('types.app@1', z.object({ amount: z.number() }));
const Score = contract('types.score@1', z.object({ score: z.number() }));
const Risk = contract('types.risk@1', z.object({ rating: z.string() }));

const score = agent({
  name: 'score',
  version: '1.0.0',
  input: App,
  output: Score,
  execute: (app) => ({ score: app.amount }),
});
const optionalScore = agent({
  name: 'optional-score',
  version: '1.0.0',
  input: App,
  output: Score,
  policy: { onFailure: 'skip' },
  execute: (app) => ({ score: app.amount }),
});
const risk = agent({
  name: 'risk',
  version: '1.0.0',
  input: Score,
  output: Risk,
  execute: (s) => ({ rating: s.score > 700 ? 'A' : 'C' }),
});

export const ok = workflow('types-ok', { version: 1, input: App })
  .step('score', score, { input: (s) => s.input })
  .step('risk', risk, { needs: ['score'], input: (s) => ({ score: s.score.score }) })
  .output((s) => ({ rating: s.risk.rating, score: s.score.score }));

export const readsUnneeded = workflow('types-unneeded', { version: 1, input: App })
  .step('score', score, { input: (s) => s.input })
  .step('other', score, { input: (s) => s.input })
  .step('risk', risk, {
    needs: ['score'],
    // @ts-expect-error 'other' is not in needs, so the selector cannot read it.
    input: (s) => ({ score: s.other.score }),
  })
  .output((s) => s.risk);

export const unknownNeed = workflow('types-unknown', { version: 1, input: App })
  .step('score', score, { input: (s) => s.input })
  // @ts-expect-error 'nope' is not a step defined before.
  .step('risk', risk, { needs: ['nope'], input: () => ({ score: 1 }) })
  .output((s) => s.score);

export const wrongInput = workflow('types-wrong-input', { version: 1, input: App })
  // @ts-expect-error the risk agent takes a Score, not an App.
  .step('risk', risk, { input: (s) => s.input })
  .output((s) => s.risk);

export const conditional = workflow('types-conditional', { version: 1, input: App })
  .step('score', score, { input: (s) => s.input, when: (s) => s.input.amount > 0 })
  .step('risk', risk, {
    needs: ['score'],
    // @ts-expect-error a conditional step's slot may be { skipped: true, reason }.
    input: (s) => ({ score: s.score.score }),
  })
  .output((s) => s.risk);

export const handlesSkip = workflow('types-handles-skip', { version: 1, input: App })
  .step('score', optionalScore, { input: (s) => s.input })
  .step('risk', risk, {
    needs: ['score'],
    input: (s) => ({ score: isSkipped(s.score) ? 0 : s.score.score }),
  })
  .output((s) => s.risk);

export const skipUnhandled = workflow('types-skip-unhandled', { version: 1, input: App })
  .step('score', optionalScore, { input: (s) => s.input })
  // @ts-expect-error onFailure 'skip' on the agent makes the slot Score | Skipped.
  .step('risk', risk, { needs: ['score'], input: (s) => ({ score: s.score.score }) })
  .output((s) => s.risk);

export const duplicate = workflow('types-duplicate', { version: 1, input: App })
  .step('score', score, { input: (s) => s.input })
  // @ts-expect-error a step name can be used once.
  .step('score', score, { input: (s) => s.input })
  .output((s) => s.score);

export const waits = workflow('types-wait', { version: 1, input: App })
  .wait('review', { contract: Score })
  .step('risk', risk, { needs: ['review'], input: (s) => ({ score: s.review.score }) })
  .output((s) => s.risk);

export const conditionalWait = workflow('types-conditional-wait', { version: 1, input: App })
  .wait('review', { contract: Score, when: (s) => s.input.amount > 10 })
  .step('risk', risk, {
    needs: ['review'],
    // @ts-expect-error a conditional wait's slot may be { skipped: true, reason }.
    input: (s) => ({ score: s.review.score }),
  })
  .output((s) => s.risk);
