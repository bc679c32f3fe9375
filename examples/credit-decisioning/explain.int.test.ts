/**
 * The credit workflow's optional LLM step, run for real: the demo's workflow on a SQLite file,
 * its explanation step configured the way `npm start` reads it (BATON_LLM_BASE_URL, _MODEL,
 * _API_KEY) and pointed at an OpenAI-compatible HTTP server of the test's own (no real model is
 * reachable here). Without that configuration the step is skipped and the summary says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, isSkipped, sqliteStore } from 'baton-runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { type CountingServer, countingServer } from '../../test/llm/fleet/counting-server.js';
import { type Application, assess, generateApplications } from './domain/index.js';
import { type AdverseExplanation, formatExplainLine, loadExplainer } from './system/explain.js';
import { createFaults, FAULT_PRESETS } from './system/faults.js';
import { openLedger } from './system/ledger.js';
import { reviewVerdict } from './system/reviewer.js';
import { creditWorkflow } from './system/workflow.js';

const dir = mkdtempSync(join(tmpdir(), 'credit-explain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The judge's verdict: faithful (0.95) when every factor of the notice is one of the decision's
 * reasons, unless `doubt` says to score it 0.3 (below the demo's 0.7 gate).
 */
function verdict(
  all: { role: string; content: unknown }[],
  doubt: (id: string) => boolean,
): string {
  const user = all.find((m) => m.role === 'user')!.content as string;
  const seen = JSON.parse(user) as {
    decision: { applicantId: string; reasons: string[] };
    notice: { factors: string[] };
  };
  const grounded = seen.notice.factors.every((f) => seen.decision.reasons.includes(f));
  const score = grounded && !doubt(seen.decision.applicantId) ? 0.95 : 0.3;
  return JSON.stringify({ score, rationale: grounded ? 'factors from the decision' : 'invented' });
}

/** Whether a request is the faithfulness judge's (its instructions name the rubric). */
function isJudge(all: { role: string; content: unknown }[]): boolean {
  return all.some((m) => m.role === 'system' && String(m.content).includes('strict evaluator'));
}

/** The model's answer: built from the prompt's decision; `invent` adds a factor not in it. */
function answer(
  messages: string,
  invent: (applicantId: string) => boolean,
  doubt: (applicantId: string) => boolean = () => false,
): string {
  const all = JSON.parse(messages) as { role: string; content: unknown }[];
  if (isJudge(all)) return verdict(all, doubt);
  const user = all.filter((m) => m.role === 'user').map((m) => m.content);
  const first = typeof user[0] === 'string' ? user[0] : JSON.stringify(user[0]);
  const input = JSON.parse(first) as {
    decision: { applicantId: string; outcome: string; reasons: string[] };
  };
  const { applicantId, outcome, reasons } = input.decision;
  const factors = [...reasons];
  // A second attempt (a re-ask) carries the guard's feedback: answer correctly then.
  if (invent(applicantId) && user.length === 1) factors.push('zodiac-sign');
  return JSON.stringify({
    applicantId,
    outcome,
    summary: `Your application was ${outcome === 'decline' ? 'declined' : 'referred'} because of ${reasons.join(', ')}.`,
    factors,
  });
}

/** Runs `apps` through the demo's workflow with the step on, signing off referrals. */
async function decide(
  apps: readonly Application[],
  server: CountingServer,
  name: string,
): Promise<Map<string, AdverseExplanation | 'skipped'>> {
  const path = join(dir, `${name}.db`);
  const store = sqliteStore(path);
  await store.migrate();
  const ledger = openLedger(path);
  const explainer = await loadExplainer({
    BATON_LLM_BASE_URL: server.baseURL,
    BATON_LLM_MODEL: 'test-model',
    BATON_LLM_API_KEY: 'test-key',
  });
  expect(explainer.enabled).toBe(true);
  const wf = creditWorkflow({ faults: createFaults(FAULT_PRESETS.off, 1), ledger, explainer });
  const rt = createRuntime({ store, workflows: [wf] });
  const out = new Map<string, AdverseExplanation | 'skipped'>();
  try {
    for (const app of apps) {
      const run = await rt.start(wf, app);
      if (assess(app).decision.outcome === 'refer') {
        for await (const e of rt.watch(run.id)) if (e.status === 'waiting') break;
        await rt.signal(run.id, 'review', reviewVerdict(app));
      }
      await run.result();
      const history = await rt.history(run.id);
      const explain = history[history.length - 1]!.data.explain;
      out.set(
        app.applicantId,
        isSkipped(explain) ? 'skipped' : (explain as unknown as AdverseExplanation),
      );
    }
    expect(formatExplainLine(explainer)).toContain('written by test-model');
  } finally {
    await rt.close();
    ledger.close();
  }
  return out;
}

describe("the credit demo's LLM explanation step", () => {
  const apps = generateApplications(40, 7);
  const adverse = apps.filter((a) => assess(a).decision.outcome !== 'approve');

  it('explains every decline and referral through an OpenAI-compatible server, and no approval', async () => {
    expect(adverse.length).toBeGreaterThan(2);
    expect(adverse.length).toBeLessThan(apps.length);
    const server = await countingServer({ content: (m) => answer(m, () => false) });
    try {
      const got = await decide(apps, server, 'explain');
      for (const app of apps) {
        const d = assess(app).decision;
        const e = got.get(app.applicantId);
        if (d.outcome === 'approve') {
          expect(e).toBe('skipped');
          continue;
        }
        expect(e).not.toBe('skipped');
        const x = e as AdverseExplanation;
        expect(x.applicantId).toBe(app.applicantId);
        expect(x.outcome).toBe(d.outcome);
        for (const f of x.factors) expect(d.reasons).toContain(f);
      }
      // Per adverse decision one request writes the notice and one judges it; the server was
      // told the model and the API key.
      const judged = server.log.filter((r) => isJudge(JSON.parse(r.prompt)));
      expect(judged.length).toBe(adverse.length);
      expect(server.log.length).toBe(2 * adverse.length);
      expect(new Set(server.log.map((r) => r.model))).toEqual(new Set(['test-model']));
      expect(new Set(server.log.map((r) => r.auth))).toEqual(new Set(['Bearer test-key']));
      // No applicant name or address leaves the process: only the decision and the risk.
      for (const app of adverse) {
        const sent = server.log.map((r) => r.prompt).join('\n');
        expect(sent).not.toContain(JSON.stringify(app.name).slice(1, -1));
      }
    } finally {
      await server.close();
    }
  });

  it('sends an invented factor back to the model and keeps the grounded answer', async () => {
    const target = adverse[0]!.applicantId;
    const server = await countingServer({ content: (m) => answer(m, (id) => id === target) });
    try {
      const got = await decide([adverse[0]!], server, 'invented');
      const x = got.get(target) as AdverseExplanation;
      expect(x.factors).not.toContain('zodiac-sign');
      // The first answer was refused by the guard; the re-ask was the second request, and the
      // judge saw only the grounded answer.
      expect(server.log.length).toBe(3);
      expect(isJudge(JSON.parse(server.log[2]!.prompt))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('skips the explanation when the faithfulness judge scores it below 0.7', async () => {
    const target = adverse[0]!.applicantId;
    const server = await countingServer({
      content: (m) =>
        answer(
          m,
          () => false,
          (id) => id === target,
        ),
    });
    try {
      const got = await decide([adverse[0]!], server, 'doubted');
      expect(got.get(target)).toBe('skipped');
      // The notice was written, then judged (and failed the gate): no retry of the step.
      expect(server.log.length).toBe(2);
      expect(isJudge(JSON.parse(server.log[1]!.prompt))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('is skipped, and says how to turn it on, when no model is configured', async () => {
    const off = await loadExplainer({});
    expect(off.enabled).toBe(false);
    const line = formatExplainLine(off);
    expect(line).toContain('skipped');
    expect(line).toContain('BATON_LLM_BASE_URL');
    expect(line).toContain('BATON_LLM_MODEL');
    const half = await loadExplainer({ BATON_LLM_BASE_URL: 'http://127.0.0.1:1/v1' });
    expect(half.enabled).toBe(false);
  });
});
