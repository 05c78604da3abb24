import { describe, expect, test } from 'vitest';
import { prepareCached } from '../../../src/storage/prepare-cached.js';
import { migratedDb } from '../../helpers/migrated-db.js';

describe('prepareCached', () => {
  test('compiles a SQL text once per connection', () => {
    const { db } = migratedDb();
    const other = migratedDb().db;
    const sql = 'SELECT count(*) AS n FROM tenants';
    expect(prepareCached(db, sql)).toBe(prepareCached(db, sql));
    expect(prepareCached(other, sql)).not.toBe(prepareCached(db, sql));
    expect(prepareCached(db, sql).get()).toEqual({ n: 0 });
    db.close();
    other.close();
  });

  test('hands the statement back in its default mode after a caller plucked or read raw rows', () => {
    const { db } = migratedDb();
    const sql = "SELECT 1 AS one, 'x' AS two";
    expect(prepareCached(db, sql).pluck().get()).toBe(1);
    expect(prepareCached(db, sql).get()).toEqual({ one: 1, two: 'x' });
    expect(prepareCached(db, sql).raw().get()).toEqual([1, 'x']);
    expect(prepareCached(db, sql).get()).toEqual({ one: 1, two: 'x' });
    // Statements that return no rows have no mode to reset.
    expect(prepareCached(db, 'DELETE FROM tenants WHERE id = -1').run().changes).toBe(0);
    db.close();
  });
});
