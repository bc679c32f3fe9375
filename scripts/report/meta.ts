/**
 * Provenance printed under every figure: the command, the commit, the machine and the date.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { type MachineInfo, machineInfo } from '../../bench/machine.js';

/** Where a report came from. */
export interface Provenance {
  readonly command: string;
  /** Short commit hash, with `+dirty` when the worktree had uncommitted changes. */
  readonly commit: string;
  readonly machine: MachineInfo;
  /** One-line description of the machine. */
  readonly machineLine: string;
  /** ISO date and time (UTC) of the start of the run. */
  readonly date: string;
  readonly loadAverage: readonly number[];
}

function commitOf(root: string, full: string | null): string {
  if (full === null) return 'unknown';
  let dirty = false;
  try {
    dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd: root,
        encoding: 'utf8',
      }).trim() !== '';
  } catch {
    dirty = false;
  }
  return `${full.slice(0, 10)}${dirty ? '+dirty' : ''}`;
}

/** Describes this run. */
export function provenance(root: string, command: string, started: Date): Provenance {
  const machine = machineInfo(root);
  const gib = (machine.totalMemoryBytes / 2 ** 30).toFixed(1);
  return {
    command,
    commit: commitOf(root, machine.gitCommit),
    machine,
    machineLine: `${machine.cores} × ${machine.cpu}, ${gib} GiB, ${machine.platform}/${machine.arch}, Node ${machine.node}, SQLite ${machine.sqlite}`,
    date: started.toISOString().replace(/\.\d+Z$/, 'Z'),
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
