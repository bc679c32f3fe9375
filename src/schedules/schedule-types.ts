/**
 * Schedules: what `rt.schedule()` takes and what `rt.schedules()` reports. A schedule is stored
 * in the store (auxiliary records of kind `schedule`, newest wins), so every runtime sharing the
 * store sees it, and the CLI can pause, resume, trigger or delete it without the workflow's code.
 */

/** What to do with a tick while the previous tick's run is still live. */
export type ScheduleOverlap = 'skip' | 'allow' | 'cancel-previous';

/** Options of `rt.schedule(name, workflow, options)`: exactly one of `cron` and `everyMs`. */
export interface ScheduleOptions<In> {
  /** A cron expression (5 fields, or 6 with seconds first), e.g. `'0 2 * * *'`. */
  readonly cron?: string;
  /** A fixed period, ticks aligned to multiples of it since the epoch. */
  readonly everyMs?: number;
  /** The input of every tick's run, or a function of the tick's time. */
  readonly input: In | ((tick: Date) => In);
  /** IANA time zone of the cron expression (default UTC). */
  readonly timezone?: string;
  /** Default 'skip'. */
  readonly overlap?: ScheduleOverlap;
  /** After downtime, how many missed ticks to run besides the latest one (default 0). */
  readonly catchUp?: number;
}

/** A stored schedule's definition. */
export interface ScheduleConfig {
  readonly name: string;
  readonly workflow: string;
  readonly workflowVersion: number;
  readonly cron: string | null;
  readonly everyMs: number | null;
  readonly timezone: string | null;
  readonly overlap: ScheduleOverlap;
  readonly catchUp: number;
  /** The stored input, or null when a function of the tick computes it (`inputFn`). */
  readonly input: unknown;
  readonly inputFn: boolean;
  readonly paused: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What `rt.schedules()` reports for one schedule. */
export interface ScheduleInfo extends ScheduleConfig {
  /** The next tick after now (null while paused). */
  readonly nextAt: number | null;
  /** The newest run a tick or a trigger started, with its status. */
  readonly lastRun: { readonly runId: string; readonly status: string } | null;
  /** Failed runs among the schedule's last 20. */
  readonly recentFailures: number;
}
