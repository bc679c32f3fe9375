/** Row 9: text from the store never drives the terminal; JSON output stays exact. */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { escapeControls } from '../../src/cli/terminal-safe.js';
import { agent, createRuntime, sqliteStore, workflow } from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { Num } from './fixtures.js';

const FORGED = '\u001b[2J\u001b[31mFAKE: all runs verified';
const EVIL_ID = 'run-\u001b[2J-\u009b31m';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function capture(color = false) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), color },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

async function storeWithForgedError(): Promise<string> {
  const { path, remove } = tempDbPath('cli-escapes');
  cleanups.push(remove);
  const liar = agent({
    name: 'liar',
    version: '1.0.0',
    input: Num,
    output: Num,
    policy: { retry: { maxAttempts: 1 } },
    execute: async () => {
      throw new Error(FORGED);
    },
  });
  const wf = workflow('escapes', { version: 1, input: Num })
    .step('liar', liar, { input: (s) => s.input })
    .output((s) => s.liar);
  const rt = createRuntime({ store: sqliteStore(path), workflows: [wf] });
  try {
    const run = await rt.start(wf, 1, { runId: EVIL_ID });
    await run.result().catch(() => undefined);
  } finally {
    await rt.close();
  }
  return path;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('control characters in CLI output', () => {
  it('show and runs print escapes as visible text, never raw', async () => {
    const path = await storeWithForgedError();
    const show = capture();
    await runCli(['--store', path, 'show', EVIL_ID], show.io);
    expect(show.out()).toContain('\\u001b[2J\\u001b[31mFAKE');
    expect(RAW_CONTROL.test(show.out() + show.err())).toBe(false);
    const runs = capture();
    expect(await runCli(['--store', path, 'runs'], runs.io)).toBe(0);
    expect(runs.out()).toContain('run-\\u001b[2J-\\u009b31m');
    expect(RAW_CONTROL.test(runs.out())).toBe(false);
  });

  it('JSON output still decodes to the exact stored text', async () => {
    const path = await storeWithForgedError();
    const runs = capture();
    expect(await runCli(['--store', path, 'runs', '--json'], runs.io)).toBe(0);
    expect(RAW_CONTROL.test(runs.out())).toBe(false);
    const parsed = JSON.parse(runs.out()) as unknown;
    const decoded = (Array.isArray(parsed) ? parsed : (parsed as { runs: unknown[] }).runs) as {
      runId: string;
    }[];
    expect(decoded.map((r) => r.runId)).toContain(EVIL_ID);
  });

  it('keeps the CLI’s own colours when colour is on, and escapes every other sequence', () => {
    const own = '\u001b[31mfailed\u001b[39m';
    // With colour on, the eight colour codes the CLI uses pass (they can only colour text);
    // clearing the screen, moving the cursor or any other sequence is shown escaped.
    expect(escapeControls(`${own} \u001b[2J\u001b[8mhidden\u001b[H`, true)).toBe(
      `${own} \\u001b[2J\\u001b[8mhidden\\u001b[H`,
    );
    expect(escapeControls(own, false)).toBe('\\u001b[31mfailed\\u001b[39m');
    expect(escapeControls('line\n\tindented\r', false)).toBe('line\n\tindented\\u000d');
  });
});
