/**
 * The lender's own tables, next to Baton's in the same SQLite file: `credit_lines` (what the
 * final-approval agent books) and `notifications` (what the notify agent delivers).
 *
 * Invariants:
 * - Every write is idempotent on its key (`runId:step`, the agent's idempotency key): a step
 *   re-executed after a crash or a retry books or notifies at most once.
 * - A booking is never deleted: compensation voids it (status `void`), so the audit trail stays.
 * - One short transaction per write on a WAL connection with a busy timeout, so the parent and
 *   the worker child can write next to Baton's own connections.
 */
import Database from 'better-sqlite3';

/** A row of `credit_lines`. */
export interface CreditLine {
  readonly key: string;
  readonly runId: string;
  readonly applicantId: string;
  readonly amount: number;
  readonly rate: number;
  readonly status: 'booked' | 'void';
}

/** A row of `notifications`. */
export interface Notification {
  readonly key: string;
  readonly runId: string;
  readonly applicantId: string;
  readonly outcome: string;
}

/** The lender's tables. */
export interface Ledger {
  /** Books a credit line once per key (a second call with the same key does nothing). */
  book(line: Omit<CreditLine, 'status'>): void;
  /** Voids the line booked under `key`, if any; voiding twice is a no-op. */
  voidLine(key: string): void;
  /** Records a delivered decision once per key. */
  notify(n: Notification): void;
  lines(): CreditLine[];
  notifications(): Notification[];
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS credit_lines (
  key TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  applicant_id TEXT NOT NULL,
  amount REAL NOT NULL,
  rate REAL NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('booked', 'void'))
);
CREATE TABLE IF NOT EXISTS notifications (
  key TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  applicant_id TEXT NOT NULL,
  outcome TEXT NOT NULL
);`;

/** Opens (and creates if needed) the lender's tables in the SQLite file at `path`. */
export function openLedger(path: string): Ledger {
  const db = new Database(path, { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  const book = db.prepare(
    `INSERT INTO credit_lines (key, run_id, applicant_id, amount, rate, status)
     VALUES (@key, @runId, @applicantId, @amount, @rate, 'booked') ON CONFLICT (key) DO NOTHING`,
  );
  const voidLine = db.prepare(`UPDATE credit_lines SET status = 'void' WHERE key = ?`);
  const notify = db.prepare(
    `INSERT INTO notifications (key, run_id, applicant_id, outcome)
     VALUES (@key, @runId, @applicantId, @outcome) ON CONFLICT (key) DO NOTHING`,
  );
  const lines = db.prepare(
    'SELECT key, run_id AS runId, applicant_id AS applicantId, amount, rate, status FROM credit_lines',
  );
  const notifications = db.prepare(
    'SELECT key, run_id AS runId, applicant_id AS applicantId, outcome FROM notifications',
  );
  return {
    book: (line) => void book.run(line),
    voidLine: (key) => void voidLine.run(key),
    notify: (n) => void notify.run(n),
    lines: () => lines.all() as CreditLine[],
    notifications: () => notifications.all() as Notification[],
    close: () => db.close(),
  };
}
