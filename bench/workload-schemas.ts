/**
 * The zod schemas of the workload's values, shared by the Baton implementation (its contracts)
 * and the Mastra one (its step schemas), so both validate exactly the same shapes.
 */
import { z } from 'zod';

export const AppSchema = z.object({
  id: z.string(),
  age: z.number().int(),
  annualIncome: z.number().int(),
  declaredIncome: z.number().int(),
  requestedAmount: z.number().int(),
  historyMonths: z.number().int(),
  missedPayments: z.number().int(),
  accountAgeDays: z.number().int(),
  ipRisk: z.number().int(),
  deviceMismatch: z.boolean(),
});
export const ScoreSchema = z.object({
  score: z.number().int().min(300).max(850),
  band: z.string(),
});
export const IncomeSchema = z.object({
  verified: z.boolean(),
  monthlyIncome: z.number().int(),
  debtRatio: z.number().int(),
});
export const FraudSchema = z.object({ flagged: z.boolean(), fraudScore: z.number().int() });
export const RiskSchema = z.object({
  rating: z.enum(['A', 'B', 'C', 'D']),
  defaultBps: z.number().int(),
  basis: z.number().int(),
});
export const DecisionSchema = z.object({
  applicationId: z.string(),
  approved: z.boolean(),
  rateBps: z.number().int(),
  reason: z.string(),
  check: z.number().int(),
});
