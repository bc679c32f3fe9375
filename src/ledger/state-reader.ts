/**
 * Reads materialized state at a version, with a cache.
 *
 * The cache is keyed by (runId, version) and can never be stale: a committed version is
 * immutable (append-only ledger, compare-and-append), so the state at (runId, v) — the fold of
 * versions 1..v — is the same forever. A rollback appends a new version; it never changes v.
 */
import { NotFoundError } from '../errors.js';
import type { StateStore } from './store.js';
import type { StateData, StateSnapshot, VersionRecord } from './types.js';
import { applyVersion, toSnapshot } from './versions.js';

/** Reads and caches materialized snapshots. */
export class StateReader {
  private readonly cache = new Map<string, StateData>();
  /** Store reads performed, for tests of O(log n) algorithms such as bisect. */
  reads = 0;

  constructor(
    private readonly store: StateStore,
    private readonly maxEntries = 10_000,
    /**
     * Decrypts personal fields (crypto-shredding). The cache holds states as stored, so an
     * erasure shows on the next read.
     */
    private readonly open?: (data: StateData) => Promise<StateData>,
  ) {}

  /** Every version of a run as snapshots. */
  async history(runId: string): Promise<StateSnapshot[]> {
    this.reads++;
    const versions = await this.store.readVersions(runId);
    let data: StateData = Object.freeze({});
    const out = versions.map((v) => {
      data =
        this.cached(runId, v.version) ?? this.remember(runId, v.version, applyVersion(data, v));
      return toSnapshot(v, data);
    });
    const open = this.open;
    return open ? Promise.all(out.map(async (s) => withData(s, await open(s.data)))) : out;
  }

  /** The snapshot at `version`. @throws NotFoundError */
  async at(runId: string, version: number): Promise<StateSnapshot> {
    const s = await this.stored(runId, version);
    return this.open ? withData(s, await this.open(s.data)) : s;
  }

  /** The snapshot at `version` as stored: personal fields still encrypted. @throws NotFoundError */
  async stored(runId: string, version: number): Promise<StateSnapshot> {
    this.reads++;
    const hit = this.cached(runId, version);
    if (hit) {
      const [v] = await this.store.readVersions(runId, version, version);
      if (v) return toSnapshot(v, hit);
    }
    const versions = await this.store.readVersions(runId, 1, version);
    const last = versions[versions.length - 1];
    if (!last || last.version !== version)
      throw new NotFoundError('version', `${runId}@${version}`);
    return toSnapshot(last, this.fold(runId, versions));
  }

  private fold(runId: string, versions: readonly VersionRecord[]): StateData {
    let data: StateData = Object.freeze({});
    for (const v of versions)
      data =
        this.cached(runId, v.version) ?? this.remember(runId, v.version, applyVersion(data, v));
    return data;
  }

  private cached(runId: string, version: number): StateData | undefined {
    return this.cache.get(`${runId}\u0000${version}`);
  }

  private remember(runId: string, version: number, data: StateData): StateData {
    if (this.cache.size >= this.maxEntries) {
      // Evict the oldest entry (Map iterates in insertion order).
      const first = this.cache.keys().next();
      if (!first.done) this.cache.delete(first.value);
    }
    this.cache.set(`${runId}\u0000${version}`, data);
    return data;
  }
}

/** The snapshot with other data (the same object when the data did not change). */
function withData(s: StateSnapshot, data: StateData): StateSnapshot {
  return data === s.data ? s : Object.freeze({ ...s, data });
}
