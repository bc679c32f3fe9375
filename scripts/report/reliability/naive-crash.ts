/**
 * The naive system's crash, as the demo crashes its Baton worker: a child process takes the
 * first batch of applications on the shared database file and is killed with SIGKILL in the
 * middle of them. What it had started (a customer row exists) is read back from the file.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { NaiveChildConfig } from './naive-child.js';

const CHILD = fileURLToPath(new URL('./naive-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Runs the child until it is mid-batch, kills it, and returns the applicants it had started.
 * @throws Error when the child ends before it is in the middle of its work.
 */
export async function crashNaiveChild(cfg: NaiveChildConfig): Promise<Set<string>> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(cfg)], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code, signal) =>
        reject(new Error(`the naive child ended early (code ${code}, signal ${signal})`)),
      );
      child.on('message', (m: { type: string }) => {
        if (m.type === 'holding') resolve();
        if (m.type === 'done') reject(new Error('the naive child finished before the kill'));
      });
    });
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  const db = new Database(cfg.dbPath, { readonly: true });
  try {
    const rows = db.prepare('SELECT applicant_id FROM customers').all() as {
      applicant_id: string;
    }[];
    return new Set(rows.map((r) => r.applicant_id));
  } finally {
    db.close();
  }
}
