/**
 * What a result depends on besides the code: the machine, Node, SQLite and the exact package
 * versions installed (read from node_modules, not from package.json ranges).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Packages whose installed version is recorded with every result. */
export const RECORDED_PACKAGES = [
  '@langchain/langgraph',
  '@langchain/langgraph-checkpoint',
  '@langchain/langgraph-checkpoint-sqlite',
  '@langchain/core',
  'better-sqlite3',
  'zod',
  'tsx',
  'typescript',
] as const;

/** The environment of a bench run. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly totalMemoryBytes: number;
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
  readonly sqlite: string;
  readonly baton: string;
  readonly gitCommit: string | null;
  readonly packages: Readonly<Record<string, string>>;
}

function installedVersion(root: string, name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'));
    return String((pkg as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'not installed';
  }
}

/** Describes this machine and the installed packages under `root`. */
export function machineInfo(root: string): MachineInfo {
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  let gitCommit: string | null = null;
  try {
    gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    gitCommit = null;
  }
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    totalMemoryBytes: totalmem(),
    platform: process.platform,
    arch: process.arch,
    node: process.version,
    sqlite,
    baton: own.version ?? 'unknown',
    gitCommit,
    packages: Object.fromEntries(RECORDED_PACKAGES.map((n) => [n, installedVersion(root, n)])),
  };
}
