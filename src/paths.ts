import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository/package root, found by walking up from this file (it runs from dist/src after the build). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'dombridge') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('dombridge package root not found');
    dir = up;
  }
}

export const PACKAGE_ROOT = findRoot();
export const WSDL_DIR = join(PACKAGE_ROOT, 'wsdl');
export const SCHEMA_DIR = join(PACKAGE_ROOT, 'schemas');
