/**
 * The CLI on search attributes and live runs: `runs --where`, `--cursor`, and `show --follow`
 * on a waiting run that another runtime resumes while the command follows it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createRuntime, type Runtime, sqliteStore } from '../../src/index.js';
import { capturedIo } from '../support/captured-io.js';
import { tempDbPath } from '../support/temp-db.js';
import { loanWorkflow } from './fixtures/workflows.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const io = capturedIo;

async function prepared(): Promise<{ path: string; rt: Runtime }> {
  const { path, remove } = tempDbPath('cli-observe');
  cleanups.push(remove);
  const rt = createRuntime({ store: sqliteStore(path), pollMs: 50 });
  cleanups.unshift(() => rt.close());
  await rt.ready();
  return { path, rt };
}

describe('baton runs --where', () => {
  it('lists the runs of one applicant and pages with --cursor', async () => {
    const { path, rt } = await prepared();
    const ids: string[] = [];
    const wf = loanWorkflow();
    for (const applicant of ['ann', 'bob', 'ann', 'ann']) {
      const run = await rt.start(wf, { applicant, amount: 1, product: 'p' });
      await run.result();
      ids.push(run.id);
    }
    const a = io();
    expect(
      await runCli(
        ['--store', path, '--json', 'runs', '--where', 'applicant=ann', '--limit', '2'],
        a.io,
      ),
    ).toBe(0);
    const page = JSON.parse(a.out()) as { runs: { runId: string }[]; nextCursor: string };
    expect(page.runs.map((r) => r.runId)).toEqual([ids[3], ids[2]]);
    const b = io();
    expect(
      await runCli(
        [
          '--store',
          path,
          '--json',
          'runs',
          '--where',
          'applicant=ann',
          '--cursor',
          page.nextCursor,
        ],
        b.io,
      ),
    ).toBe(0);
    expect((JSON.parse(b.out()) as { runs: { runId: string }[] }).runs.map((r) => r.runId)).toEqual(
      [ids[0]],
    );
    const bad = io();
    expect(await runCli(['--store', path, 'runs', '--where', 'nokey'], bad.io)).toBe(2);
    expect(bad.err()).toContain('key=value');
  });
});

describe('baton show --follow', () => {
  it('prints the events of a waiting run as another runtime resumes it, then ends', async () => {
    const { path, rt } = await prepared();
    const run = await rt.start(loanWorkflow({ review: true }), {
      applicant: 'w',
      amount: 1,
      product: 'p',
    });
    for await (const e of rt.watch(run.id)) if (e.status === 'waiting') break;
    let printed: () => void = () => {};
    const shown = new Promise<void>((resolve) => {
      printed = resolve;
    });
    const c = io();
    const out = c.io.out;
    c.io.out = (s: string) => {
      out(s);
      if (c.out().includes('waiting')) printed();
    };
    const following = runCli(['--store', path, 'show', run.id, '--follow'], c.io);
    // Signal once the command printed the run (it follows from then on).
    await shown;
    await rt.signal(run.id, 'review', { approved: true, note: 'fine' });
    expect(await following).toBe(0);
    expect(c.out()).toMatch(/signal\.received\s+step=review/);
    expect(c.out()).toMatch(/→ completed/);
  });
});
