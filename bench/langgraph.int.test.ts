import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decideAll } from './impl.js';
import { createLangGraphImpl, verifyLangGraphFile } from './langgraph.js';
import { type Decision, generateApplications, verifyDecisions } from './workload.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-lg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const apps = generateApplications(3, 24);

async function runAll(dbPath: string | null): Promise<(Decision | undefined)[]> {
  return decideAll(createLangGraphImpl({ mode: 'trivial', dbPath }), apps, 8);
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
