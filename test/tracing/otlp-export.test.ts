import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, createTracing, memoryStore } from '../../src/index.js';
import { applications, referenceWorkflow } from '../orchestrator/fixtures.js';

/** An OTLP attribute as the JSON encoding carries it. */
interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: OtlpAttribute[];
  status?: { code?: number };
}
interface OtlpPayload {
  resourceSpans: { scopeSpans: { scope?: { name?: string }; spans: OtlpSpan[] }[] }[];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A tiny OTLP/HTTP receiver on an ephemeral port that keeps every payload it is sent. */
async function receiver() {
  const payloads: OtlpPayload[] = [];
  const requests: { path: string | undefined; contentType: string | undefined }[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ path: req.url, contentType: req.headers['content-type'] });
    readBody(req).then(
      (body) => {
        payloads.push(JSON.parse(body) as OtlpPayload);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      },
      () => res.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    payloads,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue);
};

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('export over OTLP/HTTP (JSON)', () => {
  it('delivers the run, step and attempt spans with their attributes and parents', async () => {
    const rx = await receiver();
    cleanup.push(rx.close);
    const provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: rx.url }))],
    });
    cleanup.push(() => provider.shutdown());
    const wf = referenceWorkflow();
    const store = memoryStore();
    const rt = createRuntime({
      store,
      workflows: [wf],
      telemetry: createTracing({ tracer: provider.getTracer('baton') }),
    });
    cleanup.push(() => rt.close());
    const run = await rt.start(wf, applications(1)[0]!);
    await run.result();
    await provider.forceFlush();

    expect(rx.requests.length).toBeGreaterThan(0);
    expect(rx.requests[0]).toEqual({ path: '/v1/traces', contentType: 'application/json' });
    const spans = rx.payloads.flatMap((p) =>
      p.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
    );
    const steps = ['score', 'income', 'fraud', 'risk', 'decision'];
    expect(spans.map((s) => s.name).sort()).toEqual(
      [
        'run reference',
        ...steps.map((n) => `step ${n}`),
        ...steps.map((n) => `attempt ${n}`),
      ].sort(),
    );
    const root = spans.find((s) => s.name === 'run reference')!;
    expect(root.parentSpanId ?? '').toBe('');
    expect(root.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(attr(root, 'baton.run.id')).toBe(run.id);
    expect(attr(root, 'baton.workflow')).toBe('reference');
    expect(attr(root, 'baton.workflow.version')).toBe(1);
    expect(attr(root, 'baton.run.status')).toBe('completed');
    const history = await rt.history(run.id);
    for (const name of steps) {
      const step = spans.find((s) => s.name === `step ${name}`)!;
      const attempt = spans.find((s) => s.name === `attempt ${name}`)!;
      expect(step.parentSpanId).toBe(root.spanId);
      expect(attempt.parentSpanId).toBe(step.spanId);
      expect(step.traceId).toBe(root.traceId);
      const snap = history.find((h) => h.step === name)!;
      expect(attr(step, 'baton.state.version.in')).toBe(snap.inputVersion);
      expect(attr(step, 'baton.state.version.out')).toBe(snap.version);
      expect(attr(attempt, 'baton.agent')).toBe(name);
      expect(attr(attempt, 'baton.agent.version')).toBe('1.0.0');
      expect(attr(attempt, 'baton.attempt')).toBe(1);
    }
  });
});
