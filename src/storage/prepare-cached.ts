import type { Statement } from 'better-sqlite3';
import type { Db } from './open-db.js';

const caches = new WeakMap<Db, Map<string, Statement>>();
/** A store's SQL texts are constants; this bound only guards against a caller building SQL from data. */
const MAX_PER_CONNECTION = 500;

/**
 * `db.prepare(sql)`, compiled once per connection and SQL text. A store that prepares in its methods (rather than
 * in its constructor) spent 5% of the worker's CPU in the benchmark's burst re-compiling the same statements.
 * The statement comes back in its default mode (rows as objects), so a caller that plucks or reads raw rows
 * elsewhere does not change what the next caller gets; callers use it at once, as they used `db.prepare`.
 */
export function prepareCached(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const cached = cache.get(sql);
  if (cached) {
    if (cached.reader) cached.pluck(false).raw(false).expand(false);
    return cached;
  }
  const statement = db.prepare(sql);
  if (cache.size < MAX_PER_CONNECTION) cache.set(sql, statement);
  return statement;
}
