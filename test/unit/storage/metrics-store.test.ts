import { describe, expect, test } from 'vitest';
import { DEAD, DESTINATIONS, LANES, OLDEST_DUE, PENDING, RUNNING } from '../../../src/storage/metrics-store.js';
import { migratedDb } from '../../helpers/migrated-db.js';

describe('metrics scrape queries', () => {
  test.each([
    ['pending by kind', PENDING, 'jobs_(due|fair)'],
    ['running by kind', RUNNING, 'jobs_leases'],
    ['dead by kind', DEAD, 'jobs_finished'],
    ['oldest due', OLDEST_DUE, 'jobs_due'],
    ['due by lane', LANES, 'jobs_(due|fair)'],
  ])('%s reads a partial index, never the whole jobs table', (_, sql, index) => {
    const { db } = migratedDb();
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql.includes('?') ? [0] : [])) as { detail: string }[]).map((r) => r.detail).join(' | ');
    db.close();
    // jobs_due and jobs_fair are both partial indexes of the pending jobs only.
    expect(plan).toMatch(new RegExp(`INDEX ${index}\\b`));
    expect(plan).not.toMatch(/SCAN jobs(?! USING)/);
  });
});

test('destinations with a backlog are read from the partial index of waiting budgets, not the whole rate_budgets table', () => {
  const { db } = migratedDb();
  const plan = (db.prepare(`EXPLAIN QUERY PLAN ${DESTINATIONS}`).all(10) as { detail: string }[]).map((r) => r.detail).join(' | ');
  db.close();
  expect(plan).toContain('INDEX rate_budgets_waiting');
  expect(plan).not.toMatch(/SCAN b\b(?! USING)/);
});
