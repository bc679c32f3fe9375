/**
 * Builds the dashboard's browser islands (Preact) into dist/dashboard/assets with hashed names
 * and a manifest; the server reads the manifest to link them. No plugin: esbuild's JSX with
 * Preact's runtime.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./src/dashboard/client/', import.meta.url)),
  base: '/assets/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('./dist/dashboard/assets/', import.meta.url)),
    emptyOutDir: true,
    manifest: true,
    assetsDir: '',
    target: 'es2022',
    modulePreload: false,
    rollupOptions: {
      input: fileURLToPath(new URL('./src/dashboard/client/main.tsx', import.meta.url)),
    },
  },
});
