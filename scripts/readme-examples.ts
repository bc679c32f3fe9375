/**
 * The README's code examples are files under examples/readme/, type-checked by `npm run
 * typecheck`. A `<!-- example: path -->` line before a ```ts block ties the block to its file.
 * `npx tsx scripts/readme-examples.ts` copies each file into its block; test/readme.test.ts
 * fails when a block and its file differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MARKER = /<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g;

/** One tied block: the file it shows, what the README shows, and what the file holds. */
export interface ExampleBlock {
  readonly file: string;
  readonly shown: string;
  readonly actual: string;
}

/** The tied blocks of a README. */
export function exampleBlocks(readme: string, root: string): ExampleBlock[] {
  return [...readme.matchAll(MARKER)].map((m) => ({
    file: m[1]!,
    shown: m[2]!,
    actual: readFileSync(join(root, m[1]!), 'utf8'),
  }));
}

/** The README with every tied block replaced by its file's content. */
export function syncExamples(readme: string, root: string): string {
  return readme.replace(MARKER, (_all, file: string) => {
    const body = readFileSync(join(root, file), 'utf8');
    return `<!-- example: ${file} -->\n\`\`\`ts\n${body.endsWith('\n') ? body : `${body}\n`}\`\`\``;
  });
}

if (process.argv[1]?.endsWith('readme-examples.ts')) {
  const root = join(import.meta.dirname, '..');
  const path = join(root, 'README.md');
  writeFileSync(path, syncExamples(readFileSync(path, 'utf8'), root));
}
