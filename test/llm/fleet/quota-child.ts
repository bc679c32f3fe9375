/**
 * A worker process of the fleet quota tests: opens the shared store (a SQLite file or a
 * PostgreSQL schema), builds a gateway whose limits live in that store, makes `calls` model calls
 * at once through real HTTP to the test's server, and prints one JSON line with what happened.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText } from 'ai';
import { postgresStore } from '../../../src/backends/postgres/index.js';
import { type StateStore, sqliteStore } from '../../../src/index.js';
import { createModelGateway } from '../../../src/llm/index.js';

/** What the parent passes as argv[2]. */
export interface QuotaChildConfig {
  readonly store:
    | { kind: 'sqlite'; path: string }
    | { kind: 'postgres'; url: string; schema: string };
  readonly baseURL: string;
  readonly name: string;
  readonly calls: number;
  readonly rpm?: number;
  readonly concurrency?: number;
  readonly windowMs: number;
  readonly maxWaitMs: number;
}

/** What the child prints when done. */
export interface QuotaChildReport {
  readonly name: string;
  readonly ok: number;
  readonly codes: Record<string, number>;
}

const config = JSON.parse(process.argv[2] ?? '{}') as QuotaChildConfig;
const store: StateStore =
  config.store.kind === 'sqlite'
    ? sqliteStore(config.store.path)
    : postgresStore({
        connectionString: config.store.url,
        schema: config.store.schema,
        poolSize: 4,
      });
await store.migrate();
const provider = createOpenAICompatible({ name: 'fleet', baseURL: config.baseURL });
const gateway = createModelGateway({
  models: {
    shared: {
      model: provider('shared-model'),
      rpm: config.rpm,
      concurrency: config.concurrency,
    },
  },
  windowMs: config.windowMs,
  maxWaitMs: config.maxWaitMs,
  store,
});
const model = gateway.model('shared');
const codes: Record<string, number> = {};
let ok = 0;
await Promise.all(
  Array.from({ length: config.calls }, (_, i) =>
    model
      .invoke({ runId: `${config.name}-${i}`, estimateTokens: 15 }, async (m) => {
        const r = await generateText({ model: m.model, prompt: `${config.name} call ${i}` });
        return {
          value: r.text,
          tokens: {
            inputTokens: r.usage.inputTokens ?? 0,
            outputTokens: r.usage.outputTokens ?? 0,
            cachedInputTokens: 0,
            reasoningTokens: 0,
          },
        };
      })
      .then(
        () => {
          ok++;
        },
        (e: unknown) => {
          const code = (e as { code?: string }).code ?? String(e);
          codes[code] = (codes[code] ?? 0) + 1;
        },
      ),
  ),
);
await store.close();
const report: QuotaChildReport = { name: config.name, ok, codes };
process.stdout.write(`${JSON.stringify(report)}\n`);
