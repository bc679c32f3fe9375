/** Runs quota-child.ts in a process of its own and resolves with its report. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { QuotaChildConfig, QuotaChildReport } from './quota-child.js';

const CHILD = fileURLToPath(new URL('./quota-child.ts', import.meta.url));

/** Spawns one child; rejects with its stderr when it exits without a report. */
export function runQuotaChild(config: QuotaChildConfig): Promise<QuotaChildReport> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line) as QuotaChildReport);
      else reject(new Error(`quota child ${config.name} exited ${code}: ${err || out}`));
    });
  });
}
