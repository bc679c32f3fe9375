/**
 * The credit-decision workflow: score, income and fraud in parallel from the application; risk
 * from score and income; final approval from risk and fraud; a human review only for referrals;
 * notify last.
 *
 * Invariants:
 * - Each step reads only the slots it `needs`, each a committed, immutable version: the risk
 *   agent can only ever see the score its run committed (no cache, no shared row to go stale).
 * - The review step runs only for referrals (`when`); every other run's `review` slot holds the
 *   skipped marker, which the notify selector tells apart with `isSkipped`.
 */
import { isSkipped, workflow } from 'baton-runtime';
import { type AgentDeps, createAgents } from './agents.js';
import { Application } from './contracts.js';

/** The workflow's name, as stored in every run. */
export const WORKFLOW_NAME = 'credit-decision';

/** Builds the workflow over one process's agents. */
export function creditWorkflow(deps: AgentDeps) {
  const a = createAgents(deps);
  const searchable = (app: { applicantId: string }) => ({ applicant: app.applicantId });
  return workflow(WORKFLOW_NAME, { version: 1, input: Application, searchable })
    .step('score', a.score, { input: (s) => s.input })
    .step('income', a.income, { input: (s) => s.input })
    .step('fraud', a.fraud, { input: (s) => s.input })
    .step('risk', a.risk, {
      needs: ['score', 'income'],
      input: (s) => ({ application: s.input, score: s.score, income: s.income }),
    })
    .step('decision', a.approval, {
      needs: ['risk', 'fraud'],
      input: (s) => ({ application: s.input, risk: s.risk, fraud: s.fraud }),
    })
    .step('review', a.review, {
      needs: ['decision'],
      when: (s) => s.decision.outcome === 'refer',
      input: (s) => s.decision,
    })
    .step('notify', a.notify, {
      needs: ['decision', 'review'],
      input: (s) =>
        isSkipped(s.review)
          ? {
              applicantId: s.decision.applicantId,
              outcome: s.decision.outcome,
              approvedAmount: s.decision.approvedAmount,
              rate: s.decision.rate,
              reviewed: false,
            }
          : {
              applicantId: s.review.applicantId,
              outcome: s.review.outcome,
              approvedAmount: 0,
              rate: null,
              reviewed: true,
            },
    })
    .output((s) => s.notify);
}

/** The workflow's type. */
export type CreditWorkflow = ReturnType<typeof creditWorkflow>;
