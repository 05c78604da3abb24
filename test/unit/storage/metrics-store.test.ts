import { describe, expect, test } from 'vitest';
import { DEAD, OLDEST_DUE, PENDING, RUNNING } from '../../../src/storage/metrics-store.js';
import { migratedDb } from '../../helpers/migrated-db.js';

describe('metrics scrape queries', () => {
  test.each([
    ['pending by kind', PENDING, 'jobs_due'],
    ['running by kind', RUNNING, 'jobs_leases'],
    ['dead by kind', DEAD, 'jobs_finished'],
    ['oldest due', OLDEST_DUE, 'jobs_due'],
  ])('%s reads a partial index, never the whole jobs table', (_, sql, index) => {
    const { db } = migratedDb();
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql.includes('?') ? [0] : [])) as { detail: string }[]).map((r) => r.detail).join(' | ');
    db.close();
    expect(plan).toContain(`INDEX ${index}`);
    expect(plan).not.toMatch(/SCAN jobs(?! USING)/);
  });
});
