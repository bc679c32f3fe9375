/**
 * Checks `rt.schedule()` options and turns them into the stored definition.
 */
import { InvalidScheduleError } from '../errors.js';
import { sealJson } from '../ledger/json.js';
import type { Workflow } from '../orchestrator/workflow.js';
import { nextTick, parseCron } from './schedule-times.js';
import type { ScheduleConfig, ScheduleOptions, ScheduleOverlap } from './schedule-types.js';

const NAME = /^[a-z][a-z0-9_-]{0,99}$/;
const OVERLAPS: readonly ScheduleOverlap[] = ['skip', 'allow', 'cancel-previous'];
/** The shortest period accepted: below it, ticks would mostly measure the store's latency. */
export const MIN_EVERY_MS = 100;

/** Validates a schedule name. @throws InvalidScheduleError */
export function checkScheduleName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidScheduleError(
      String(name),
      "name must be lowercase letters, digits, '-' or '_', starting with a letter (at most 100)",
    );
  }
  return name;
}

/**
 * The stored definition of a schedule.
 * @throws InvalidScheduleError naming what is wrong (cron, period, overlap, catchUp, input).
 */
export function resolveScheduleConfig(
  name: string,
  wf: Workflow,
  o: ScheduleOptions<unknown>,
  now: number,
): ScheduleConfig {
  checkScheduleName(name);
  const bad = (reason: string): never => {
    throw new InvalidScheduleError(name, reason);
  };
  if (typeof o !== 'object' || o === null) bad('options { cron | everyMs, input } are required');
  if ((o.cron === undefined) === (o.everyMs === undefined))
    bad('give exactly one of cron and everyMs');
  if (o.cron !== undefined && typeof o.cron !== 'string') bad('cron must be a string');
  if (o.everyMs !== undefined && !(Number.isInteger(o.everyMs) && o.everyMs >= MIN_EVERY_MS)) {
    bad(`everyMs must be an integer of at least ${MIN_EVERY_MS}, got ${String(o.everyMs)}`);
  }
  if (o.timezone !== undefined && (typeof o.timezone !== 'string' || o.everyMs !== undefined)) {
    bad('timezone must be an IANA zone name, and applies to cron only');
  }
  if (o.overlap !== undefined && !OVERLAPS.includes(o.overlap)) {
    bad(`overlap must be one of ${OVERLAPS.join(', ')}, got ${JSON.stringify(o.overlap)}`);
  }
  if (
    o.catchUp !== undefined &&
    !(Number.isInteger(o.catchUp) && o.catchUp >= 0 && o.catchUp <= 1000)
  ) {
    bad(`catchUp must be an integer from 0 to 1000, got ${String(o.catchUp)}`);
  }
  if (!('input' in o)) bad('input is required (a value, or a function of the tick time)');
  const inputFn = typeof o.input === 'function';
  let input: unknown = null;
  if (!inputFn) {
    // Checked now, so a schedule never stores an input every tick would refuse.
    try {
      input = wf.input.parse(o.input, { boundary: 'workflow-input' });
      sealJson(input, '$.input');
    } catch (e) {
      bad(`input does not fit workflow '${wf.name}': ${(e as Error).message}`);
    }
  }
  const config: ScheduleConfig = {
    name,
    workflow: wf.name,
    workflowVersion: wf.version,
    cron: o.cron ?? null,
    everyMs: o.everyMs ?? null,
    timezone: o.timezone ?? null,
    overlap: o.overlap ?? 'skip',
    catchUp: o.catchUp ?? 0,
    input,
    inputFn,
    paused: false,
    createdAt: now,
    updatedAt: now,
  };
  if (config.cron !== null) {
    const cron = parseCron(name, config.cron, config.timezone);
    try {
      if (nextTick(config, now, cron) === null)
        bad(`cron expression ${JSON.stringify(config.cron)} never fires after now`);
    } catch (e) {
      if (e instanceof InvalidScheduleError) throw e;
      bad(
        `cron expression ${JSON.stringify(config.cron)} cannot be evaluated: ${(e as Error).message}`,
      );
    }
  }
  return config;
}

/** Whether two definitions schedule the same thing (times of writing aside). */
export function sameSchedule(a: ScheduleConfig, b: ScheduleConfig): boolean {
  const strip = ({ createdAt: _c, updatedAt: _u, paused: _p, ...rest }: ScheduleConfig) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
