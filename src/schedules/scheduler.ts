/**
 * The scheduler of one runtime: finds the due ticks of every stored schedule whose workflow this
 * runtime has, and starts one run per tick.
 *
 * Invariants:
 * - A tick's run id is `sched.<name>.<tick ms>` (a trigger's `sched.<name>.manual-<ms>`), and
 *   starting a run with an id that exists returns that run: every runtime and worker sharing the
 *   store may see the same tick, and exactly one run is started for it.
 * - After downtime, the latest missed tick and at most `catchUp` earlier ones are started; the
 *   rest are skipped. A paused schedule skips its ticks (none are run on resume).
 * - A failing run never stops its schedule; its failures are visible in `rt.schedules()`.
 */
import type { Logger } from '../agents/agent.js';
import { toError } from '../errors.js';
import type { StateStore } from '../ledger/store.js';
import { TERMINAL_STATUSES } from '../ledger/types.js';
import type { Workflow } from '../orchestrator/workflow.js';
import type { Clock } from '../resilience/clock.js';
import { readSchedules, readTriggers } from './schedule-store.js';
import { dueTicks, nextTick } from './schedule-times.js';
import type { ScheduleConfig } from './schedule-types.js';

/** Search attribute naming the schedule that started a run. */
export const SCHEDULE_ATTRIBUTE = 'baton.schedule';
/** Search attribute holding the tick (ms since the epoch) a run was started for. */
export const TICK_ATTRIBUTE = 'baton.schedule.tick';
/** Triggers older than this are not carried out any more. */
const TRIGGER_HORIZON_MS = 24 * 3_600_000;

/** What the scheduler needs from its runtime. */
export interface SchedulerHost {
  readonly store: StateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pollMs: number;
  /** The registered workflow, if this runtime has it. */
  workflow(name: string, version: number): Workflow | undefined;
  /** Starts a run with this id (or finds it, when it exists). */
  start(wf: Workflow, input: unknown, runId: string, tags: Record<string, string>): Promise<void>;
  cancel(runId: string): Promise<void>;
}

/** The id of the run a tick starts. */
export function tickRunId(name: string, tick: number | string): string {
  return `sched.${name}.${tick}`;
}

/** Finds due ticks and starts their runs, in the background once started. */
export class Scheduler {
  private readonly cursors = new Map<string, number>();
  private readonly inputFns = new Map<string, (tick: Date) => unknown>();
  private readonly stopped = new AbortController();
  private loop: Promise<void> | undefined;
  /** Aborted to cut the current sleep short (a schedule changed here). */
  private wakeUp = new AbortController();

  constructor(private readonly host: SchedulerHost) {}

  /** Keeps the input function of a schedule declared here. */
  setInputFn(name: string, fn: ((tick: Date) => unknown) | undefined): void {
    if (fn) this.inputFns.set(name, fn);
    else this.inputFns.delete(name);
  }

  /** Whether this runtime holds the input function of a schedule. */
  hasInputFn(name: string): boolean {
    return this.inputFns.has(name);
  }

  /** Starts the background loop (once). */
  ensureRunning(): void {
    if (this.loop || this.stopped.signal.aborted) return;
    this.loop = this.run();
  }

  /** Looks at the schedules again now (one was declared, resumed or triggered here). */
  poke(): void {
    this.wakeUp.abort();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { clock, pollMs, logger } = this.host;
    while (!this.stopped.signal.aborted) {
      let next = clock.now() + pollMs;
      try {
        next = Math.min(next, await this.pass());
      } catch (e) {
        if (!this.stopped.signal.aborted)
          logger.warn('schedule pass failed; retrying', { error: String(e) });
      }
      // A tick that fell due during the pass is handled at once, not after a sleep.
      if (next <= clock.now()) continue;
      const wake = new AbortController();
      this.wakeUp = wake;
      const onStop = (): void => wake.abort();
      this.stopped.signal.addEventListener('abort', onStop, { once: true });
      try {
        await clock.sleep(next - clock.now(), wake.signal);
      } catch {
        if (this.stopped.signal.aborted) return;
      } finally {
        this.stopped.signal.removeEventListener('abort', onStop);
      }
    }
  }

  /** One pass over every schedule; returns when the next tick is due. */
  async pass(): Promise<number> {
    const now = this.host.clock.now();
    let soonest = Number.POSITIVE_INFINITY;
    for (const s of (await readSchedules(this.host.store)).values()) {
      if (this.stopped.signal.aborted) break;
      const wf = this.host.workflow(s.workflow, s.workflowVersion);
      if (!wf) continue;
      await this.carryOutTriggers(s, wf, now);
      if (s.paused) {
        this.cursors.set(s.name, now);
        continue;
      }
      // Ticks before the definition's last change (creation, resume, edit) never run.
      const cursor = Math.max(
        this.cursors.get(s.name) ?? (await this.initialCursor(s)),
        s.updatedAt,
      );
      this.cursors.set(s.name, Math.max(cursor, now));
      for (const tick of dueTicks(s, cursor, now, s.catchUp + 1))
        await this.fire(s, wf, tick, tick);
      soonest = Math.min(soonest, nextTick(s, now) ?? soonest);
    }
    return soonest;
  }

  /** Where a schedule's ticks start: after its newest tick run, or its creation. */
  private async initialCursor(s: ScheduleConfig): Promise<number> {
    const [last] = await this.host.store.listRuns({
      where: { [SCHEDULE_ATTRIBUTE]: s.name },
      limit: 20,
    });
    const prefix = tickRunId(s.name, '');
    const tick = last ? Number(last.runId.slice(prefix.length)) : Number.NaN;
    return Number.isFinite(tick) ? Math.max(tick, s.updatedAt) : s.updatedAt;
  }

  private async carryOutTriggers(s: ScheduleConfig, wf: Workflow, now: number): Promise<void> {
    for (const at of await readTriggers(this.host.store, s.name)) {
      if (at < now - TRIGGER_HORIZON_MS) continue;
      await this.fire(s, wf, `manual-${at}`, at);
    }
  }

  /** Starts the run of one tick, unless it exists or an overlapping run says otherwise. */
  async fire(
    s: ScheduleConfig,
    wf: Workflow,
    tick: number | string,
    at: number,
  ): Promise<string | undefined> {
    const { store, logger } = this.host;
    const runId = tickRunId(s.name, tick);
    if (await store.getRun(runId)) return runId;
    if (s.overlap !== 'allow') {
      const recent = await store.listRuns({ where: { [SCHEDULE_ATTRIBUTE]: s.name }, limit: 20 });
      const live = recent.filter((r) => !TERMINAL_STATUSES.has(r.status) && r.runId !== runId);
      if (live.length > 0 && s.overlap === 'skip') {
        logger.info('schedule tick skipped: the previous run is still live', {
          schedule: s.name,
          tick,
          live: live[0]!.runId,
        });
        return undefined;
      }
      for (const r of live) await this.host.cancel(r.runId);
    }
    let input: unknown = s.input;
    if (s.inputFn) {
      const fn = this.inputFns.get(s.name);
      if (!fn) return undefined; // A runtime that declared the schedule has its input function.
      try {
        input = fn(new Date(at));
      } catch (e) {
        logger.error('schedule input function threw; tick not run', {
          schedule: s.name,
          tick,
          error: toError(e).message,
        });
        return undefined;
      }
    }
    try {
      await this.host.start(wf, input, runId, {
        [SCHEDULE_ATTRIBUTE]: s.name,
        [TICK_ATTRIBUTE]: String(tick),
      });
    } catch (e) {
      logger.error('schedule tick could not start its run', {
        schedule: s.name,
        tick,
        error: toError(e).message,
      });
      return undefined;
    }
    return runId;
  }
}
