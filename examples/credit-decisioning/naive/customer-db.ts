/**
 * The naive architecture's database: one shared, mutable `customers` row per applicant in a
 * SQLite file, which every agent reads and UPDATEs in place.
 *
 * Invariants (such as they are — this is the design Baton replaces):
 * - A row is overwritten in place: the database keeps only the latest value of each column, so
 *   nothing records which score a downstream agent actually saw.
 * - Each agent owns its columns (no read-modify-write of the whole row), so the only damage
 *   done here comes from the score being rewritten while others read it, not from lost updates.
 */
import Database from 'better-sqlite3';
import type {
  Application,
  CreditScore,
  Decision,
  FraudAssessment,
  IncomeVerification,
  RiskAssessment,
} from '../domain/contracts.js';

/** The JSON columns of a customer row, by the name agents use for them. */
export interface JsonFields {
  application: Application;
  income: IncomeVerification;
  fraud: FraudAssessment;
  risk: RiskAssessment;
  decision: Decision;
}

/** Every field an agent can read from a customer row. */
export interface CustomerFields extends JsonFields {
  score: CreditScore;
}

/** A field name of the customer row. */
export type Field = keyof CustomerFields;

/** How far the score agent has got: a quick provisional score, then the refined final one. */
export type ScoreStage = 'provisional' | 'final';

/** The shared customer table. */
export interface CustomerDb {
  /** Creates the row for a new application (intake). */
  insert(app: Application): void;
  /** Reads one field straight from the database; null while nobody has written it. */
  read<F extends Field>(applicantId: string, field: F): CustomerFields[F] | null;
  /** Overwrites a JSON field in place. */
  write<F extends keyof JsonFields>(applicantId: string, field: F, value: JsonFields[F]): void;
  /** Overwrites the score columns in place. */
  writeScore(applicantId: string, score: CreditScore, stage: ScoreStage): void;
  /** Number of UPDATE statements executed. */
  updates(): number;
  close(): void;
}

const JSON_COLUMNS: Readonly<Record<keyof JsonFields, string>> = {
  application: 'application',
  income: 'income',
  fraud: 'fraud',
  risk: 'risk',
  decision: 'decision',
};

interface ScoreRow {
  credit_score: number | null;
  score_factors: string | null;
}

/**
 * Opens (and creates) the customer table in a SQLite file.
 * @throws Error from better-sqlite3 when the file cannot be opened.
 */
export function openCustomerDb(path: string): CustomerDb {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS customers (
    applicant_id TEXT PRIMARY KEY,
    application TEXT NOT NULL,
    credit_score INTEGER,
    score_factors TEXT,
    score_stage TEXT,
    income TEXT,
    fraud TEXT,
    risk TEXT,
    decision TEXT,
    updated_at INTEGER NOT NULL
  )`);
  const insert = db.prepare(
    'INSERT INTO customers (applicant_id, application, updated_at) VALUES (?, ?, ?)',
  );
  const readScore = db.prepare<[string], ScoreRow>(
    'SELECT credit_score, score_factors FROM customers WHERE applicant_id = ?',
  );
  const updateScore = db.prepare(
    'UPDATE customers SET credit_score = ?, score_factors = ?, score_stage = ?, updated_at = ? WHERE applicant_id = ?',
  );
  const readJson = new Map<string, Database.Statement<[string], Record<string, string | null>>>();
  const updateJson = new Map<string, Database.Statement>();
  for (const column of Object.values(JSON_COLUMNS)) {
    readJson.set(column, db.prepare(`SELECT ${column} FROM customers WHERE applicant_id = ?`));
    updateJson.set(
      column,
      db.prepare(`UPDATE customers SET ${column} = ?, updated_at = ? WHERE applicant_id = ?`),
    );
  }
  let updates = 0;

  const read = <F extends Field>(id: string, field: F): CustomerFields[F] | null => {
    if (field === 'score') {
      const row = readScore.get(id);
      if (row?.credit_score == null || row.score_factors == null) return null;
      const score: CreditScore = {
        applicantId: id,
        score: row.credit_score,
        factors: JSON.parse(row.score_factors) as CreditScore['factors'],
      };
      return score as CustomerFields[F];
    }
    const column = JSON_COLUMNS[field as keyof JsonFields];
    const text = readJson.get(column)?.get(id)?.[column];
    return text == null ? null : (JSON.parse(text) as CustomerFields[F]);
  };

  return {
    insert: (app) => void insert.run(app.applicantId, JSON.stringify(app), Date.now()),
    read,
    write(id, field, value) {
      updates += 1;
      updateJson.get(JSON_COLUMNS[field])?.run(JSON.stringify(value), Date.now(), id);
    },
    writeScore(id, score, stage) {
      updates += 1;
      updateScore.run(score.score, JSON.stringify(score.factors), stage, Date.now(), id);
    },
    updates: () => updates,
    close: () => db.close(),
  };
}
