import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  agent,
  contract,
  createRuntime,
  isContractViolationError,
  isInvalidDefinitionError,
  memoryStore,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { irreversibleTools, llmAgent } from '../../src/llm/index.js';
import { untilStatus } from '../orchestrator/helpers.js';
import { tempDbPath } from '../support/temp-db.js';
import {
  approvalWorkflow,
  FIRST_WAIT,
  Receipt,
  Refund,
  refundAgent,
} from './fixtures/approval-workflow.js';
import {
  type CallOptions,
  DECLINED,
  Decision,
  Explanation,
  GOOD,
  type LlmRuntime,
  llmRuntime,
  scripted,
} from './helpers.js';

let env: LlmRuntime | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const REFUND_CALL = { toolCalls: [{ name: 'refund', input: '{"applicant":"A-17"}' }] } as const;

/** Every tool result and denial the model was shown, as JSON text. */
const toolParts = (call: CallOptions): string =>
  JSON.stringify(call.prompt.filter((m) => m.role === 'tool'));

describe('tool approvals as durable human waits', () => {
  it('parks the step on the tool call, then runs the approved tool and lets the model finish', async () => {
    const model = scripted([REFUND_CALL, GOOD]);
    const executed: string[] = [];
    const wf = approvalWorkflow(model, executed);
    env = llmRuntime([wf]);
    const run = await env.rt.start(wf, DECLINED);
    await untilStatus(env.rt, run.id, 'waiting');
    expect((await env.rt.getRun(run.id)).waitingFor).toBe(FIRST_WAIT);
    expect(await env.rt.waits()).toMatchObject([
      { runId: run.id, step: FIRST_WAIT, reason: 'agent' },
    ]);
    expect(executed).toEqual([]);

    const bad = await env.rt
      .signal(run.id, FIRST_WAIT, { approved: 'yes' })
      .catch((e: unknown) => e);
    expect(isContractViolationError(bad)).toBe(true);
    expect(await run.status()).toBe('waiting');

    await env.rt.signal(run.id, FIRST_WAIT, { approved: true });
    expect(await run.result()).toEqual(JSON.parse(GOOD));
    expect(executed).toEqual(['A-17']);
    expect(model.doGenerateCalls).toHaveLength(2);
    expect(toolParts(model.doGenerateCalls[1]!)).toContain('"refunded":true');
    const types = (await env.rt.journal(run.id)).map((j) => j.type);
    expect(types).toContain('wait.started');
    expect(types).toContain('signal.received');
  });

  it('tells the model a rejected call was rejected, with the reason, and never runs the tool', async () => {
    const model = scripted([REFUND_CALL, GOOD]);
    const executed: string[] = [];
    const wf = approvalWorkflow(model, executed);
    env = llmRuntime([wf]);
    const run = await env.rt.start(wf, DECLINED);
    await untilStatus(env.rt, run.id, 'waiting');
    await env.rt.signal(run.id, FIRST_WAIT, { approved: false, reason: 'refunds need a manager' });
    expect(await run.result()).toEqual(JSON.parse(GOOD));
    expect(executed).toEqual([]);
    expect(model.doGenerateCalls).toHaveLength(2);
    expect(toolParts(model.doGenerateCalls[1]!)).toContain('refunds need a manager');
  });

  it('survives a killed process: a new runtime on the same file delivers the approval and no model call repeats', async () => {
    const db = tempDbPath('approval');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./fixtures/approval-child.ts', import.meta.url)),
        db.path,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const l = out.split('\n').find((x) => x.startsWith('{'));
        if (l && out.includes('\n')) resolve(l);
      });
      child.on('exit', (code) => reject(new Error(`child exited ${code}: ${err}`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const parked = JSON.parse(line) as {
      runId: string;
      waitingFor: string;
      calls: number;
      executed: string[];
    };
    expect(parked).toMatchObject({ waitingFor: FIRST_WAIT, calls: 1, executed: [] });

    const model = scripted([GOOD]);
    const executed: string[] = [];
    const wf = approvalWorkflow(model, executed);
    const rt = createRuntime({ store: sqliteStore(db.path), workflows: [wf] });
    try {
      await rt.signal(parked.runId, FIRST_WAIT, { approved: true });
      await untilStatus(rt, parked.runId, 'completed');
      expect((await rt.getRun(parked.runId)).output).toEqual(JSON.parse(GOOD));
      expect(executed).toEqual(['A-17']);
      // One call in this process, the continuation: the child's call was not repeated.
      expect(model.doGenerateCalls).toHaveLength(1);
      const prompt = JSON.stringify(model.doGenerateCalls[0]!.prompt);
      expect(prompt).toContain('call-1-0');
      expect(prompt).toContain('"refunded":true');
    } finally {
      await rt.close();
      await db.remove();
    }
  });

  it('refuses an irreversible tool without needsApproval at definition', () => {
    const refund = refundAgent();
    const base = {
      name: 'explain',
      version: '1.0.0',
      model: scripted([GOOD]),
      input: Decision,
      output: Explanation,
    } as const;
    const marked = () =>
      llmAgent({ ...base, tools: { refund: { agent: refund, irreversible: true } } });
    expect(marked).toThrow(/'refund' is irreversible, so it must have needsApproval/);
    const listed = () =>
      llmAgent({ ...base, tools: { refund }, guards: [irreversibleTools(['refund'])] });
    expect(listed).toThrow(/'refund' is irreversible/);
    try {
      listed();
    } catch (e) {
      expect(isInvalidDefinitionError(e)).toBe(true);
    }
  });

  it('fails the step with GuardViolationError when an irreversible tool would run unapproved', async () => {
    const executed: string[] = [];
    const refund = refundAgent(executed);
    const explain = llmAgent({
      name: 'explain',
      version: '1.0.0',
      model: scripted([REFUND_CALL, GOOD]),
      input: Decision,
      output: Explanation,
      // The predicate waves this call through, but the deny-list holds.
      tools: { refund: { agent: refund, needsApproval: () => false } },
      guards: [irreversibleTools(['refund'])],
    });
    const wf = workflow('unapproved', { version: 1, input: Decision })
      .step('explain', explain, { input: (s) => s.input })
      .output((s) => s.explain);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const run = await rt.start(wf, DECLINED);
    await expect(run.result()).rejects.toThrow(/guard 'irreversible-tools'/);
    const failed = (await rt.getRun(run.id)).error;
    expect(failed).toMatchObject({ code: 'GUARD_VIOLATION', step: 'explain' });
    expect(executed).toEqual([]);
    await rt.close();
  });
});

describe('agent waits (ctx.suspend), the generic mechanism', () => {
  it('parks a plain agent on its own wait and executes it again with the saved detail and the payload', async () => {
    const Out = contract('test.out@1', Receipt.schema);
    const seen: unknown[] = [];
    const asker = agent({
      name: 'asker',
      version: '1.0.0',
      input: Refund,
      output: Out,
      execute: async (_i, ctx) => {
        const r = await ctx.resumption!();
        seen.push(r ?? null);
        if (!r) return ctx.suspend!('ok', { detail: { asked: 1 } });
        return { refunded: (r.payload as { yes: boolean }).yes };
      },
    });
    const wf = workflow('asking', { version: 1, input: Refund })
      .step('ask', asker, { input: (s) => s.input })
      .output((s) => s.ask);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const run = await rt.start(wf, { applicant: 'A-1' });
    await untilStatus(rt, run.id, 'waiting');
    expect((await rt.getRun(run.id)).waitingFor).toBe('ask:ok');
    await rt.signal(run.id, 'ask:ok', { yes: true });
    expect(await run.result()).toEqual({ refunded: true });
    expect(seen).toEqual([null, { wait: 'ask:ok', detail: { asked: 1 }, payload: { yes: true } }]);
    await rt.close();
  });
});

describe('bad input to approvals and agent waits', () => {
  type Ctx = { suspend(key: string, options?: object): never };
  let misuse: (ctx: Ctx) => never = (c) => c.suspend('ok');
  const asker = agent({
    name: 'bad-asker',
    version: '1.0.0',
    input: Refund,
    output: Receipt,
    execute: (_i, ctx) => misuse(ctx as Ctx),
  });
  const asking = workflow('bad-asking', { version: 1, input: Refund })
    .step('ask', asker, { input: (s) => s.input })
    .output((s) => s.ask);

  it.each<[string, (c: Ctx) => never, RegExp]>([
    ['a key with a comma', (c) => c.suspend('a,b'), /suspend key must be/],
    ['an empty key', (c) => c.suspend(''), /suspend key must be/],
    [
      'a detail that is not JSON',
      (c) => c.suspend('ok', { detail: { f: () => 1 } }),
      /\$\.suspend\.detail/,
    ],
    [
      'accepts that is not a schema',
      (c) => c.suspend('ok', { accepts: 'yes' }),
      /accepts must be a JSON Schema object/,
    ],
  ])(
    'fails the step on %s, parks nothing and keeps the run verifiable',
    async (_what, call, message) => {
      misuse = call;
      const rt = createRuntime({ store: memoryStore(), workflows: [asking] });
      const run = await rt.start(asking, { applicant: 'A-1' });
      await expect(run.result()).rejects.toThrow(message);
      expect(await rt.waits()).toEqual([]);
      expect(await rt.getRun(run.id)).toMatchObject({ status: 'failed' });
      expect((await rt.verify(run.id)).ok).toBe(true);
      await rt.close();
    },
  );
  it('fails the step, naming the tool, when a needsApproval predicate throws; the tool never runs', async () => {
    const executed: string[] = [];
    const refund = refundAgent(executed);
    const explain = llmAgent({
      name: 'explain',
      version: '1.0.0',
      model: scripted([REFUND_CALL, GOOD]),
      input: Decision,
      output: Explanation,
      tools: {
        refund: {
          agent: refund,
          needsApproval: () => {
            throw new Error('policy service down');
          },
        },
      },
    });
    const wf = workflow('throwing-predicate', { version: 1, input: Decision })
      .step('explain', explain, { input: (s) => s.input })
      .output((s) => s.explain);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const run = await rt.start(wf, DECLINED);
    await expect(run.result()).rejects.toThrow(
      /tool 'refund': its needsApproval predicate threw: policy service down/,
    );
    expect((await rt.getRun(run.id)).error).toMatchObject({
      code: 'AGENT_FAILED',
      step: 'explain',
    });
    expect(await rt.waits()).toEqual([]);
    expect(executed).toEqual([]);
    await rt.close();
  });
});
