import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples and tests import Baton by its package name, exactly as users do.
    alias: [
      { find: /^baton-runtime$/, replacement: src('index.ts') },
      { find: /^baton-runtime\/(postgres|nats)$/, replacement: src('backends/$1/index.ts') },
      { find: /^baton-runtime\/(.*)$/, replacement: src('$1/index.ts') },
    ],
  },
  test: {
    include: [
      'src/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
