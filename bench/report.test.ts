import { describe, expect, it } from 'vitest';
import { type ChildResult, type ImplName, LINES } from './lines.js';
import {
  checkTargets,
  diskPerRun,
  formatDiskPerRun,
  formatTable,
  fractionOfRaw,
  ratio,
  spread,
  summarise,
} from './report.js';

function result(
  line: string,
  impl: ImplName,
  runsPerSec: number,
  peakRssBytes = 50e6,
): ChildResult {
  return {
    line,
    impl,
    label: impl,
    runs: 1_000,
    wallMs: 1_000_000 / runsPerSec,
    runsPerSec,
    usPerStep: impl === 'raw' ? null : 1e6 / runsPerSec / 5,
    baselineRssBytes: 40e6,
    peakRssBytes,
    perRunBytes: impl === 'raw' ? null : (peakRssBytes - 40e6) / 64,
    checked: 'test',
  };
}

describe('spread', () => {
  it('gives median, min and max of odd and even samples', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
  });

  it('refuses an empty sample', () => {
    expect(() => spread([])).toThrow(RangeError);
  });
});

describe('summarise', () => {
  const cells = summarise([
    result('mem-trivial-64', 'baton', 10_000),
    result('mem-trivial-64', 'langgraph', 200),
    result('mem-trivial-64', 'baton', 14_000, 90e6),
    result('mem-trivial-64', 'langgraph', 100),
    result('mem-trivial-64', 'baton', 12_000),
    result('mem-trivial-64', 'langgraph', 300),
    result('sqlite-io-512', 'baton', 6_000),
    result('raw-batched', 'raw', 10_000),
  ]);

  it('groups repetitions by line and implementation', () => {
    const baton = cells.find((c) => c.line === 'mem-trivial-64' && c.impl === 'baton')!;
    expect(baton.repetitions).toBe(3);
    expect(baton.runsPerSec).toEqual({ median: 12_000, min: 10_000, max: 14_000 });
    expect(baton.peakRssBytes).toBe(90e6);
    expect(cells).toHaveLength(4);
  });

  it('computes the Baton/LangGraph ratio from medians, and the fraction of raw batched', () => {
    expect(ratio(cells, 'mem-trivial-64')).toBe(60);
    expect(ratio(cells, 'sqlite-io-512')).toBeNull();
    expect(fractionOfRaw(cells, 'sqlite-io-512')).toBe(0.6);
  });

  it('checks targets as met, missed, or not measured', () => {
    const byName = new Map(checkTargets(cells).map((t) => [t.target, t]));
    expect(byName.get('no persistence, trivial, 64 in flight: Baton ≥ 50× LangGraph')?.met).toBe(
      true,
    );
    expect(byName.get('no persistence, trivial, 64 in flight: ≤ 6 µs per step')?.met).toBe(false);
    expect(byName.get('durable SQLite, io, 512 in flight: ≥ 50% of raw batched')?.met).toBe(true);
    expect(byName.get('memory-io-512: peak RSS ≤ 120 MB')?.met).toBeNull();
  });

  it('prints one row per implementation with the ratio on the Baton row', () => {
    const table = formatTable(LINES, cells);
    const batonRow = table
      .split('\n')
      .find((l) => l.startsWith('mem-trivial-64') && l.includes('baton'));
    expect(batonRow).toMatch(/12,000/);
    expect(batonRow).toMatch(/60\.0×/);
    expect(table.split('\n')).toHaveLength(2 + 4);
  });

  it('gives bytes on disk per run as medians per line, and Baton as a fraction of LangGraph', () => {
    const disk = (impl: ImplName, bytes: number | null): ChildResult => ({
      ...result('sqlite-trivial-64', impl, 1_000),
      diskBytesPerRun: bytes,
    });
    const rows = diskPerRun([
      disk('baton', 3_000),
      disk('baton', 5_000),
      disk('baton', 4_000),
      disk('langgraph', 10_000),
      { ...result('mem-trivial-64', 'baton', 1_000), diskBytesPerRun: null },
    ]);
    expect(rows).toEqual([
      { line: 'sqlite-trivial-64', baton: 4_000, langgraph: 10_000, fraction: 0.4 },
    ]);
    expect(formatDiskPerRun(rows)).toMatch(/40% of LangGraph's {2}\(target ≤ 50%: met\)/);
    const target = "bytes on disk per run (sqlite-trivial-64): ≤ ½ of LangGraph+SqliteSaver's";
    const checked = (fraction: number | null) =>
      checkTargets([], [{ line: 'sqlite-trivial-64', baton: 1, langgraph: 1, fraction }]).find(
        (t) => t.target === target,
      );
    expect(checked(0.4)).toMatchObject({ met: true, measured: '40%' });
    expect(checked(0.6)).toMatchObject({ met: false, measured: '60%' });
    expect(checked(null)?.met).toBeNull();
  });
});
