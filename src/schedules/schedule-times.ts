/**
 * When a schedule ticks: cron expressions through croner (a maintained parser, Node >= 18), fixed
 * periods aligned to the epoch. Both depend on the definition alone, so every runtime computes the
 * same tick times, and a tick's run id (`sched.<name>.<tick ms>`) is the same everywhere.
 */
import { Cron } from 'croner';
import { InvalidScheduleError } from '../errors.js';
import type { ScheduleConfig } from './schedule-types.js';

type Timing = Pick<ScheduleConfig, 'name' | 'cron' | 'everyMs' | 'timezone'>;

/** Most ticks enumerated in one catch-up pass (a 1 s schedule down for a day is 86,400). */
const MAX_ENUMERATED = 100_000;

/**
 * A parsed cron expression.
 * @throws InvalidScheduleError when it does not parse, or the time zone is unknown.
 */
export function parseCron(name: string, cron: string, timezone: string | null): Cron {
  try {
    return new Cron(cron, { paused: true, ...(timezone ? { timezone } : { timezone: 'UTC' }) });
  } catch (e) {
    throw new InvalidScheduleError(
      name,
      `cron expression ${JSON.stringify(cron)}${timezone ? ` (time zone ${timezone})` : ''} does not parse: ${(e as Error).message}`,
    );
  }
}

/** The first tick strictly after `after`, or null when there is none. */
export function nextTick(s: Timing, after: number, cron?: Cron): number | null {
  if (s.everyMs !== null) return (Math.floor(after / s.everyMs) + 1) * s.everyMs;
  const c = cron ?? parseCron(s.name, s.cron!, s.timezone);
  const next = c.nextRun(new Date(after));
  return next ? next.getTime() : null;
}

/** The ticks in `(after, upTo]`, the last `keep` of them, oldest first. */
export function dueTicks(s: Timing, after: number, upTo: number, keep: number): number[] {
  const cron = s.cron !== null ? parseCron(s.name, s.cron, s.timezone) : undefined;
  const out: number[] = [];
  let t = after;
  for (let i = 0; i < MAX_ENUMERATED; i++) {
    const n = nextTick(s, t, cron);
    if (n === null || n > upTo) break;
    out.push(n);
    if (out.length > keep) out.shift();
    t = n;
  }
  return out;
}
