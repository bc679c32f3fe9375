/**
 * The reference workload (DESIGN.md) as test fixtures: score, income and fraud in parallel from
 * the application; risk from score and income; decision from risk and fraud. An oracle gives the
 * right decision for any application.
 */
import { z } from 'zod';
import {
  type AgentContext,
  agent,
  type ContractType,
  contract,
  type Policy,
  workflow,
} from '../../src/index.js';

export const Application = contract(
  'test.application@1',
  z.object({
    id: z.string(),
    income: z.number().nonnegative(),
    debt: z.number().nonnegative(),
    history: z.number().min(0).max(1),
    flags: z.number().int().nonnegative(),
  }),
);
export type App = ContractType<typeof Application>;
export const Score = contract(
  'test.score@1',
  z.object({ score: z.number().int().min(300).max(850) }),
);
export const Income = contract('test.income@1', z.object({ verified: z.number().nonnegative() }));
export const Fraud = contract('test.fraud@1', z.object({ flagged: z.boolean() }));
export const RiskIn = contract(
  'test.risk-in@1',
  z.object({ score: z.number(), verified: z.number(), debt: z.number() }),
);
export const Risk = contract('test.risk@1', z.object({ rating: z.enum(['A', 'B', 'C', 'D']) }));
export const DecisionIn = contract(
  'test.decision-in@1',
  z.object({ rating: z.enum(['A', 'B', 'C', 'D']), flagged: z.boolean() }),
);
export const Decision = contract(
  'test.decision@1',
  z.object({ outcome: z.enum(['approve', 'refer', 'decline']) }),
);
export type DecisionOut = ContractType<typeof Decision>;

export const scoreOf = (a: App) => Math.round(300 + 550 * a.history);
export const verifiedOf = (a: App) => Math.round(a.income * 0.9);
export const flaggedOf = (a: App) => a.flags >= 3;
export function ratingOf(score: number, verified: number, debt: number): 'A' | 'B' | 'C' | 'D' {
  const dti = verified === 0 ? 1 : debt / verified;
  if (score >= 740 && dti < 0.3) return 'A';
  if (score >= 670 && dti < 0.4) return 'B';
  if (score >= 580 && dti < 0.5) return 'C';
  return 'D';
}
export function outcomeOf(rating: string, flagged: boolean): DecisionOut['outcome'] {
  if (flagged) return 'decline';
  if (rating === 'A' || rating === 'B') return 'approve';
  return rating === 'C' ? 'refer' : 'decline';
}

/** The oracle: the right decision for any application. */
export function oracle(a: App): DecisionOut {
  return { outcome: outcomeOf(ratingOf(scoreOf(a), verifiedOf(a), a.debt), flaggedOf(a)) };
}

/** Deterministic applications. */
export function applications(n: number, seed = 1): App[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, (_, i) => ({
    id: `app-${seed}-${i}`,
    income: Math.round(20_000 + rnd() * 150_000),
    debt: Math.round(rnd() * 60_000),
    history: Math.round(rnd() * 1000) / 1000,
    flags: Math.floor(rnd() * 4),
  }));
}

/** Hooks that let a test observe or disturb each agent call. */
export interface WorkloadHooks {
  before?: (
    step: string,
    input: unknown,
    signal: AbortSignal,
    ctx: { readonly runId: string; readonly attempt: number },
  ) => Promise<void> | void;
}

/** Builds the five agents and the workflow, with optional per-agent policies and hooks. */
export function referenceWorkflow(
  opts: { hooks?: WorkloadHooks; policy?: Policy; version?: number; name?: string } = {},
) {
  const before = async (step: string, input: unknown, ctx: AgentContext) =>
    opts.hooks?.before?.(step, input, ctx.signal, ctx);
  // The fixture's steps never skip, so their slots stay typed as plain outputs.
  const policy = (opts.policy ?? { retry: { maxAttempts: 1 } }) as Policy & { onFailure?: 'fail' };
  const score = agent({
    name: 'score',
    version: '1.0.0',
    input: Application,
    output: Score,
    policy,
    execute: async (a, ctx) => {
      await before('score', a, ctx);
      return { score: scoreOf(a as App) };
    },
  });
  const income = agent({
    name: 'income',
    version: '1.0.0',
    input: Application,
    output: Income,
    policy,
    execute: async (a, ctx) => {
      await before('income', a, ctx);
      return { verified: verifiedOf(a as App) };
    },
  });
  const fraud = agent({
    name: 'fraud',
    version: '1.0.0',
    input: Application,
    output: Fraud,
    policy,
    execute: async (a, ctx) => {
      await before('fraud', a, ctx);
      return { flagged: flaggedOf(a as App) };
    },
  });
  const risk = agent({
    name: 'risk',
    version: '1.0.0',
    input: RiskIn,
    output: Risk,
    policy,
    execute: async (r, ctx) => {
      await before('risk', r, ctx);
      return { rating: ratingOf(r.score, r.verified, r.debt) };
    },
  });
  const decision = agent({
    name: 'decision',
    version: '1.0.0',
    input: DecisionIn,
    output: Decision,
    policy,
    execute: async (d, ctx) => {
      await before('decision', d, ctx);
      return { outcome: outcomeOf(d.rating, d.flagged) };
    },
  });
  return workflow(opts.name ?? 'reference', { version: opts.version ?? 1, input: Application })
    .step('score', score, { input: (s) => s.input })
    .step('income', income, { input: (s) => s.input })
    .step('fraud', fraud, { input: (s) => s.input })
    .step('risk', risk, {
      needs: ['score', 'income'],
      input: (s) => ({ score: s.score.score, verified: s.income.verified, debt: s.input.debt }),
    })
    .step('decision', decision, {
      needs: ['risk', 'fraud'],
      input: (s) => ({ rating: s.risk.rating, flagged: s.fraud.flagged }),
    })
    .output((s) => s.decision);
}
