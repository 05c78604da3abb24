import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../../errors.js';
import { packageRoot } from '../../paths.js';

export interface LitestreamBinary {
  path: string;
  /** `npm`: shipped in node_modules as @flydotio/litestream-<platform>-<arch>; `path`: found on PATH. */
  source: 'npm' | 'path';
}

/**
 * Finds the Litestream executable: the one npm installed with botctl (the optional dependency
 * `@flydotio/litestream-linux-x64`, the platform package of @flydotio/litestream; the wrapper package itself is not
 * used, because its other platforms' packages are missing from the registry this project installs from, which
 * breaks `npm ci`, and its script does not pass SIGTERM on), else `litestream` on PATH. Null when there is none.
 */
export function findLitestream(pathEnv = process.env.PATH ?? ''): LitestreamBinary | null {
  const platformPackage = `@flydotio/litestream-${process.platform}-${process.arch}`;
  try {
    const manifest = createRequire(join(packageRoot, 'package.json')).resolve(`${platformPackage}/package.json`);
    const shipped = join(dirname(manifest), 'litestream');
    if (isExecutable(shipped)) return { path: shipped, source: 'npm' };
  } catch {
    // Not installed for this platform (optional dependency): fall back to PATH.
  }
  for (const dir of pathEnv.split(':').filter(Boolean)) {
    const candidate = join(dir, 'litestream');
    if (isExecutable(candidate)) return { path: candidate, source: 'path' };
  }
  return null;
}

/** Like findLitestream, but a missing binary is a UserError with the fix. */
export function requireLitestream(pathEnv = process.env.PATH ?? ''): LitestreamBinary {
  const found = findLitestream(pathEnv);
  if (!found) {
    throw new UserError(
      `Litestream is not installed (no @flydotio/litestream-${process.platform}-${process.arch} in ${packageRoot}/node_modules and no litestream on PATH)`,
      `reinstall botctl (sudo ./install.sh runs npm ci, which brings it), or install Litestream v0.3 as /usr/local/bin/litestream`,
    );
  }
  return found;
}

/** `litestream version`, e.g. `v0.3.13`; null when it cannot be run. */
export function litestreamVersion(binary: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(binary, ['version'], { timeout: 10_000 }, (err, stdout) => resolve(err ? null : stdout.trim() || null));
  });
}

function isExecutable(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
