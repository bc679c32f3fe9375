/**
 * CLI output details, run as subprocesses against a SQLite store built here: `bisect` with no
 * match fails, `--json` errors are JSON, `history --data` prints the data, `diff` lists added
 * slots leaf by leaf, `show` lists steps in version order, and `trace` draws a skipped step as
 * skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  createRuntime,
  createTracing,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { baton, ensureBuilt, tableRows } from './helpers.js';

const Order = contract('cli-out.order@1', z.object({ sku: z.string(), qty: z.number() }));
const Part = contract('cli-out.part@1', z.object({ sku: z.string(), n: z.number() }));
const Note = contract('cli-out.note@1', z.object({ text: z.string() }));

let dir: string;
let S: string[];
let runId: string;

/**
 * `slow` starts first but finishes after `fast` (it waits for it), so start order and version
 * order differ; `gift` is skipped (`when` is false); `note` needs both.
 */
async function prepare(path: string): Promise<string> {
  let fastDone!: () => void;
  const fastFinished = new Promise<void>((r) => {
    fastDone = r;
  });
  const slow = agent({
    name: 'slow',
    version: '1.0.0',
    input: Order,
    output: Part,
    execute: async (o) => {
      await fastFinished;
      return { sku: o.sku, n: o.qty * 2 };
    },
  });
  const fast = agent({
    name: 'fast',
    version: '1.0.0',
    input: Order,
    output: Part,
    execute: (o) => {
      fastDone();
      return { sku: o.sku, n: o.qty };
    },
  });
  const gift = agent({
    name: 'gift',
    version: '1.0.0',
    input: Order,
    output: Note,
    execute: () => ({ text: 'never' }),
  });
  const note = agent({
    name: 'note',
    version: '1.0.0',
    input: Note,
    output: Note,
    execute: (n) => ({ text: `${n.text}!` }),
  });
  const wf = workflow('cli-out', { version: 1, input: Order })
    .step('slow', slow, { input: (s) => s.input })
    .step('fast', fast, { input: (s) => s.input })
    .step('gift', gift, { input: (s) => s.input, when: () => false })
    .step('note', note, {
      needs: ['slow', 'fast', 'gift'],
      input: (s) => ({ text: `${s.slow.n + s.fast.n}` }),
    })
    .output((s) => s.note);
  const store = sqliteStore(path);
  const telemetry = createTracing({ store });
  const rt = createRuntime({ store, workflows: [wf], telemetry });
  try {
    const h = await rt.start(wf, { sku: 'blue-widget', qty: 3 });
    await h.result();
    return h.id;
  } finally {
    await telemetry.flush();
    await rt.close();
  }
}

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'baton-cli-output-'));
  const path = join(dir, 'baton.db');
  runId = await prepare(path);
  S = ['--store', path];
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('CLI output', () => {
  it('bisect with no matching version exits 1 and says so (text and JSON)', async () => {
    const [text, json] = await Promise.all([
      baton([...S, 'bisect', runId, '--where', 'note.text', '==', 'nope']),
      baton([...S, '--json', 'bisect', runId, '--where', 'note.text', '==', 'nope']),
    ]);
    expect(text.code).toBe(1);
    expect(text.stderr).toBe(`no version of run ${runId} where note.text == "nope"\n`);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ found: false });
  });

  it('reports errors as one JSON document on stderr under --json, usage errors included', async () => {
    const [unknownRun, trailing, usage, text] = await Promise.all([
      baton([...S, '--json', 'show', 'nope']),
      baton([...S, 'history', 'nope', '--json']),
      baton([...S, '--json', 'diff', runId, '1']),
      baton([...S, 'show', 'nope']),
    ]);
    for (const r of [unknownRun, trailing]) {
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(JSON.parse(r.stderr)).toEqual({
        error: {
          code: 'NOT_FOUND',
          name: 'NotFoundError',
          message: "run 'nope' not found",
          retryable: false,
          what: 'run',
          id: 'nope',
        },
      });
    }
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stderr)).toEqual({
      error: { code: 'USAGE', message: "missing required argument 'b'" },
    });
    expect(text.stderr).toBe("error: run 'nope' not found\n");
  });

  it('history --data prints each version’s state without --json', async () => {
    const r = await baton([...S, 'history', runId, '--data']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('v1 (input):\n  {\n    "input": {\n      "qty": 3,');
    expect(r.stdout).toMatch(
      /v2 \(gift\):\n {2}\{\n[^v]*"gift": \{\n {6}"reason": "condition false/,
    );
    const plain = await baton([...S, 'history', runId]);
    expect(plain.stdout).not.toContain('"input"');
  });

  it('diff lists an added slot leaf by leaf', async () => {
    const r = await baton([...S, 'diff', runId, '2', '4']);
    expect(r.code).toBe(0);
    const rows = tableRows(r.stdout).slice(1);
    expect(rows).toEqual([
      ['added', 'fast.n', '-', '3'],
      ['added', 'fast.sku', '-', '"blue-widget"'],
      ['added', 'slow.n', '-', '6'],
      ['added', 'slow.sku', '-', '"blue-widget"'],
    ]);
  });

  it('show lists steps in the order of the versions they wrote', async () => {
    const [show, history] = await Promise.all([
      baton([...S, 'show', runId]),
      baton([...S, '--json', 'history', runId]),
    ]);
    const written = (JSON.parse(history.stdout) as { versions: { step: string }[] }).versions
      .map((v) => v.step)
      .slice(1);
    // The point of the test: start order (slow, fast, gift) is not version order.
    expect(written).toEqual(['gift', 'fast', 'slow', 'note']);
    const steps = show.stdout.split('Steps\n')[1]!;
    const rows = tableRows(steps).slice(1);
    expect(rows.map((r) => r[0])).toEqual(written);
    expect(rows.map((r) => r[6])).toEqual(['v2', 'v3', 'v4', 'v5']);
  });

  it('trace draws a skipped step as skipped, not as reading an unknown version', async () => {
    const r = await baton([...S, 'trace', runId, '--width', '120', '--ascii']);
    expect(r.code).toBe(0);
    const line = (label: string) =>
      r.stdout.split('\n').find((l) => l.trimStart().startsWith(label)) ?? '';
    const gift = line('step gift');
    expect(gift).toMatch(/ \.+ +[\d.]+ms -\s+skipped \(marker v2\)$/);
    expect(gift).not.toContain('#');
    expect(gift).not.toContain('v?');
    expect(line('step fast')).toMatch(/#+ .*v1→v3 {2}fast@1\.0\.0$/);
  });
});
