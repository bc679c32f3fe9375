/**
 * Leases: which runtime drives which run. Renews the leases of runs driven here, claims runs
 * whose owner died (lease expired), wakes runs whose durable wait timed out, and cancels runs
 * driven elsewhere.
 *
 * Invariants:
 * - Claims are atomic in the store (one claimer wins); every commit of a driver is fenced by
 *   its lease, so a runtime that failed to renew in time (paused, partitioned) writes nothing.
 * - A remote cancel appends a marker version, so it fences every other writer of the run by
 *   compare-and-append as well as by lease.
 */

import { runSeal, withSeal } from '../ledger/run-seal.js';
import { type RunRecord, TERMINAL_STATUSES } from '../ledger/types.js';
import { cancelMarker, journalEntry } from './journal.js';
import { parkedSteps } from './parked.js';
import type { RuntimeCore } from './runtime-core.js';

/** What the keeper needs from its runtime. */
export interface LeaseKeeperOptions {
  readonly core: RuntimeCore;
  readonly pollMs: number;
  /** Whether to claim unowned runs now (resume after a crash, or act as a worker). */
  readonly claiming: () => boolean;
  /** How many more runs this runtime may drive now. */
  readonly capacity: () => number;
  readonly workflows: () => string[];
  readonly driving: () => string[];
  readonly onLost: (runId: string) => void;
  readonly onClaimed: (run: RunRecord) => Promise<void>;
  readonly onWaitTimeout: (runId: string, step: string) => Promise<void>;
  /** Told of every failed upkeep (the runtime stops on a damaged or full store). */
  readonly onUpkeepError?: (error: unknown) => void;
}

const CLAIM_BATCH = 100;

/** Keeps this runtime's leases and finds work. */
export class LeaseKeeper {
  private readonly stopped = new AbortController();
  private readonly deadlines = new Map<string, { step: string; at: number }>();
  private readonly unresumable = new Set<string>();
  private poked = false;
  private claimingNow: Promise<void> | undefined;

  constructor(private readonly o: LeaseKeeperOptions) {}

  /** Claims what is resumable now, then keeps working in the background. */
  async start(): Promise<void> {
    if (this.o.claiming()) {
      await this.claimOrphans();
      for (const run of await this.o.core.store.listRuns({ status: 'waiting' }))
        await this.watchWaiting(run.runId);
    }
    void this.run();
  }

  stop(): void {
    this.stopped.abort();
  }

  private async run(): Promise<void> {
    const { core } = this.o;
    const tick = Math.max(1, Math.min(this.o.pollMs, core.leaseMs / 3));
    while (!this.stopped.signal.aborted) {
      try {
        await core.clock.sleep(tick, this.stopped.signal);
      } catch {
        return;
      }
      try {
        await this.renew();
        if (this.o.claiming()) await this.claimOrphans();
        await this.fireDeadlines();
      } catch (e) {
        this.o.onUpkeepError?.(e);
        if (!this.stopped.signal.aborted)
          core.logger.warn('lease upkeep failed; retrying', { error: String(e) });
      }
    }
  }

  private async renew(): Promise<void> {
    const { core } = this.o;
    const mine = this.o.driving();
    if (mine.length === 0) return;
    const held = new Set(
      await core.store.renewLeases(core.owner, mine, core.clock.now() + core.leaseMs),
    );
    for (const id of mine) if (!held.has(id)) this.o.onLost(id);
  }

  /** Claims more work soon (a run just ended and freed capacity); coalesced. */
  poke(): void {
    if (this.poked || this.stopped.signal.aborted || !this.o.claiming()) return;
    this.poked = true;
    setImmediate(() => {
      this.poked = false;
      this.claimOrphans().catch((e: unknown) => {
        this.o.onUpkeepError?.(e);
        this.o.core.logger.warn('claiming runs failed; retrying on the next tick', {
          error: String(e),
        });
      });
    });
  }

  /** One claimer at a time, so pokes and ticks never claim past capacity together. */
  private claimOrphans(): Promise<void> {
    this.claimingNow ??= this.claimLoop().finally(() => {
      this.claimingNow = undefined;
    });
    return this.claimingNow;
  }

  private async claimLoop(): Promise<void> {
    const { core } = this.o;
    const workflows = this.o.workflows();
    if (workflows.length === 0) return;
    for (;;) {
      const wanted = Math.min(CLAIM_BATCH, this.o.capacity());
      if (wanted <= 0 || this.stopped.signal.aborted || !this.o.claiming()) return;
      // A claim also returns runs this runtime already holds (so a failed driver's run can be
      // taken up again); ask for that many more, so they never crowd out new work.
      const driving = new Set(this.o.driving());
      const limit = wanted + driving.size;
      const now = core.clock.now();
      const claimed = await core.store.claimRuns({
        owner: core.owner,
        now,
        expiresAt: now + core.leaseMs,
        workflows,
        limit,
      });
      const all = claimed.filter((r) => !driving.has(r.runId));
      const fresh = all.slice(0, wanted);
      // Claimed beyond capacity (fewer held runs came back than asked for): give those back at once.
      for (const extra of all.slice(wanted)) await this.release(extra.runId);
      for (const run of fresh) await this.o.onClaimed(run);
      if (claimed.length < limit || fresh.every((r) => this.unresumable.has(r.runId))) return;
    }
  }

  /** Resolves once no claim is in flight (a drain must not miss a run claimed meanwhile). */
  async idle(): Promise<void> {
    while (this.claimingNow) await this.claimingNow.catch(() => {});
  }

  /** Remembers the earliest deadline among a waiting run's parked waits. */
  async watchWaiting(runId: string): Promise<void> {
    const { store } = this.o.core;
    const run = await store.getRun(runId);
    if (run?.status !== 'waiting') return;
    const parked = new Set(parkedSteps(run.waitingFor));
    let next: { step: string; at: number } | undefined;
    for (const j of await store.readJournal(runId)) {
      if (j.type !== 'wait.started' || !j.step || !parked.has(j.step)) continue;
      const at = (j.detail as { deadline?: number | null } | null)?.deadline;
      if (typeof at === 'number' && (!next || at < next.at)) next = { step: j.step, at };
    }
    if (next) this.deadlines.set(runId, next);
  }

  private async fireDeadlines(): Promise<void> {
    const now = this.o.core.clock.now();
    for (const [runId, d] of [...this.deadlines]) {
      if (d.at > now) continue;
      this.deadlines.delete(runId);
      await this.o.onWaitTimeout(runId, d.step);
    }
  }

  /** Gives a run's lease up so another runtime may take it at once. */
  async release(runId: string): Promise<void> {
    const { core } = this.o;
    await core.store.commit([
      { runId, leaseOwner: core.owner, run: { lease: null, updatedAt: core.clock.now() } },
    ]);
  }

  /** Releases every lease still held by this runtime (on close). */
  async releaseAll(runIds: readonly string[]): Promise<void> {
    const { core } = this.o;
    const now = core.clock.now();
    if (runIds.length === 0) return;
    await core.store.commit(
      runIds.map((runId) => ({
        runId,
        leaseOwner: core.owner,
        run: { lease: null, updatedAt: now },
      })),
    );
  }

  /** Reports a run whose workflow version is not registered here, once. */
  reportUnresumable(run: RunRecord, report: () => void): void {
    if (this.unresumable.has(run.runId)) return;
    this.unresumable.add(run.runId);
    report();
  }

  /** Cancels a run driven elsewhere (or by nobody): a marker version plus the status, fenced. */
  async cancelRemote(runId: string, settle: (run: RunRecord) => void): Promise<void> {
    const { core } = this.o;
    for (;;) {
      const run = await core.store.getRun(runId);
      if (!run || TERMINAL_STATUSES.has(run.status)) return;
      const [last] = await core.store.readVersions(runId, run.headVersion, run.headVersion);
      const now = core.clock.now();
      const marker = cancelMarker(runId, run.headVersion + 1, last!.hash, now);
      const [outcome] = await core.store.commit([
        {
          runId,
          expectedVersion: run.headVersion,
          versions: [marker],
          journal: [
            journalEntry(runId, 'run.cancelled', null, now, {
              version: marker.version,
              detail: withSeal(null, runSeal('cancelled', marker.version, marker.hash, run.output)),
            }),
          ],
          run: { status: 'cancelled', lease: null, waitingFor: null, updatedAt: now },
        },
      ]);
      if (outcome?.ok) {
        settle({
          ...run,
          status: 'cancelled',
          headVersion: marker.version,
          leaseOwner: null,
          leaseExpiresAt: null,
          waitingFor: null,
        });
        return;
      }
    }
  }
}
