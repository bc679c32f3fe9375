import { createRuntime, memoryStore } from 'baton-runtime';
import { describe, expect, it } from 'vitest';
import { creditScore, generateApplications } from '../domain/index.js';
import { portfolioRescore, schedulePortfolioRescore } from './portfolio.js';

describe('portfolio re-scoring', () => {
  it('re-scores every credit line in a child run of its own, on a schedule', async () => {
    const lines = generateApplications(40, 11);
    const rt = createRuntime({ store: memoryStore(), workflows: [portfolioRescore] });
    const info = await schedulePortfolioRescore(rt, lines);
    expect(info).toMatchObject({ name: 'portfolio-rescore', cron: '0 3 * * *', paused: false });
    const runId = await rt.triggerSchedule('portfolio-rescore');
    const out = (await (await rt.handle(runId)).result()) as {
      lines: number;
      scores: { applicantId: string; score: number }[];
    };
    expect(out.lines).toBe(40);
    expect(out.scores).toEqual(
      lines.map((a) => ({ applicantId: a.applicantId, score: creditScore(a).score })),
    );
    const children = await rt.children(runId);
    expect(children).toHaveLength(40);
    expect(children.every((c) => c.status === 'completed')).toBe(true);
    await rt.close();
  });
});
