/**
 * `baton dashboard` as users run it: one printed line with the URL and an admin token, bound to
 * 127.0.0.1; `baton dashboard token --role viewer` mints a token that server accepts as a viewer.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { prepare, SECRET } from './fixtures.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('baton dashboard', () => {
  it('prints one line with the URL and serves the API to the minted tokens', async () => {
    const p = await prepare('cli-dashboard');
    cleanups.push(() => p.close());
    const env = { ...process.env, BATON_DASHBOARD_SECRET: SECRET };
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, '--store', p.path, 'dashboard', '--port', '0'],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    cleanups.unshift(async () => {
      child.kill('SIGTERM');
      await exited;
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', () => reject(new Error('exited before printing')));
    });
    const m = /^Baton dashboard: (http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)$/.exec(line);
    expect(m, line).not.toBeNull();
    const [, url, token] = m!;
    const admin = await fetch(`${url}/api/v1/runs`, {
      headers: { authorization: `Bearer ${decodeURIComponent(token!)}` },
    });
    expect(admin.status).toBe(200);

    const previous = process.env.BATON_DASHBOARD_SECRET;
    process.env.BATON_DASHBOARD_SECRET = SECRET;
    const out: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: () => {}, color: false };
    try {
      expect(await runCli(['dashboard', 'token', '--role', 'viewer'], io)).toBe(0);
      expect(await runCli(['dashboard', 'token', '--role', 'root'], io)).toBe(2);
      expect(await runCli(['dashboard', 'token', '--principal', 'ana'], io)).toBe(0);
      expect(await runCli(['dashboard', 'token'], io)).toBe(2);
      expect(
        await runCli(['dashboard', 'token', '--role', 'viewer', '--principal', 'ana'], io),
      ).toBe(2);
    } finally {
      if (previous === undefined) delete process.env.BATON_DASHBOARD_SECRET;
      else process.env.BATON_DASHBOARD_SECRET = previous;
    }
    const viewer = out[0]!.trim();
    const read = await fetch(`${url}/api/v1/runs/counts`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(read.status).toBe(200);
    const act = await fetch(`${url}/api/v1/runs/${p.waitingId}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(act.status).toBe(403);
    // A principal's token: a store without grants has a single owner, so it reads.
    const asAna = await fetch(`${url}/api/v1/runs/counts`, {
      headers: { authorization: `Bearer ${out[1]!.trim()}` },
    });
    expect(asAna.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
