import { spawn } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, sqliteStore } from '../../src/index.js';
import { applications, oracle } from '../orchestrator/fixtures.js';
import { tempDbPath } from '../support/temp-db.js';
import { reference } from './fixtures/workflows.js';
import { baton, ensureBuilt, MAIN, ROOT, WORKFLOWS } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
beforeAll(ensureBuilt);

function db(): string {
  const t = tempDbPath('cli-worker');
  cleanups.push(t.remove);
  return t.path;
}

describe('baton worker, events and rollback', () => {
  it('a worker drives submitted runs and drains on SIGTERM', async () => {
    const path = db();
    const client = createRuntime({
      store: sqliteStore(path),
      workflows: [reference],
      resume: false,
    });
    const apps = applications(30, 3);
    const handles = await Promise.all(apps.map((a) => client.submit(reference, a)));
    expect(await handles[0]!.status()).toBe('pending');

    const worker = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        '--store',
        path,
        'worker',
        '--workflows',
        WORKFLOWS,
        '--concurrency',
        '8',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    worker.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const exited = new Promise<number | null>((r) => worker.on('close', (code) => r(code)));
    // result() polls the store: the runs are driven by the worker process, not here.
    expect(await Promise.all(handles.map((h) => h.result()))).toEqual(apps.map(oracle));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/worker .* started: .*reference@1/);
    expect(out).toContain('SIGTERM: draining');
    expect(out).toContain('drained');
    await client.close();
  });

  it('rolls a run back from the command line and refuses bad event arguments', async () => {
    const path = db();
    const rt = createRuntime({ store: sqliteStore(path), workflows: [reference] });
    const app = applications(1, 4)[0]!;
    const run = await rt.start(reference, app);
    await run.result();
    await rt.close();

    const rolled = await baton(
      ['--store', path, '--json', 'rollback', run.id, '4', '--workflows', WORKFLOWS],
      { tsx: true },
    );
    expect(rolled.code, rolled.stderr).toBe(0);
    const body = JSON.parse(rolled.stdout) as { rollbackVersion: number; run: { status: string } };
    expect(body.rollbackVersion).toBe(7);
    expect(body.run.status).toBe('completed');

    const check = createRuntime({ store: sqliteStore(path), resume: false });
    const history = await check.history(run.id);
    expect(history[6]).toMatchObject({ step: '$rollback', tag: 'rollback:4' });
    expect(history.at(-1)?.data.decision).toEqual(oracle(app));
    expect((await check.verify(run.id)).ok).toBe(true);
    await check.close();

    const [none, dead] = await Promise.all([
      baton(['--store', path, 'events']),
      baton(['--store', path, 'events', '--dead']),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give exactly one of');
    expect(none.stderr).toContain('Usage: baton events');
    expect(dead.code).toBe(0);
    expect(dead.stdout).toContain('no dead letters');
  });

  it('runs the demo on a new store and shows a verified history', async () => {
    const path = db();
    const demo = await baton(['--store', path, 'demo']);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/run \S+ completed: \{"fillable":true,"totalCents":1080\}/);
    expect(demo.stdout).toContain('hash chain: verified (4 versions)');
    const runs = await baton(['--store', path, '--json', 'runs']);
    expect(
      (JSON.parse(runs.stdout) as { runs?: unknown[] }).runs ?? JSON.parse(runs.stdout),
    ).toHaveLength(1);
  });
});
