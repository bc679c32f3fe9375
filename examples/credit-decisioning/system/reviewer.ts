/**
 * The demo's underwriter (`--auto-review`) and what a correct final decision is.
 *
 * The rule, deterministic so that reviewed runs can be checked too: a referral whose fraud
 * assessment is flagged is declined ("fraud confirmed on review"); any other referral stays a
 * referral ("documents requested"). The reviewer never approves, so no booking happens after a
 * review.
 */
import type { Application } from '../domain/contracts.js';
import { assess } from '../domain/logic.js';
import type { FinalDecision, ReviewVerdict } from './contracts.js';

/** The underwriter's verdict on a referred application. */
export function reviewVerdict(app: Application): ReviewVerdict {
  const { fraud } = assess(app);
  return fraud.flagged
    ? {
        applicantId: app.applicantId,
        reviewer: 'auto-underwriter',
        outcome: 'decline',
        reasons: ['fraud-confirmed-on-review'],
      }
    : {
        applicantId: app.applicantId,
        reviewer: 'auto-underwriter',
        outcome: 'refer',
        reasons: ['documents-requested'],
      };
}

/**
 * The correct final decision: the oracle's, or for a reviewed referral the reviewer's verdict.
 */
export function expectedFinal(app: Application, reviewed: boolean): FinalDecision {
  const { decision } = assess(app);
  if (reviewed && decision.outcome === 'refer') {
    return {
      applicantId: app.applicantId,
      outcome: reviewVerdict(app).outcome,
      approvedAmount: 0,
      rate: null,
      reviewed: true,
    };
  }
  return {
    applicantId: app.applicantId,
    outcome: decision.outcome,
    approvedAmount: decision.approvedAmount,
    rate: decision.rate,
    reviewed: false,
  };
}
