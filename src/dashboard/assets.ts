/**
 * The browser assets: the island bundle and the stylesheet, built by Vite into
 * `dist/dashboard/assets/` with hashed names and shipped inside the package (no CDN; works
 * offline). The manifest maps the entry to its hashed files.
 */
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the built assets live (the same relative place from src/ and from dist/). */
export const ASSETS_DIR = fileURLToPath(new URL('../../dist/dashboard/assets/', import.meta.url));

/** The hashed URLs of the bundle and the stylesheet. */
export interface AssetUrls {
  readonly script: string;
  readonly style: string;
}

/** Reads the build manifest; placeholders when the assets were not built (pages still render). */
export function assetUrls(dir = ASSETS_DIR): AssetUrls {
  try {
    const manifest = JSON.parse(
      readFileSync(join(dir, '.vite', 'manifest.json'), 'utf8'),
    ) as Record<string, { file: string; css?: string[]; isEntry?: boolean }>;
    const entry = Object.values(manifest).find((m) => m.isEntry);
    if (!entry) throw new Error('no entry');
    return { script: `/assets/${entry.file}`, style: `/assets/${entry.css?.[0] ?? 'missing.css'}` };
  } catch {
    return { script: '/assets/missing.js', style: '/assets/missing.css' };
  }
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The bytes and type of an asset, or undefined (also for any path leaving the folder). */
export function readAsset(
  name: string,
  dir = ASSETS_DIR,
): { body: Buffer; type: string } | undefined {
  const path = normalize(join(dir, name));
  if (!path.startsWith(normalize(dir)) || name.includes('..')) return undefined;
  const type = TYPES[extname(path)];
  if (!type) return undefined;
  try {
    return { body: readFileSync(path), type };
  } catch {
    return undefined;
  }
}
