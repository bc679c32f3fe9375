/**
 * Portfolio re-scoring: every night, each existing credit line's applicant is scored again, one
 * child run per line (`.map` over `credit-line-rescore`), and the portfolio run collects the
 * scores in order. Run as a schedule, so however many workers share the store, each night's
 * re-score runs once (`sched.portfolio-rescore.<tick>`).
 */

import { agent, contract, type Runtime, type ScheduleInfo, workflow } from 'baton-runtime';
import { z } from 'zod';
import { Application, CreditScore, creditScore } from '../domain/index.js';

/** The book to re-score: the applications the lines were granted on. */
export const Portfolio = contract(
  'credit.portfolio@1',
  z.object({ lines: z.array(z.custom<Application>((v) => Application.validate(v).ok)) }),
);

const rescore = agent({
  name: 'credit-rescore',
  version: '1.0.0',
  input: Application,
  output: CreditScore,
  execute: (app) => creditScore(app),
});

/** One credit line re-scored: a workflow of its own, run as a child of the portfolio run. */
export const creditLineRescore = workflow('credit-line-rescore', {
  version: 1,
  input: Application,
})
  .step('score', rescore, { input: (s) => s.input })
  .output((s) => ({ applicantId: s.score.applicantId, score: s.score.score }));

/** The whole book, 16 lines at a time. */
export const portfolioRescore = workflow('portfolio-rescore', { version: 1, input: Portfolio })
  .map('rescored', creditLineRescore, { input: (s) => s.input.lines, concurrency: 16 })
  .output((s) => ({
    lines: s.rescored.length,
    meanScore:
      s.rescored.length === 0
        ? null
        : Math.round(s.rescored.reduce((sum, l) => sum + l.score, 0) / s.rescored.length),
    scores: s.rescored,
  }));

/** Declares the nightly re-score (03:00 UTC) of `lines` on `rt`. */
export function schedulePortfolioRescore(
  rt: Runtime,
  lines: readonly Application[],
  cron = '0 3 * * *',
): Promise<ScheduleInfo> {
  return rt.schedule('portfolio-rescore', portfolioRescore, {
    cron,
    input: { lines: [...lines] },
    overlap: 'skip',
    catchUp: 0,
  });
}
