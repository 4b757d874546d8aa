import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A file or folder under this package's `assets/` (the shipped model, personas). Found from the
 * package root, so it resolves the same from `src/` (development) and from `dist/` chunks (published).
 */
export function coreAsset(...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('@hearth/core: package.json not found above its module');
    dir = up;
  }
  return join(dir, 'assets', ...parts);
}
