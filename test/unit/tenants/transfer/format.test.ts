import { describe, expect, test } from 'vitest';
import { FAMILIES, SPECS, upgradeRow } from '../../../../src/tenants/transfer/format.js';
import { migratedDb } from '../../../helpers/migrated-db.js';

describe('the tenant export format covers the schema', () => {
  const { db } = migratedDb();
  const columns = (table: string) => (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map((c) => c.name).sort();

  // A migration that adds a column to a carried table fails here until the format carries it (and its version is raised).
  test.each(FAMILIES.map((f) => [f]))('%s: every column of its table is a field, and every field a column', (family) => {
    const spec = SPECS[family];
    const fields = Object.entries(spec.fields).map(([name, type]) => (type === 'secret?' ? `${name}_enc` : name));
    const implied = family === 'tenant' ? [] : ['tenant_id'];
    expect([...fields, ...implied].sort()).toEqual(columns(spec.table));
  });

  test('every table that holds tenant rows is either carried or knowingly left behind', () => {
    const withTenant = (db.prepare("SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'tenant_id')").all() as { name: string }[]).map((t) => t.name);
    const carried = new Set(FAMILIES.map((f) => SPECS[f].table));
    // jobs: pending work stays with the cell that has it; trace_events: diagnostics keyed by the source's ids and jobs;
    // kb_vectors: embeddings of the source cell's model, recomputed by the target's worker when needed.
    expect(withTenant.filter((t) => !carried.has(t)).sort()).toEqual(['jobs', 'kb_vectors', 'trace_events']);
  });

  test('a format 1 tenant row reads as using the cell\'s knowledge budget; format 2 rows are kept as written', () => {
    expect(upgradeRow(1, 'tenant', { id: 7, slug: 'smile' })).toEqual({ id: 7, slug: 'smile', knowledge_budget_tokens: null });
    expect(upgradeRow(2, 'tenant', { id: 7, knowledge_budget_tokens: 20000 })).toEqual({ id: 7, knowledge_budget_tokens: 20000 });
    expect(upgradeRow(1, 'prompt', { id: 1 })).toEqual({ id: 1 });
  });
});
