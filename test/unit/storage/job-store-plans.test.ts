import { describe, expect, test } from 'vitest';
import { JOB_SQL } from '../../../src/storage/job-store.js';
import { migratedDb } from '../../helpers/migrated-db.js';

const PARAMS: Record<string, unknown> = {
  kind: 'k', tenantId: 1, payload: '{}', concurrencyKey: 'c', uniqueKey: 'u', maxAttempts: 3, runAt: 0, traceId: 't', now: 0,
  lockedUntil: 0, workerId: 'w', kinds: '["k"]', limit: 1, id: 1, error: 'e', ids: '[1]', state: 'done', before: 0, batch: 10,
  lane: 'customer', fairAt: 0, tenantKey: 1,
};

/**
 * The jobs table keeps every finished job until `prune`, so at a busy cell it holds hundreds of thousands of rows. A
 * statement that scans it runs on every webhook and every claim and stalls the event loop in proportion.
 */
describe('queue statements read an index, never the whole jobs table', () => {
  test.each(Object.entries(JOB_SQL))('%s', (name, sql) => {
    const { db } = migratedDb();
    const stmt = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
    const named = Object.fromEntries(Object.entries(PARAMS).filter(([k]) => sql.includes(`@${k}`)));
    const plan = (sql.includes('?') ? stmt.all(1) : stmt.all(named)) as { detail: string }[];
    db.close();
    const text = plan.map((r) => r.detail).join(' | ');
    expect(text, `${name}: ${text}`).not.toMatch(/SCAN (jobs|j|r|e)\b(?! USING)/);
  });
});
