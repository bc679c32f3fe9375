import { afterEach, describe, expect, it } from 'vitest';
import { isRunFailedError, workflow } from '../../src/index.js';
import {
  createModelGateway,
  type GatewayModel,
  type LlmAgentOptions,
  llmAgent,
  piiGuard,
} from '../../src/llm/index.js';
import {
  DECLINED,
  Decision,
  type DecisionData,
  Explanation,
  type ExplanationData,
  type FakeOpenAi,
  fakeOpenAi,
  GOOD,
  type LlmRuntime,
  llmRuntime,
} from './helpers.js';

const servers: FakeOpenAi[] = [];
let env: LlmRuntime | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(answer: Parameters<typeof fakeOpenAi>[0]): Promise<FakeOpenAi> {
  const s = await fakeOpenAi(answer);
  servers.push(s);
  return s;
}

type Message = { role: string; content: unknown };
const messagesOf = (body: Record<string, unknown>) => body.messages as Message[];

function flow(
  model: ReturnType<FakeOpenAi['model']> | GatewayModel,
  extra: Pick<LlmAgentOptions<DecisionData, ExplanationData>, 'guards'> = {},
) {
  const explain = llmAgent({
    name: 'explain',
    version: '1.0.0',
    model,
    input: Decision,
    output: Explanation,
    instructions: 'Explain the decision.',
    prompt: (d) => JSON.stringify(d),
    settings: { maxRetries: 0, temperature: 0 },
    policy: { retry: { maxAttempts: 1 } },
    ...extra,
  });
  return workflow('explain-http', { version: 1, input: Decision })
    .step('explain', explain, { input: (s) => s.input })
    .output((s) => s.explain);
}

describe('llmAgent over HTTP through @ai-sdk/openai-compatible', () => {
  it('sends the contract as a JSON schema response format and maps the usage back', async () => {
    const s = await server(() => ({ content: GOOD, promptTokens: 37, completionTokens: 11 }));
    const f = flow(s.model('local-model'));
    env = llmRuntime([f]);
    const run = await env.rt.start(f, DECLINED);
    expect(await run.result()).toEqual(JSON.parse(GOOD));
    expect(s.requests).toHaveLength(1);
    const body = s.requests[0]!;
    expect(body.model).toBe('local-model');
    expect(body.temperature).toBe(0);
    expect(body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: {
        name: 'test_explanation',
        schema: { type: 'object', required: ['summary', 'reasons', 'confidence'] },
      },
    });
    expect(messagesOf(body).map((m) => m.role)).toEqual(['system', 'user']);
    await env.tracing.flush();
    const attempt = (await env.rt.trace(run.id)).find((x) => x.kind === 'attempt')!;
    expect(attempt.attributes).toMatchObject({
      'gen_ai.provider.name': 'local',
      'gen_ai.request.model': 'local-model',
      'gen_ai.usage.input_tokens': 37,
      'gen_ai.usage.output_tokens': 11,
    });
  });

  it('re-asks over HTTP with the first answer and the issues in the conversation', async () => {
    const s = await server((_b, n) => ({ content: n === 1 ? '{"summary": ' : GOOD }));
    const f = flow(s.model());
    env = llmRuntime([f]);
    const run = await env.rt.start(f, DECLINED);
    expect(await run.result()).toEqual(JSON.parse(GOOD));
    expect(s.requests).toHaveLength(2);
    const second = messagesOf(s.requests[1]!);
    expect(second.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(second[2]!.content).toBe('{"summary": ');
    expect(String(second[3]!.content)).toContain('not valid JSON');
  });

  it('redacts personal data before the prompt leaves the process', async () => {
    const s = await server(() => ({ content: GOOD }));
    const f = flow(s.model(), { guards: [piiGuard()] });
    env = llmRuntime([f]);
    const applicant = 'jane.doe@example.com, SSN 123-45-6789, +1 415-555-0100';
    const run = await env.rt.start(f, { ...DECLINED, applicant });
    await run.result();
    const sent = JSON.stringify(s.requests);
    expect(sent).not.toContain('jane.doe@example.com');
    expect(sent).not.toContain('123-45-6789');
    expect(sent).not.toContain('555-0100');
    expect(sent).toContain('[email], SSN [ssn], [phone]');
  });

  it('refuses to send a prompt with personal data when the guard blocks', async () => {
    const s = await server(() => ({ content: GOOD }));
    const f = flow(s.model(), { guards: [piiGuard({ kinds: ['email'], action: 'block' })] });
    env = llmRuntime([f]);
    const run = await env.rt.start(f, { ...DECLINED, applicant: 'jane@example.com' });
    const error = await run.result().catch((e: unknown) => e);
    expect(isRunFailedError(error) && error.failure.code).toBe('GUARD_VIOLATION');
    expect(s.requests).toHaveLength(0);
  });

  it('falls back to the next model when a provider fails, and stops calling it once its breaker opens', async () => {
    const down = await server(() => ({ status: 500 }));
    const up = await server(() => ({ content: GOOD }));
    const gateway = createModelGateway({
      models: {
        primary: {
          model: down.model('big'),
          breaker: { failureThreshold: 2, resetAfterMs: 60_000 },
        },
        backup: { model: up.model('small') },
      },
      fallbacks: { primary: ['backup'] },
    });
    const f = flow(gateway.model('primary'));
    env = llmRuntime([f]);
    for (let i = 0; i < 4; i++) {
      const run = await env.rt.start(f, DECLINED);
      expect(await run.result()).toEqual(JSON.parse(GOOD));
    }
    // Two failures opened the primary's breaker: later calls went straight to the backup.
    expect(down.requests).toHaveLength(2);
    expect(up.requests).toHaveLength(4);
    expect(gateway.stats().find((x) => x.id === 'primary')?.breaker).toBe('open');
    await env.tracing.flush();
    const runs = await env.rt.listRuns();
    const attempt = (await env.rt.trace(runs[0]!.runId)).find((x) => x.kind === 'attempt')!;
    expect(attempt.attributes['gen_ai.request.model']).toBe('small');
    expect(attempt.attributes['baton.llm.model']).toBe('backup');
  });
});
