import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createRuntime, sqliteStore } from '../../src/index.js';
import { capturedIo } from '../support/captured-io.js';
import { tempDbPath } from '../support/temp-db.js';
import { calls, childFlow, parentFlow } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const io = capturedIo;

describe('baton show, schedules and prune', () => {
  it('links parent and child, steers schedules and prunes from the command line', async () => {
    const { path, remove } = tempDbPath('compose-cli');
    cleanups.push(remove);
    const parent = parentFlow(childFlow(calls()));
    const rt = createRuntime({ store: sqliteStore(path), workflows: [parent], pollMs: 50 });
    const run = await rt.start(parent, { n: 1 });
    await run.result();
    await rt.schedule('hourly', parent, { cron: '0 * * * *', input: { n: 3 } });
    await rt.close();

    const show = io();
    expect(await runCli(['--store', path, 'show', `${run.id}.child`], show.io)).toBe(0);
    expect(show.out()).toMatch(new RegExp(`child of: +${run.id} \\(step child\\)`));
    const showParent = io();
    expect(await runCli(['--store', path, 'show', run.id], showParent.io)).toBe(0);
    expect(showParent.out()).toMatch(
      new RegExp(`Child runs[\\s\\S]*${run.id}\\.child  compose-child@1  completed`),
    );

    const list = io();
    expect(await runCli(['--store', path, 'schedules', 'list'], list.io)).toBe(0);
    expect(list.out()).toMatch(/hourly\s+compose-parent@1\s+0 \* \* \* \*\s+active/);
    const pause = io();
    expect(await runCli(['--store', path, 'schedules', 'pause', 'hourly'], pause.io)).toBe(0);
    expect(pause.out()).toBe('schedule hourly paused\n');
    const json = io();
    expect(await runCli(['--store', path, '--json', 'schedules', 'list'], json.io)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject([{ name: 'hourly', paused: true, nextAt: null }]);
    const trigger = io();
    expect(await runCli(['--store', path, 'schedules', 'trigger', 'hourly'], trigger.io)).toBe(0);
    expect(trigger.out()).toMatch(/schedule hourly triggered: run sched\.hourly\.manual-\d+/);
    const missing = io();
    expect(await runCli(['--store', path, 'schedules', 'resume', 'nope'], missing.io)).toBe(1);
    expect(missing.err()).toContain("schedule 'nope' not found");

    const dry = io();
    expect(await runCli(['--store', path, 'prune', '--older-than', '0', '--dry-run'], dry.io)).toBe(
      0,
    );
    expect(dry.out()).toContain('would prune 2 run(s)');
    const prune = io();
    expect(await runCli(['--store', path, 'prune', '--older-than', '0'], prune.io)).toBe(0);
    expect(prune.out()).toContain('pruned 2 run(s)');
    const gone = io();
    expect(await runCli(['--store', path, 'show', run.id], gone.io)).toBe(1);
    expect(gone.err()).toContain(`run ${run.id} was pruned by retention`);
    const bad = io();
    expect(await runCli(['--store', path, 'prune', '--older-than', 'soon'], bad.io)).toBe(1);
    expect(bad.err()).toContain('--older-than must be a number of days >= 0');
  });
});
