import { describe, expect, test } from 'vitest';
import { ANALYTICS_SQL } from '../../../src/storage/analytics-store.js';
import { migratedDb } from '../../helpers/migrated-db.js';

const EXPECTED_INDEX: Record<keyof typeof ANALYTICS_SQL, RegExp> = {
  messagePoints: /SEARCH messages USING COVERING INDEX messages_tenant_created \(tenant_id=\? AND created_at>\? AND created_at<\?\)/,
  handovers: /SEARCH h USING INDEX handovers_tenant_created \(tenant_id=\? AND created_at>\? AND created_at<\?\)/,
  knowledgeGaps: /SEARCH h USING INDEX handovers_tenant_created \(tenant_id=\? AND created_at>\? AND created_at<\?\)/,
  openRequests: /SEARCH handovers USING (COVERING )?INDEX handovers_open \(tenant_id=\?\)/,
  // Then each open request's contact, by primary key (the correlated subquery names its channel account).
  openRequestsOn: /SEARCH h USING INDEX handovers_open \(tenant_id=\?\).*SEARCH c USING INTEGER PRIMARY KEY \(rowid=\?\)/,
  contact: /SEARCH contacts USING INTEGER PRIMARY KEY/,
  contactAccount: /SEARCH contacts USING INTEGER PRIMARY KEY \(rowid=\?\)/,
  // UNIQUE (tenant_id, channel): at most three entries of the tenant, read from the index alone.
  channelAccounts: /SEARCH channel_accounts USING COVERING INDEX sqlite_autoindex_channel_accounts_\d \(tenant_id=\?\)/,
};

/**
 * The overview of a tenant with 100,000 messages must answer in 200 ms (test/bench/scenario-dashboard.ts): every
 * statement it runs starts from an index on the tenant and the range, and none reads a whole table.
 */
describe('the owner\'s numbers read indexes, never a whole table', () => {
  test.each(Object.keys(ANALYTICS_SQL) as (keyof typeof ANALYTICS_SQL)[])('%s', (name) => {
    const { db } = migratedDb();
    const sql = ANALYTICS_SQL[name];
    const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    db.close();
    const text = plan.join(' | ');
    expect(text, text).toMatch(EXPECTED_INDEX[name]);
    expect(text, text).not.toMatch(/\bSCAN (messages|handovers|h|d|desk_messages|contacts|c|channel_accounts|a)\b(?! USING)/);
    // The reminder counts per request look a request's desk messages up by its id.
    if (sql.includes('desk_messages')) expect(text, text).toMatch(/SEARCH d USING INDEX desk_messages_handover \(handover_id=\? AND kind=\?\)/);
  });
});
