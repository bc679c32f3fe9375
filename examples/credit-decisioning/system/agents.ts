/**
 * The five credit agents (plus the human-review queue and notify) as Baton agents over the
 * domain's pure logic, each with its policy.
 *
 * Invariants:
 * - Each agent's answer is the domain function's answer: faults (./faults.ts) only delay or fail
 *   a call, so a completed run reaches the oracle's decision.
 * - Side effects are keyed by `ctx.idempotencyKey` (`runId:step`): final approval books at most
 *   one credit line per run, notify sends at most one message, and compensation voids the line
 *   booked under the same key.
 * - Policies live here, not in the agents' code: the runtime enforces them.
 */
import { agent } from 'baton-runtime';
import { assessRisk, creditScore, decide, detectFraud, verifyIncome } from '../domain/logic.js';
import {
  Application,
  CreditScore,
  Decision,
  DecisionInput,
  FinalDecision,
  FraudAssessment,
  IncomeVerification,
  ReviewVerdict,
  RiskAssessment,
  RiskInput,
} from './contracts.js';
import type { Faults } from './faults.js';
import type { Ledger } from './ledger.js';

/** What the agents need from their process. */
export interface AgentDeps {
  readonly faults: Faults;
  readonly ledger: Ledger;
}

/** Fraud's breaker: opens after 5 consecutive failures, probes again after 400 ms. */
export const FRAUD_BREAKER = { failureThreshold: 5, resetAfterMs: 400 } as const;

const VERSION = '1.0.0';
const quickBackoff = { initialMs: 10, maxMs: 80, factor: 2, jitter: 0.2 } as const;

/** Thrown by the review queue: a referral needs a person, so the run parks for review. */
export class ReviewRequired extends Error {
  override readonly name = 'ReviewRequired';
}

/** Builds the agents of one process. */
export function createAgents({ faults, ledger }: AgentDeps) {
  const score = agent({
    name: 'credit-score',
    version: VERSION,
    input: Application,
    output: CreditScore,
    policy: { timeoutMs: 500, retry: { maxAttempts: 3, backoff: quickBackoff } },
    execute: async (app, ctx) => {
      await faults.before('score', app.applicantId, ctx.attempt, ctx.signal);
      return creditScore(app);
    },
  });
  const income = agent({
    name: 'income-verification',
    version: VERSION,
    input: Application,
    output: IncomeVerification,
    // 5% of attempts fail transiently: retried with backoff; the breaker tolerates a streak.
    policy: {
      timeoutMs: 500,
      retry: { maxAttempts: 5, backoff: quickBackoff },
      breaker: { failureThreshold: 12, resetAfterMs: 400 },
    },
    execute: async (app, ctx) => {
      await faults.before('income', app.applicantId, ctx.attempt, ctx.signal);
      return verifyIncome(app);
    },
  });
  const fraud = agent({
    name: 'fraud-detection',
    version: VERSION,
    input: Application,
    output: FraudAssessment,
    // No decision without a fraud check: when fraud is down (timeouts, then the open breaker
    // failing fast), the run fails before any side effect and the application is retried.
    policy: {
      timeoutMs: 150,
      retry: { maxAttempts: 2, backoff: quickBackoff },
      breaker: FRAUD_BREAKER,
      onFailure: 'fail',
    },
    execute: async (app, ctx) => {
      await faults.before('fraud', app.applicantId, ctx.attempt, ctx.signal);
      return detectFraud(app);
    },
  });
  const risk = agent({
    name: 'risk-assessment',
    version: VERSION,
    input: RiskInput,
    output: RiskAssessment,
    policy: { timeoutMs: 500, retry: { maxAttempts: 3, backoff: quickBackoff } },
    execute: async (i, ctx) => {
      await faults.before('risk', i.application.applicantId, ctx.attempt, ctx.signal);
      return assessRisk(i.score, i.income, i.application);
    },
  });
  const approval = agent({
    name: 'final-approval',
    version: VERSION,
    input: DecisionInput,
    output: Decision,
    policy: { timeoutMs: 500, retry: { maxAttempts: 3, backoff: quickBackoff } },
    execute: async (i, ctx) => {
      await faults.before('decision', i.application.applicantId, ctx.attempt, ctx.signal);
      const d = decide(i.risk, i.fraud, i.application);
      if (d.outcome === 'approve' && d.rate !== null) {
        ledger.book({
          key: ctx.idempotencyKey,
          runId: ctx.runId,
          applicantId: d.applicantId,
          amount: d.approvedAmount,
          rate: d.rate,
        });
      }
      return d;
    },
    // The booking's key is the execute's idempotency key (runId:step).
    compensate: (_d, ctx) => ledger.voidLine(`${ctx.runId}:${ctx.step}`),
  });
  const review = agent({
    name: 'underwriting-queue',
    version: VERSION,
    input: Decision,
    output: ReviewVerdict,
    // Never decided by code: the failure parks the run for a human (rt.signal 'review').
    policy: { retry: { maxAttempts: 1 }, breaker: false, onFailure: 'human' },
    execute: (d): ReviewVerdict => {
      throw new ReviewRequired(
        `${d.applicantId} referred (${d.reasons[0]}): an underwriter decides`,
      );
    },
  });
  const notify = agent({
    name: 'notify',
    version: VERSION,
    input: FinalDecision,
    output: FinalDecision,
    // A rejected mailbox is per recipient, not an outage: no breaker; the run fails and the
    // saga voids the booking, since a customer who was never told has no credit line.
    policy: { timeoutMs: 500, retry: { maxAttempts: 2, backoff: quickBackoff }, breaker: false },
    execute: async (d, ctx) => {
      await faults.before('notify', d.applicantId, ctx.attempt, ctx.signal);
      ledger.notify({
        key: ctx.idempotencyKey,
        runId: ctx.runId,
        applicantId: d.applicantId,
        outcome: d.outcome,
      });
      return { ...d };
    },
  });
  return { score, income, fraud, risk, approval, review, notify };
}
