/**
 * What readers of a store need beyond runs and versions: the shapes of registered workflows, a
 * run's search attributes, and the change feed (the store's own sequence of committed journal
 * entries) that `rt.watch` and the dashboard follow.
 *
 * Invariants:
 * - A change cursor is opaque text made by the store. Every entry committed after a cursor was
 *   handed out sorts after it, so a reader that resumes from its last cursor misses nothing and
 *   sees nothing twice (SQLite and memory: the journal's sequence, assigned under the write lock;
 *   PostgreSQL: the writing transaction's id and the sequence, read only below the oldest
 *   transaction still in flight).
 * - Search attributes are written with the run, atomically, and never change.
 * - A shape is what the store says a workflow version looks like; the latest registration wins.
 */
import type { JournalEntry } from './types.js';

/** Search attributes of a run: indexed string values, set from its input and tags at start. */
export type SearchAttributes = Readonly<Record<string, string>>;

/** One step of a recorded workflow shape. */
export interface StepShape {
  readonly name: string;
  readonly kind: 'agent' | 'wait' | 'sleep';
  readonly needs: readonly string[];
  /** A timer's duration or due time (sleep steps). */
  readonly sleep?: { readonly ms: number } | { readonly until: number };
  /** The child workflow a child-workflow step runs (`name@version`), once or per element. */
  readonly child?: { readonly workflow: string; readonly mode: 'one' | 'map' };
  /** `name@version` of the step's agent (agent steps). */
  readonly agent?: string;
  /** Contract ids the agent reads and writes (agent steps). */
  readonly input?: string;
  readonly output?: string;
  /** The signal payload's contract (wait steps). */
  readonly contract?: string;
  readonly timeoutMs?: number;
  readonly onTimeout?: 'fail' | 'skip';
  /** The step's own onFailure, when it sets one. */
  readonly onFailure?: string;
  /** Whether the step runs only when a condition holds. */
  readonly conditional?: boolean;
  /** Whether the agent has a compensation (saga). */
  readonly compensable?: boolean;
}

/** A workflow version as recorded in the store: enough to draw it and validate its signals. */
export interface WorkflowShape {
  readonly name: string;
  readonly version: number;
  /** The workflow input's contract id. */
  readonly input: string;
  readonly steps: readonly StepShape[];
  /** Step names in a topological order. */
  readonly order: readonly string[];
  /** JSON Schema of every contract the workflow uses, by id (null when not exportable). */
  readonly contracts: Readonly<Record<string, Readonly<Record<string, unknown>> | null>>;
  /** When a runtime last registered it (ms since the epoch). */
  readonly registeredAt: number;
}

/** A query over the change feed. */
export interface ChangeQuery {
  /** Only entries committed after this cursor (default: from the beginning). */
  readonly after?: string;
  /** Only entries of this run. */
  readonly runId?: string;
  /** Only entries of runs of this workflow. */
  readonly workflow?: string;
  /** Only entries of runs with these search attributes. */
  readonly where?: SearchAttributes;
  readonly limit: number;
}

/** One committed journal entry with the cursor just after it. */
export interface ChangeRecord {
  readonly cursor: string;
  readonly workflow: string;
  readonly entry: JournalEntry;
}

/** The store's feed of committed journal entries, readable from any process. */
export interface ChangeFeed {
  /**
   * Entries committed after `query.after`, in commit order.
   * @throws InvalidArgumentError for a cursor this store did not make.
   */
  read(query: ChangeQuery): Promise<ChangeRecord[]>;
  /** The cursor of the newest committed entry: start from it to see only what comes next. */
  head(): Promise<string>;
  /**
   * Whether the run has an entry after `after` that a read has not returned yet, including one
   * whose transaction is still in flight (a watcher of an ended run stops only when false).
   */
  hasAfter(runId: string, after: string | undefined): Promise<boolean>;
  /**
   * Resolves when an entry may have been committed (by any process on the store), after at most
   * `timeoutMs`, or when `signal` aborts. Never rejects.
   */
  wake(timeoutMs: number, signal?: AbortSignal): Promise<void>;
}
