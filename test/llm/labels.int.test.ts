import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import {
  agent,
  createRuntime,
  isInvalidArgumentError,
  isNotFoundError,
  type JudgeAgreement,
  type JudgesReport,
  type Runtime,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { llmJudge } from '../../src/llm/index.js';
import {
  DECLINED,
  Decision,
  Explanation,
  type ExplanationData,
  GOOD,
  type LlmRuntime,
  lastUserText,
  llmRuntime,
  scripted,
} from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** What the LLM judge scores each applicant's explanation. */
const JUDGE_SCORES: Readonly<Record<string, number>> = { u1: 0.9, u2: 0.8, u3: 0.2, u4: 0.4 };

function labelledFlow() {
  const judgeModel = scripted((call) => {
    const applicant = /"applicant":"(u\d)"/.exec(lastUserText(call))?.[1] ?? 'u1';
    const score = JUDGE_SCORES[applicant]!;
    return JSON.stringify({ score, rationale: `scored ${score}` });
  });
  const writer = agent({
    name: 'writer',
    version: '1.0.0',
    input: Decision,
    output: Explanation,
    execute: () => JSON.parse(GOOD) as ExplanationData,
  });
  return workflow('labelled', { version: 1, input: Decision })
    .step('explain', writer, {
      input: (s) => s.input,
      evaluate: [
        // No minScore: the score is only recorded, and the threshold is 0.5.
        llmJudge({
          name: 'faithful',
          version: '2',
          model: judgeModel,
          rubric: 'no invented factor',
        }),
        { name: 'lenient', fn: () => ({ score: 1 }) },
      ],
    })
    .output((s) => s.explain);
}

/** Starts one run per applicant; returns their ids by applicant. */
async function runAll(env: LlmRuntime, flow: ReturnType<typeof labelledFlow>) {
  const ids: Record<string, string> = {};
  for (const applicant of Object.keys(JUDGE_SCORES)) {
    const run = await env.rt.start(flow, { ...DECLINED, applicant });
    await run.result();
    ids[applicant] = run.id;
  }
  return ids;
}

const row = (report: JudgesReport, name: string): JudgeAgreement =>
  report.judges.find((j) => j.name === name)!;

async function setup() {
  const flow = labelledFlow();
  const env = llmRuntime([flow]);
  cleanups.push(env.close);
  return { flow, env, ids: await runAll(env, flow) };
}

describe('human labels and judge agreement', () => {
  it('reports accuracy and kappa per judge and version, with hand-computed figures', async () => {
    const { env, ids } = await setup();
    await env.rt.label(ids.u1!, 'explain', 'pass');
    await env.rt.label(ids.u2!, 'explain', 'fail', { note: 'reason 2 is invented' });
    await env.rt.label(ids.u3!, 'explain', 0.1);
    await env.rt.label(ids.u4!, 'explain', 0.6);
    const report = await env.rt.judges();
    expect(report.labels).toBe(4);
    expect(report.unmatched).toBe(0);
    expect(report.judges.map((j) => j.judge)).toEqual(['faithful@2', 'lenient']);
    // faithful: u1 both pass, u2 judge only, u3 both fail, u4 human only: po 0.5, pe 0.5.
    expect(row(report, 'faithful')).toMatchObject({
      version: '2',
      labelled: 4,
      agreed: 2,
      bothPass: 1,
      judgeOnlyPass: 1,
      humanOnlyPass: 1,
      bothFail: 1,
      accuracy: 0.5,
      kappa: 0,
    });
    // lenient passes everything; humans pass half: po 0.5, pe 0.5.
    expect(row(report, 'lenient')).toMatchObject({ version: null, accuracy: 0.5, kappa: 0 });
  });

  it('lets a judge-specific label win for that judge and the latest label win overall', async () => {
    const { env, ids } = await setup();
    await env.rt.label(ids.u1!, 'explain', 'pass');
    await env.rt.label(ids.u2!, 'explain', 'fail');
    await env.rt.label(ids.u3!, 'explain', 0.1);
    await env.rt.label(ids.u4!, 'explain', 0.6);
    await env.rt.label(ids.u2!, 'explain', 'pass', { judge: 'lenient' });
    await env.rt.label(ids.u3!, 'explain', 1, { judge: 'lenient' });
    let report = await env.rt.judges();
    // Every label of lenient is now a pass, as are its verdicts: chance agreement is 1.
    expect(row(report, 'lenient')).toMatchObject({ accuracy: 1, kappa: null });
    expect(row(report, 'lenient').kappaUndefined).toMatch(/chance is 1/);
    expect(row(report, 'faithful')).toMatchObject({ accuracy: 0.5, kappa: 0 });

    await env.rt.label(ids.u1!, 'explain', 'fail'); // a reviewer changes their mind
    report = await env.rt.judges();
    // faithful: u1, u2 judge only; u3 both fail; u4 human only: po 0.25, pe 0.5, kappa -0.5.
    expect(row(report, 'faithful')).toMatchObject({ agreed: 1, accuracy: 0.25, kappa: -0.5 });
    // lenient: u1 judge only, u2..u4 both pass: po 0.75, pe 0.75, kappa 0.
    expect(row(report, 'lenient')).toMatchObject({ accuracy: 0.75, kappa: 0 });
    expect((await env.rt.judges({ judge: 'faithful@2' })).judges.map((j) => j.judge)).toEqual([
      'faithful@2',
    ]);
  });

  it('keeps labels across a restart and shows them to every runtime on the store', async () => {
    const { env, ids } = await setup();
    const other = createRuntime({ store: sqliteStore(env.path), resume: false });
    cleanups.push(() => other.close());
    await other.label(ids.u1!, 'explain', 'pass');
    await env.rt.label(ids.u3!, 'explain', 'fail', { judge: 'faithful' });
    expect(row(await env.rt.judges(), 'faithful')).toMatchObject({ labelled: 2, accuracy: 1 });
    await other.close();
    const reopened: Runtime = createRuntime({ store: sqliteStore(env.path), resume: false });
    cleanups.push(() => reopened.close());
    const report = await reopened.judges();
    expect(report.labels).toBe(2);
    expect(row(report, 'faithful')).toMatchObject({ labelled: 2, bothPass: 1, bothFail: 1 });
  });

  it('refuses a label for an unknown run, step or judge, or with a bad score or option', async () => {
    const { env, ids } = await setup();
    const id = ids.u1!;
    const refused = async (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isNotFoundError(await refused(env.rt.label('no-such-run', 'explain', 1)))).toBe(true);
    expect(isNotFoundError(await refused(env.rt.label(id, 'nope', 1)))).toBe(true);
    expect(
      isNotFoundError(await refused(env.rt.label(id, 'explain', 1, { judge: 'nobody' }))),
    ).toBe(true);
    for (const score of [1.5, -0.1, Number.NaN, 'maybe', null])
      expect(
        isInvalidArgumentError(await refused(env.rt.label(id, 'explain', score as never))),
      ).toBe(true);
    for (const options of [{ judgee: 'x' }, { judge: '' }, { note: 'x'.repeat(2_001) }])
      expect(
        isInvalidArgumentError(await refused(env.rt.label(id, 'explain', 1, options as never))),
      ).toBe(true);
    expect((await env.rt.judges()).labels).toBe(0);
  });
});

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    color: false,
  });
  return { code, out, err };
}

describe('baton label and baton judges', () => {
  it('records labels and prints each judge with its accuracy and kappa', async () => {
    const { env, ids } = await setup();
    await env.tracing.flush();
    const store = ['--store', env.path];
    expect((await cli([...store, 'label', ids.u1!, 'explain', 'pass'])).code).toBe(0);
    const labelled = await cli([
      ...store,
      '--json',
      'label',
      ids.u3!,
      'explain',
      '0.1',
      '--note',
      'off',
    ]);
    expect(labelled.code).toBe(0);
    expect(JSON.parse(labelled.out)).toMatchObject({ score: 0.1, verdict: null, note: 'off' });
    const text = await cli([...store, 'judges']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/faithful\s+2\s+2\s+2\s+100\.0%\s+1\.00/);
    // lenient passed both; humans passed one: kappa 0.
    expect(text.out).toMatch(/lenient\s+-\s+2\s+1\s+50\.0%\s+0\.00/);
    const json = JSON.parse((await cli([...store, '--json', 'judges'])).out) as JudgesReport;
    expect(json.judges.map((j) => [j.judge, j.kappa])).toEqual([
      ['faithful@2', 1],
      ['lenient', 0],
    ]);
    const bad = await cli([...store, 'label', ids.u1!, 'explain', '2']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("'pass', 'fail' or a number in [0, 1]");
    const unknown = await cli([...store, 'label', 'no-such-run', 'explain', 'pass']);
    expect(unknown.code).toBe(1);
  });

  it('says kappa is undefined, and why, when every verdict is the same', async () => {
    const { env, ids } = await setup();
    const store = ['--store', env.path];
    await cli([...store, 'label', ids.u1!, 'explain', 'pass', '--judge', 'lenient']);
    const text = await cli([...store, 'judges', '--judge', 'lenient']);
    expect(text.out).toMatch(/lenient\s+-\s+1\s+1\s+100\.0%\s+undefined/);
    expect(text.out).toContain("lenient: kappa undefined: judge and humans gave only 'pass'");
  });
});
