import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exampleBlocks } from '../scripts/readme-examples.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** GitHub's heading anchors: lowercase, spaces to dashes, punctuation dropped. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(
      m[1]!
        .toLowerCase()
        .replace(/[^\p{L}\p{N} -]/gu, '')
        .replace(/ /g, '-'),
    );
  }
  return out;
}

describe('the README', () => {
  it('shows each example exactly as the type-checked file under examples/readme', () => {
    const blocks = exampleBlocks(README, ROOT);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const b of blocks)
      expect(b.shown, `${b.file} differs: run npx tsx scripts/readme-examples.ts`).toBe(b.actual);
  });

  it('links only to files that exist and headings that exist', () => {
    const headings = anchors(README);
    for (const [, target] of README.matchAll(/\]\(([^)]+)\)/g)) {
      if (/^https?:/.test(target!)) continue;
      if (target!.startsWith('#')) expect(headings, `anchor ${target}`).toContain(target!.slice(1));
      else expect(existsSync(join(ROOT, target!.split('#')[0]!)), `file ${target}`).toBe(true);
    }
  });

  it('gives the two commands, and .ci/run calls the test command', () => {
    expect(README).toContain('npm install && npm start');
    expect(README).toContain('npm test');
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
  });
});
