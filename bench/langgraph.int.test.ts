import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLangGraphImpl, verifyLangGraphFile } from './langgraph.js';
import { type Decision, generateApplications, runPool, verifyDecisions } from './workload.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-lg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const apps = generateApplications(3, 24);

async function runAll(dbPath: string | null): Promise<(Decision | undefined)[]> {
  const impl = createLangGraphImpl({ mode: 'trivial', dbPath });
  const out = new Array<Decision | undefined>(apps.length);
  try {
    await runPool(apps.length, 8, async (i) => {
      out[i] = await impl.run(apps[i]!, i);
    });
  } finally {
    await impl.close();
  }
  return out;
}

describe('the LangGraph.js implementation', () => {
  it('decides every application as the oracle does without a checkpointer', async () => {
    verifyDecisions('langgraph', apps, await runAll(null));
  });

  it('decides as the oracle does with SqliteSaver and leaves a thread per run in the file', async () => {
    const dbPath = join(dir, 'lg.db');
    verifyDecisions('langgraph+sqlite', apps, await runAll(dbPath));
    expect(() => verifyLangGraphFile(dbPath, apps.length)).not.toThrow();
    expect(() => verifyLangGraphFile(dbPath, apps.length + 1)).toThrow(
      /24 threads .* expected 25 threads/,
    );
  });
});
