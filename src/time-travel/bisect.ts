/**
 * Bisect: the first version where a predicate holds, in O(log n) state reads. Assumes the
 * predicate is monotonic over the history (false up to some version, true from there on), as
 * "the state has gone wrong" is.
 */
import type { StateSnapshot } from '../ledger/types.js';

/** Binary search over versions 1..head; `read(v)` materializes one version. */
export async function bisectVersions(
  head: number,
  read: (version: number) => Promise<StateSnapshot>,
  predicate: (snapshot: StateSnapshot) => boolean,
): Promise<StateSnapshot | undefined> {
  let lo = 1;
  let hi = head;
  let found: StateSnapshot | undefined;
  while (lo <= hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const snap = await read(mid);
    if (predicate(snap)) {
      found = snap;
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  return found;
}
