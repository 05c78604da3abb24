import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding botctl's package.json, whether running from dist/ or from sources under a test runner. */
export const packageRoot: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`botctl's package folder was not found above ${start}; reinstall botctl`);
    dir = parent;
  }
}

export const migrationsDir = join(packageRoot, 'src', 'storage', 'migrations');
export const templatesDir = join(packageRoot, 'templates');
