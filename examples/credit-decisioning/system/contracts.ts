/**
 * The workflow's own contracts, on top of the domain's: the inputs of the agents that read more
 * than the application, the reviewer's verdict and the delivered notification.
 *
 * Invariants: inputs reuse the domain's schemas (so a handoff is checked field by field with the
 * same refinements), and published ids never change shape.
 */
import { type ContractType, contract } from 'baton-runtime';
import { z } from 'zod';
import {
  Application,
  CreditScore,
  Decision,
  FraudAssessment,
  IncomeVerification,
  RiskAssessment,
} from '../domain/contracts.js';

/**
 * The Zod schema behind a domain contract, to compose it into a bigger one.
 * @throws TypeError when the contract was not written with Zod.
 */
function zodOf<T>(c: { readonly id: string; readonly schema: unknown }): z.ZodType<T> {
  if (!(c.schema instanceof z.ZodType)) throw new TypeError(`contract ${c.id} is not a Zod schema`);
  return c.schema as z.ZodType<T>;
}

/** What the risk agent reads: the application, its score and its income verification. */
export const RiskInput = contract(
  'credit.risk-input@1',
  z.object({
    application: zodOf<Application>(Application),
    score: zodOf<CreditScore>(CreditScore),
    income: zodOf<IncomeVerification>(IncomeVerification),
  }),
);
/** The risk agent's input. */
export type RiskInput = ContractType<typeof RiskInput>;

/** What the final-approval agent reads: the application, its risk rating and fraud assessment. */
export const DecisionInput = contract(
  'credit.decision-input@1',
  z.object({
    application: zodOf<Application>(Application),
    risk: zodOf<RiskAssessment>(RiskAssessment),
    fraud: zodOf<FraudAssessment>(FraudAssessment),
  }),
);
/** The final-approval agent's input. */
export type DecisionInput = ContractType<typeof DecisionInput>;

/** A human underwriter's verdict on a referred application (the `review` signal's payload). */
export const ReviewVerdict = contract(
  'credit.review@1',
  z.object({
    applicantId: z.string().min(1),
    reviewer: z.string().min(1),
    /** A reviewer never approves here: an approval after review would need its own booking. */
    outcome: z.enum(['refer', 'decline']),
    reasons: z.array(z.string().min(1)).min(1),
  }),
);
/** A reviewer's verdict. */
export type ReviewVerdict = ContractType<typeof ReviewVerdict>;

/** The decision as delivered to the applicant: the workflow's output. */
export const FinalDecision = contract(
  'credit.final-decision@1',
  z.object({
    applicantId: z.string().min(1),
    outcome: z.enum(['approve', 'refer', 'decline']),
    approvedAmount: z.number().min(0),
    rate: z.number().positive().nullable(),
    /** True when a human underwriter set the outcome. */
    reviewed: z.boolean(),
  }),
);
/** A delivered decision. */
export type FinalDecision = ContractType<typeof FinalDecision>;

export { Application, CreditScore, Decision, FraudAssessment, IncomeVerification, RiskAssessment };
