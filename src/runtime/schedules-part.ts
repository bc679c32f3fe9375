/**
 * The runtime's schedules: `rt.schedule()`, `rt.schedules()`, pause, resume, delete, trigger.
 * The definitions live in the store (schedules/schedule-store.ts); the runtime's scheduler fires
 * the ticks of those whose workflow it has.
 */
import { TERMINAL_STATUSES } from '../ledger/types.js';
import type { RuntimeCore } from '../orchestrator/runtime-core.js';
import type { Workflow } from '../orchestrator/workflow.js';
import {
  checkScheduleName,
  resolveScheduleConfig,
  sameSchedule,
} from '../schedules/schedule-options.js';
import {
  readSchedule,
  readSchedules,
  writeSchedule,
  writeTrigger,
} from '../schedules/schedule-store.js';
import { nextTick } from '../schedules/schedule-times.js';
import type { ScheduleConfig, ScheduleInfo, ScheduleOptions } from '../schedules/schedule-types.js';
import { SCHEDULE_ATTRIBUTE, Scheduler, tickRunId } from '../schedules/scheduler.js';
import type { RunEngine } from './run-engine.js';

/** Schedules of one runtime. */
export class SchedulesPart {
  readonly scheduler: Scheduler;

  constructor(
    private readonly core: RuntimeCore,
    private readonly engine: RunEngine,
    private readonly register: (wf: Workflow) => Promise<void>,
    private readonly ready: () => Promise<void>,
    pollMs: number,
  ) {
    this.scheduler = new Scheduler({
      store: core.store,
      clock: core.clock,
      logger: core.logger,
      pollMs,
      workflow: (name, version) =>
        engine.registry.has(name, version) ? engine.registry.get(name, version) : undefined,
      start: async (wf, input, runId, tags) => {
        await engine.startRun(wf, input, { runId, tags });
      },
      cancel: (runId) => engine.cancel(runId),
    });
  }

  async schedule(
    name: string,
    wf: Workflow,
    options: ScheduleOptions<unknown>,
  ): Promise<ScheduleInfo> {
    this.engine.assertOpen();
    const fresh = resolveScheduleConfig(name, wf, options, this.core.clock.now());
    await this.register(wf);
    const existing = (await readSchedules(this.core.store)).get(name);
    // Declaring the same schedule again (every process start) writes nothing and keeps its
    // pause; a changed one keeps its creation time, so no tick in between runs twice.
    if (!existing || !sameSchedule(existing, fresh)) {
      await writeSchedule(this.core.store, {
        ...fresh,
        ...(existing ? { createdAt: existing.createdAt, paused: existing.paused } : {}),
      });
    }
    this.scheduler.setInputFn(
      name,
      typeof options.input === 'function' ? (options.input as (t: Date) => unknown) : undefined,
    );
    this.scheduler.ensureRunning();
    this.scheduler.poke();
    return this.info(await readSchedule(this.core.store, name));
  }

  async list(): Promise<ScheduleInfo[]> {
    await this.ready();
    const out: ScheduleInfo[] = [];
    for (const s of (await readSchedules(this.core.store)).values()) out.push(await this.info(s));
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    this.engine.assertOpen();
    await this.ready();
    const s = await readSchedule(this.core.store, checkScheduleName(name));
    if (s.paused === paused) return;
    await writeSchedule(this.core.store, { ...s, paused, updatedAt: this.core.clock.now() });
    this.scheduler.poke();
  }

  async delete(name: string): Promise<void> {
    this.engine.assertOpen();
    await this.ready();
    const s = await readSchedule(this.core.store, checkScheduleName(name));
    await writeSchedule(this.core.store, { ...s, updatedAt: this.core.clock.now() }, true);
  }

  /**
   * Runs a schedule now. A runtime with its workflow starts the run at once; otherwise the request
   * is stored and the next runtime that has the workflow carries it out. Returns the run id.
   */
  async trigger(name: string): Promise<string> {
    this.engine.assertOpen();
    await this.ready();
    const s = await readSchedule(this.core.store, checkScheduleName(name));
    const at = this.core.clock.now();
    const wf = this.engine.registry.has(s.workflow, s.workflowVersion)
      ? this.engine.registry.get(s.workflow, s.workflowVersion)
      : undefined;
    if (wf && (!s.inputFn || this.scheduler.hasInputFn(name))) {
      const started = await this.scheduler.fire({ ...s, overlap: 'allow' }, wf, `manual-${at}`, at);
      if (started) return started;
    }
    await writeTrigger(this.core.store, name, at);
    this.scheduler.ensureRunning();
    return tickRunId(name, `manual-${at}`);
  }

  private async info(s: ScheduleConfig): Promise<ScheduleInfo> {
    const recent = await this.core.store.listRuns({
      where: { [SCHEDULE_ATTRIBUTE]: s.name },
      limit: 20,
    });
    const last = recent[0];
    return {
      ...s,
      nextAt: s.paused ? null : nextTick(s, this.core.clock.now()),
      lastRun: last ? { runId: last.runId, status: last.status } : null,
      recentFailures: recent.filter(
        (r) => TERMINAL_STATUSES.has(r.status) && r.status !== 'completed',
      ).length,
    };
  }
}
