/**
 * A five-step saga whose agents write real rows into a SQLite table and delete them in
 * `compensate`. Used in-process and by the child process that is killed mid-compensation.
 */
import Database from 'better-sqlite3';
import { z } from 'zod';
import { agent, contract, workflow } from '../../src/index.js';

export const Order = contract(
  'test.order@1',
  z.object({ orderId: z.string(), failAt: z.number().int().min(0).max(5) }),
);
const Booked = contract(
  'test.booked@1',
  z.object({ orderId: z.string(), step: z.number().int(), failAt: z.number().int() }),
);

/** The ledger the agents write to, and a log of who did what. */
export interface Ledger {
  rows(): { key: string }[];
  log(): { step: string; action: string; phase: string }[];
  close(): void;
}

/** Hooks a test uses to disturb compensation. */
export interface SagaHooks {
  beforeCompensate?: (step: number) => Promise<void> | void;
  failCompensationOf?: number;
}

/** Opens the ledger file (rows + action log). */
export function openLedger(path: string): Ledger & { db: Database.Database } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.exec(`CREATE TABLE IF NOT EXISTS ledger (key TEXT PRIMARY KEY);
           CREATE TABLE IF NOT EXISTS actions (step TEXT, action TEXT, phase TEXT)`);
  return {
    db,
    rows: () => db.prepare('SELECT key FROM ledger ORDER BY key').all() as { key: string }[],
    log: () => db.prepare('SELECT step, action, phase FROM actions ORDER BY rowid').all() as never,
    close: () => db.close(),
  };
}

/** Builds the saga over a ledger; `phase` tags the log rows of this process. */
export function sagaWorkflow(
  ledger: Ledger & { db: Database.Database },
  phase: string,
  hooks: SagaHooks = {},
) {
  const insert = ledger.db.prepare('INSERT OR IGNORE INTO ledger (key) VALUES (?)');
  const remove = ledger.db.prepare('DELETE FROM ledger WHERE key = ?');
  const act = ledger.db.prepare('INSERT INTO actions (step, action, phase) VALUES (?, ?, ?)');
  const booker = (n: number) =>
    agent({
      name: `book-${n}`,
      version: '1.0.0',
      input: n === 1 ? Order : Booked,
      output: Booked,
      policy: { retry: { maxAttempts: 1 } },
      execute: (input, ctx) => {
        if (input.failAt === n) throw new Error(`step ${n} failed on purpose`);
        insert.run(ctx.idempotencyKey);
        act.run(`s${n}`, 'book', phase);
        return { orderId: input.orderId, step: n, failAt: input.failAt };
      },
      compensate: async (_output, ctx) => {
        await hooks.beforeCompensate?.(n);
        if (hooks.failCompensationOf === n) throw new Error(`cannot undo step ${n}`);
        remove.run(`${ctx.runId}:s${n}`);
        act.run(`s${n}`, 'undo', phase);
      },
    });
  return workflow('saga', {
    version: 1,
    input: Order,
    policy: { retry: { maxAttempts: 3, backoff: { initialMs: 1, maxMs: 2 } } },
  })
    .step('s1', booker(1), { input: (s) => s.input })
    .step('s2', booker(2), { needs: ['s1'], input: (s) => s.s1 })
    .step('s3', booker(3), { needs: ['s2'], input: (s) => s.s2 })
    .step('s4', booker(4), { needs: ['s3'], input: (s) => s.s3 })
    .step('s5', booker(5), { needs: ['s4'], input: (s) => s.s4 })
    .output((s) => s.s5);
}
