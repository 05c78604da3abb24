import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { openCell } from '../../../src/cell.js';
import { loadConfig } from '../../../src/config/load.js';
import { UserError } from '../../../src/errors.js';
import { migrationsDir } from '../../../src/paths.js';
import { searchKnowledge } from '../../../src/knowledge/knowledge-service.js';
import { indexBody } from '../../../src/knowledge/normalize.js';
import { KnowledgeStore } from '../../../src/storage/knowledge-store.js';
import { applyMigrations, knownMigrations, migrationStatus, type Migration } from '../../../src/storage/migrate.js';
import { openDatabase, type Db } from '../../../src/storage/open-db.js';

const KNOWN = knownMigrations();
const LATEST = KNOWN.at(-1)!.version;
const NOW = 1_700_000_000_000;
/** Every version a cell can be at before the latest: empty (0) and each shipped migration but the last. */
const EARLIER = [0, ...KNOWN.slice(0, -1).map((m) => m.version)];

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'botctl-migrate-'));
}

function freshDb(dataDir = tempDataDir()): Db {
  const db = openDatabase(dataDir);
  open.push(db);
  return db;
}

function tables(db: Db): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

/** The schema as SQLite stores it (tables, indexes), for "every path ends at the same schema". */
function schema(db: Db): { type: string; name: string; sql: string | null }[] {
  return db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { type: string; name: string; sql: string | null }[];
}

function ledger(db: Db): { version: number; name: string; checksum: string; applied_at: number }[] {
  return db.prepare('SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version').all() as { version: number; name: string; checksum: string; applied_at: number }[];
}

function rows(db: Db, table: string): unknown[] {
  // WITHOUT ROWID tables have no rowid: their primary key orders them.
  const withoutRowid = /WITHOUT ROWID/i.test(String((db.prepare("SELECT sql FROM sqlite_master WHERE name = ?").get(table) as { sql: string } | undefined)?.sql));
  return db.prepare(`SELECT * FROM "${table}" ORDER BY ${withoutRowid ? '1' : 'rowid'}`).all();
}

/** The ledger as it must read after every shipped migration ran: checksums computed here from the files themselves. */
function expectedLedger(upTo = LATEST): { version: number; name: string; checksum: string }[] {
  return readdirSync(migrationsDir)
    .map((file) => /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      version: Number(m[1]),
      name: m[2]!,
      checksum: createHash('sha256').update(readFileSync(join(migrationsDir, m[0]), 'utf8')).digest('hex').slice(0, 16),
    }))
    .filter((m) => m.version <= upTo)
    .sort((a, b) => a.version - b.version);
}

/**
 * Representative rows for the tables each migration introduced, written as the code of that version would:
 * SEEDS[v] runs only on a database at version ≥ v. The tables they fill are listed so the test can compare them.
 */
const SEEDS: Record<number, { tables: string[]; seed: (db: Db) => void }> = {
  1: {
    tables: ['cell_meta', 'tenants', 'channel_accounts', 'contacts', 'conversations', 'handovers', 'handover_events', 'messages'],
    seed: (db) => {
      db.prepare('INSERT INTO cell_meta (key, value) VALUES (?, ?)').run('seeded', Buffer.from([1, 2, 3]));
      db.prepare(`INSERT INTO tenants (id, slug, name, status, locale, timezone, telegram_chat_id, business_hours, created_at, updated_at)
        VALUES (1, 'dental-almaty', 'Smile Dental «Улыбка»', 'active', 'ru', 'Asia/Almaty', -1001234567890, '{"mon":[[540,1080]]}', ?, ?)`).run(NOW, NOW);
      db.prepare(`INSERT INTO channel_accounts (id, tenant_id, channel, external_id, access_token_enc, created_at, updated_at)
        VALUES (1, 1, 'whatsapp', '106540352242922', ?, ?, ?)`).run(randomBytes(40), NOW, NOW);
      db.prepare(`INSERT INTO contacts (id, tenant_id, channel_account_id, provider_id, display_name, phone, metadata, created_at, updated_at)
        VALUES (1, 1, 1, '77011234567', 'Айгерим', '+77011234567', '{"summary":"prefers mornings"}', ?, ?)`).run(NOW, NOW);
      db.prepare(`INSERT INTO conversations (id, tenant_id, contact_id, state, state_changed_at, created_at, updated_at)
        VALUES (1, 1, 1, 'waiting', ?, ?, ?)`).run(NOW, NOW, NOW);
      db.prepare(`INSERT INTO handovers (id, tenant_id, conversation_id, contact_id, number, status, reason, created_at, updated_at)
        VALUES (1, 1, 1, 1, 1, 'waiting', 'price question', ?, ?)`).run(NOW, NOW);
      db.prepare('UPDATE conversations SET handover_id = 1 WHERE id = 1').run();
      db.prepare(`INSERT INTO handover_events (tenant_id, handover_id, event, from_state, to_state, actor_kind, reason, at)
        VALUES (1, 1, 'created', 'bot', 'waiting', 'bot', 'price question', ?)`).run(NOW);
      db.prepare(`INSERT INTO messages (tenant_id, channel_account_id, contact_id, handover_id, direction, author_kind, type, body,
          provider_message_id, delivery_status, trace_id, created_at, updated_at)
        VALUES (1, 1, 1, 1, 'inbound', 'customer', 'text', 'Сколько стоит чистка?', 'wamid.HBgL1', 'received', 'trace-1', ?, ?)`).run(NOW, NOW);
    },
  },
  2: {
    tables: ['jobs'],
    seed: (db) => {
      db.prepare(`INSERT INTO jobs (kind, tenant_id, payload, concurrency_key, unique_key, max_attempts, run_at, trace_id, created_at, updated_at)
        VALUES ('handle_inbound', 1, '{"contactId":1}', 'contact:1', NULL, 8, ?, 'trace-1', ?, ?)`).run(NOW, NOW, NOW);
    },
  },
  3: {
    tables: ['trace_events', 'audit_log'],
    seed: (db) => {
      db.prepare(`INSERT INTO trace_events (tenant_id, trace_id, at, step, detail) VALUES (1, 'trace-1', ?, 'webhook.received', '{}')`).run(NOW);
      db.prepare(`INSERT INTO audit_log (at, actor, action, tenant_id, tenant_slug, detail) VALUES (?, 'root', 'tenant.add', 1, 'dental-almaty', '{"changed":["name"]}')`).run(NOW);
    },
  },
  4: {
    tables: ['kb_sources', 'kb_chunks'],
    seed: (db) => {
      db.prepare(`INSERT INTO kb_sources (id, tenant_id, name, format, checksum, chunk_count, created_at, updated_at) VALUES (1, 1, 'prices.md', 'md', 'abc123', 1, ?, ?)`).run(NOW, NOW);
      db.prepare(`INSERT INTO kb_chunks (id, tenant_id, source_id, ordinal, heading, text, created_at) VALUES (1, 1, 1, 1, 'Цены', 'Чистка зубов — 15000 тенге', ?)`).run(NOW);
      // Its index row as versions 4–8 wrote it; on a database already past 0009, as the code of today writes it.
      if (hasTable(db, 'kb_fts')) db.prepare(`INSERT INTO kb_fts (rowid, tenant_key, body) VALUES (1, 't1', 'чистка зубов 15000 тенге')`).run();
      else db.prepare('INSERT INTO kb_terms (rowid, body) VALUES (1, ?)').run(indexBody(1, 'Чистка зубов — 15000 тенге'));
    },
  },
  5: {
    tables: ['prompts', 'llm_calls'],
    seed: (db) => {
      db.prepare(`INSERT INTO prompts (tenant_id, version, body, actor, created_at) VALUES (1, 1, 'Ты — ассистент клиники.', 'root', ?)`).run(NOW);
      db.prepare("UPDATE tenants SET prompt_version = 1, texts = '{\"en\":{\"holding_reply\":\"One moment\"}}' WHERE id = 1").run();
      db.prepare(`INSERT INTO llm_calls (tenant_id, contact_id, purpose, at, duration_ms, outcome) VALUES (1, 1, 'reply', ?, 850, 'ok')`).run(NOW);
      db.prepare('UPDATE conversations SET notice_sent_at = ? WHERE id = 1').run(NOW);
    },
  },
  6: {
    tables: ['desk_messages', 'telegram_updates'],
    seed: (db) => {
      db.prepare("UPDATE tenants SET telegram_status = 'removed', telegram_status_detail = 'kicked', telegram_is_forum = 1 WHERE id = 1").run();
      db.prepare('UPDATE handovers SET reminders_sent = 2, escalated_at = ? WHERE id = 1').run(NOW);
      db.prepare(`INSERT INTO desk_messages (tenant_id, handover_id, chat_id, telegram_message_id, thread_id, kind, message_id, created_at)
        VALUES (1, 1, -1001234567890, 42, 7, 'card', NULL, ?)`).run(NOW);
      db.prepare('INSERT INTO telegram_updates (update_id, at) VALUES (900001, ?)').run(NOW);
    },
  },
  // An index only: the rows of the earlier versions carry through it.
  7: { tables: [], seed: () => undefined },
  8: { tables: [], seed: () => undefined },
  // The index's rows cannot be read back (contentless); the upgrade test below searches them instead.
  9: {
    tables: [],
    seed: (db) => {
      new KnowledgeStore(db).writeSource(1, { name: 'faq.csv', format: 'csv', checksum: 'def456', chunks: [
        { heading: null, question: 'Есть парковка?', answer: 'Да, бесплатная.', text: 'Есть парковка?\nДа, бесплатная.' },
      ] }, NOW);
    },
  },
  10: { tables: [], seed: () => undefined },
  11: {
    tables: ['kb_vectors'],
    seed: (db) => {
      db.prepare('UPDATE tenants SET knowledge_budget_tokens = 20000 WHERE id = 1').run();
      db.prepare(`INSERT INTO kb_vectors (chunk_id, tenant_id, model, dims, vector, created_at) VALUES (1, 1, 'text-embedding-3-small', 2, ?, ?)`)
        .run(Buffer.from(Float32Array.from([0.6, 0.8]).buffer), NOW);
    },
  },
  12: {
    tables: ['job_fair_clock', 'rate_budgets', 'desk_digest_pages', 'desk_digest_lines'],
    seed: (db) => {
      db.prepare("INSERT INTO job_fair_clock (tenant_id, lane, last_fair) VALUES (1, 'desk', ?)").run(NOW);
      db.prepare("INSERT INTO rate_budgets (key, tat, blocked_until, waiting, waiting_since, updated_at) VALUES ('tg:group:-1001', ?, 0, 2, ?, ?)").run(NOW, NOW, NOW);
      const page = db.prepare('INSERT INTO desk_digest_pages (tenant_id, chat_id, telegram_message_id, dirty, created_at, drawn_at) VALUES (1, -1001, 77, 0, ?, ?)').run(NOW, NOW).lastInsertRowid;
      db.prepare('INSERT INTO desk_digest_lines (handover_id, page_id, listed_at) VALUES ((SELECT min(id) FROM handovers), ?, ?)').run(page, NOW);
    },
  },
  13: {
    tables: ['webhook_rejections'],
    seed: (db) => {
      db.prepare(`INSERT INTO contacts (id, tenant_id, channel_account_id, provider_id, display_name, user_id, metadata, created_at, updated_at)
        VALUES (13, 1, 1, 'KZ.1502576394655843', '@aigerim', 'KZ.1502576394655843', '{}', ?, ?)`).run(NOW, NOW);
      db.prepare(`INSERT INTO webhook_rejections (tenant_id, channel, path, reason, provider_message_id, body_sha256, body_bytes, created_at)
        VALUES (1, 'whatsapp', 'body.entry[0].changes[0].value.messages[0]', 'nested deeper than 32 levels', 'wamid.DEEP', 'abc', 1200, ?)`).run(NOW);
    },
  },
  15: {
    tables: ['learning_settings', 'learning_digests', 'learned_items'],
    seed: (db) => {
      db.prepare("INSERT INTO learning_settings (tenant_id, mode, approver_id, digest_at, updated_at) VALUES (1, 'approve', 555001, '09:30', ?)").run(NOW);
      db.prepare('INSERT INTO learning_digests (tenant_id, chat_id, telegram_message_id, created_at, sent_at) VALUES (1, -1001234567890, 77, ?, ?)').run(NOW, NOW);
      db.prepare(`INSERT INTO learned_items (tenant_id, origin, status, handover_id, handover_number, ordinal, question, answer, manager_text, created_by_id,
        created_by_name, created_at, decided_by_name, decided_at, digest_id, updated_at) VALUES (1, 'proposed', 'live', 1, 1, 1, 'Есть парковка?', 'Да, на 20 машин.',
        'Да, на 20 машин.', NULL, NULL, ?, 'Алия', ?, 1, ?)`).run(NOW, NOW, NOW);
    },
  },
  16: {
    tables: ['webhook_endpoints', 'integration_events', 'webhook_deliveries', 'crm_connections', 'crm_links'],
    seed: (db) => {
      db.prepare(`INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret_enc, status, created_at, updated_at)
        VALUES (1, 1, 'https://hooks.example.com/botctl', '["handover.opened"]', ?, 'ok', ?, ?)`).run(randomBytes(40), NOW, NOW);
      db.prepare(`INSERT INTO integration_events (id, tenant_id, contact_id, type, payload, created_at)
        VALUES (1, 1, 1, 'handover.opened', '{"id":"evt_1","type":"handover.opened","version":1}', ?)`).run(NOW);
      db.prepare(`INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, state, attempts, last_status, created_at, updated_at, delivered_at)
        VALUES (1, 1, 1, 'delivered', 1, 204, ?, ?, ?)`).run(NOW, NOW, NOW);
      db.prepare(`INSERT INTO crm_connections (tenant_id, provider, settings, secret_enc, created_at, updated_at)
        VALUES (1, 'amocrm', '{"subdomain":"dental"}', ?, ?, ?)`).run(randomBytes(40), NOW, NOW);
      db.prepare(`INSERT INTO crm_links (tenant_id, provider, contact_id, external_contact_id, entity_type, entity_id, created_at)
        VALUES (1, 'amocrm', 1, '1001', 'lead', '1002', ?)`).run(NOW);
    },
  },
  // The owner's dashboard: a handover's cause and question, a login link and a session, a tenant's digest.
  14: {
    tables: ['dashboard_links', 'dashboard_sessions'],
    seed: (db) => {
      db.prepare("UPDATE handovers SET cause = 'no_knowledge', question = 'Есть парковка?' WHERE tenant_id = 1").run();
      db.prepare("UPDATE tenants SET digest = 'weekly', dashboard_managers = 0 WHERE id = 1").run();
      db.prepare("INSERT INTO dashboard_links (tenant_id, token_hash, user_id, user_name, role, created_at, expires_at) VALUES (1, 'ab12', 501, 'Dana', 'manager', ?, ?)").run(NOW, NOW + 600_000);
      db.prepare("INSERT INTO dashboard_sessions (tenant_id, token_hash, user_id, user_name, role, created_at, expires_at) VALUES (1, 'cd34', 501, 'Dana', 'manager', ?, ?)").run(NOW, NOW + 3_600_000);
    },
  },
  17: {
    // 0017 renames the send job (its upgrade is tested end to end in test/e2e/deliver-upgrade.test.ts) and adds the handle.
    tables: [],
    seed: (db) => {
      db.prepare(`INSERT INTO contacts (id, tenant_id, channel_account_id, provider_id, display_name, handle, metadata, created_at, updated_at)
        VALUES (17, 1, 1, '17841400000000017', 'Aigerim', 'aigerim.k', '{}', ?, ?)`).run(NOW, NOW);
    },
  },
  18: {
    tables: ['sales_services', 'sales_bookings', 'sales_booking_events', 'whatsapp_templates', 'sales_settings', 'sales_reminders', 'sales_held_messages', 'sales_offers', 'sales_offer_events'],
    seed: (db) => {
      db.prepare("INSERT INTO sales_services (tenant_id, name, duration_min, price, position, updated_at) VALUES (1, 'Чистка', 60, '15 000 ₸', 0, ?)").run(NOW);
      db.prepare(`INSERT INTO sales_bookings (id, tenant_id, contact_id, service, preferred_time, customer_name, locale, state, created_at, decided_at, decided_by_name, appointment_at)
        VALUES (1, 1, 1, 'Чистка', 'завтра в 15:00', 'Айгерим', 'ru', 'confirmed', ?, ?, 'Алия', ?)`).run(NOW, NOW, NOW + 86_400_000);
      db.prepare("INSERT INTO sales_booking_events (tenant_id, booking_id, at, state, actor_kind, actor_name) VALUES (1, 1, ?, 'confirmed', 'manager', 'Алия')").run(NOW);
      db.prepare("INSERT INTO whatsapp_templates (tenant_id, name, language, params, purpose, created_at) VALUES (1, 'appointment_reminder', 'ru', '[\"name\"]', 'reminder', ?)").run(NOW);
      db.prepare("INSERT INTO sales_settings (tenant_id, reminder_offsets, updated_at) VALUES (1, '[86400000]', ?)").run(NOW);
      db.prepare('INSERT INTO sales_reminders (tenant_id, booking_id, offset_ms, due_at) VALUES (1, 1, 86400000, ?)').run(NOW);
      db.prepare("INSERT INTO sales_offers (id, tenant_id, when_text, text, service, created_at) VALUES (1, 1, 'чистка', 'Отбеливание со скидкой 20%', 'Чистка', ?)").run(NOW);
      db.prepare("INSERT INTO sales_offer_events (tenant_id, offer_id, contact_id, kind, at) VALUES (1, 1, 1, 'offered', ?)").run(NOW);
      const message = db.prepare("SELECT id FROM messages WHERE tenant_id = 1 LIMIT 1").get() as { id: number };
      db.prepare('INSERT INTO sales_held_messages (tenant_id, contact_id, message_id, template_message_id, created_at) VALUES (1, 1, ?, ?, ?)').run(message.id, message.id, NOW);
    },
  },
};

function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(name) !== undefined;
}

/** Chunk ids tenant 1's search finds for a question, with today's search. */
function found(db: Db, question: string): number[] {
  return searchKnowledge(new KnowledgeStore(db), 1, question, { limit: 50 }).map((h) => h.chunkId);
}

function seedUpTo(db: Db, version: number): string[] {
  const seeded: string[] = [];
  for (const [v, { tables: t, seed }] of Object.entries(SEEDS)) {
    if (Number(v) <= version && KNOWN.some((m) => m.version === Number(v))) {
      seed(db);
      seeded.push(...t);
    }
  }
  return seeded;
}

describe('applyMigrations', () => {
  test('every shipped migration has representative rows in SEEDS (so the upgrade paths below carry data through it)', () => {
    expect(KNOWN.length).toBeGreaterThan(0);
    expect(new Set(KNOWN.map((m) => m.version)).size).toBe(KNOWN.length);
    for (const m of KNOWN) expect(SEEDS[m.version], `add representative rows for migration ${m.version} (${m.name}) to SEEDS in this test`).toBeDefined();
  });

  test('from an empty database to the latest version: every table, the ledger with checksums', () => {
    const db = freshDb();
    expect(tables(db)).toEqual([]);
    const before = Date.now();
    const ran = applyMigrations(db);
    expect(ran.map((m) => m.version)).toEqual(KNOWN.map((m) => m.version));
    expect(tables(db)).toEqual(
      expect.arrayContaining(['schema_migrations', 'cell_meta', 'tenants', 'channel_accounts', 'contacts', 'conversations', 'handovers', 'handover_events', 'messages', 'jobs', 'trace_events', 'audit_log']),
    );
    const recorded = ledger(db);
    expect(recorded.map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(expectedLedger());
    for (const row of recorded) {
      expect(row.checksum).toMatch(/^[0-9a-f]{16}$/);
      expect(row.applied_at).toBeGreaterThanOrEqual(before);
      expect(row.applied_at).toBeLessThanOrEqual(Date.now());
    }
    const status = migrationStatus(db);
    expect(status).toMatchObject({ current: LATEST, latest: LATEST, pending: [], changed: [] });
    // Every table is usable at the latest version.
    expect(() => seedUpTo(db, LATEST)).not.toThrow();
  });

  test('running it again applies nothing and leaves the ledger as it was', () => {
    const db = freshDb();
    applyMigrations(db);
    const first = ledger(db);
    expect(applyMigrations(db)).toEqual([]);
    expect(ledger(db)).toEqual(first);
  });

  const reference = (() => {
    let cached: ReturnType<typeof schema> | null = null;
    return () => {
      if (!cached) {
        const db = freshDb();
        applyMigrations(db);
        cached = schema(db);
      }
      return cached;
    };
  })();

  test.each(EARLIER)('from version %i, with data, to the latest: data survives, ledger complete, same schema as from empty', (k) => {
    const db = freshDb();
    const ranFirst = applyMigrations(db, { to: k });
    expect(ranFirst.map((m) => m.version)).toEqual(KNOWN.filter((m) => m.version <= k).map((m) => m.version));
    expect(migrationStatus(db).current).toBe(k);
    expect(ledger(db).map((r) => r.version)).toEqual(KNOWN.filter((m) => m.version <= k).map((m) => m.version));

    const seeded = seedUpTo(db, k);
    const before = Object.fromEntries(seeded.map((t) => [t, rows(db, t)]));
    for (const t of seeded) expect(before[t]!.length, `seed rows in ${t}`).toBeGreaterThan(0);
    const ledgerBefore = ledger(db);

    const ran = applyMigrations(db);
    expect(ran.map((m) => m.version)).toEqual(KNOWN.filter((m) => m.version > k).map((m) => m.version));
    // A chunk written before 0009 was indexed by its step and is found by today's search.
    if (k >= 4) expect(found(db, 'чистка зубов')).toEqual([1]);
    for (const t of seeded) {
      // Later migrations may add columns (with defaults); the columns that existed keep their values.
      const after = rows(db, t) as Record<string, unknown>[];
      const projected = after.map((row, i) => Object.fromEntries(Object.keys((before[t]![i] ?? {}) as object).map((c) => [c, row[c]])));
      expect(projected, `rows of ${t} after migrating from ${k}`).toEqual(before[t]);
    }
    expect(ledger(db).slice(0, ledgerBefore.length)).toEqual(ledgerBefore);
    expect(ledger(db).map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(expectedLedger());
    expect(schema(db)).toEqual(reference());
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

    // The tables added after k take rows (which reference the rows written at version k).
    for (const m of KNOWN.filter((m) => m.version > k)) expect(() => SEEDS[m.version]?.seed(db), `seed of version ${m.version}`).not.toThrow();
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(found(db, 'чистка зубов')).toEqual([1]);
    expect(found(db, 'парковка')).toHaveLength(1);
  });
});

describe('a database newer than this botctl', () => {
  function newerDb(): { db: Db; dataDir: string } {
    const dataDir = tempDataDir();
    const db = freshDb(dataDir);
    applyMigrations(db);
    db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)').run(LATEST + 1, 'from_the_future', 'ffffffffffffffff', NOW);
    return { db, dataDir };
  }

  test('applyMigrations refuses it, says to upgrade botctl, and changes nothing', () => {
    const { db } = newerDb();
    const before = schema(db);
    const ledgerBefore = ledger(db);
    let caught: unknown;
    try {
      applyMigrations(db);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UserError);
    const text = String(caught);
    expect(text).toContain(`schema version ${LATEST + 1}, newer than this botctl knows (${LATEST})`);
    expect(text).toContain('upgrade botctl');
    expect(schema(db)).toEqual(before);
    expect(ledger(db)).toEqual(ledgerBefore);
  });

  test.each(['apply', 'require'] as const)('openCell with schema %s refuses it with the upgrade message', (mode) => {
    const { db, dataDir } = newerDb();
    db.close();
    const envDir = mkdtempSync(join(tmpdir(), 'botctl-env-'));
    const envFile = join(envDir, 'botctl.env');
    writeFileSync(envFile, `BOTCTL_DATA_DIR=${dataDir}\nBOTCTL_SECRET_KEY=${randomBytes(32).toString('base64')}\n`);
    const config = loadConfig({ envFile, env: {}, require: ['secretKey'] });
    expect(() => openCell(config, { schema: mode })).toThrow(UserError);
    expect(() => openCell(config, { schema: mode })).toThrow(/newer than this botctl knows/);
    try {
      openCell(config, { schema: mode });
    } catch (err) {
      expect(String(err)).toContain('upgrade botctl');
    }
    const check = freshDb(dataDir);
    expect(ledger(check).at(-1)!.version).toBe(LATEST + 1);
  });

  test('openCell with schema require refuses an older database and points at botctl migrate', () => {
    const dataDir = tempDataDir();
    const db = freshDb(dataDir);
    applyMigrations(db, { to: 1 });
    db.close();
    const config = loadConfig({ envFile: writeEnv(dataDir), env: {} });
    expect(() => openCell(config, { schema: 'require' })).toThrow(`the database is at schema version 1 but this botctl needs ${LATEST}`);
    const cell = openCell(config, { schema: 'apply' });
    expect(cell.migrated.map((m) => m.version)).toEqual(KNOWN.filter((m) => m.version > 1).map((m) => m.version));
    cell.close();
    const again = openCell(config, { schema: 'require' });
    expect(again.migrated).toEqual([]);
    again.close();
  });
});

function writeEnv(dataDir: string): string {
  const envFile = join(mkdtempSync(join(tmpdir(), 'botctl-env-')), 'botctl.env');
  writeFileSync(envFile, `BOTCTL_DATA_DIR=${dataDir}\nBOTCTL_SECRET_KEY=${randomBytes(32).toString('base64')}\n`);
  return envFile;
}

describe('a migration that fails', () => {
  const broken = (version: number): Migration => ({
    version,
    name: 'broken',
    sql: `CREATE TABLE half_done (x INTEGER) STRICT;
          INSERT INTO half_done VALUES (1);
          ALTER TABLE tenants ADD COLUMN half_done_column TEXT;
          UPDATE tenants SET name = 'changed by the broken migration';
          INSERT INTO no_such_table VALUES (1);
          CREATE TABLE never_reached (x INTEGER);`,
    checksum: '0000000000000000',
  });

  test('is rolled back entirely: no table, column or row of it remains, and the ledger is unchanged', () => {
    const db = freshDb();
    applyMigrations(db);
    seedUpTo(db, LATEST);
    const schemaBefore = schema(db);
    const ledgerBefore = ledger(db);
    const tenantsBefore = rows(db, 'tenants');
    let caught: unknown;
    try {
      applyMigrations(db, { known: [...KNOWN, broken(LATEST + 1)] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toMatch(new RegExp(`^migration ${LATEST + 1} \\(broken\\) failed and was rolled back: .*no such table`));
    expect((caught as UserError).hint).toContain('unchanged');
    expect(schema(db)).toEqual(schemaBefore);
    expect(tables(db)).not.toContain('half_done');
    expect(ledger(db)).toEqual(ledgerBefore);
    expect(rows(db, 'tenants')).toEqual(tenantsBefore);
    expect(db.inTransaction).toBe(false);
    expect(migrationStatus(db, [...KNOWN, broken(LATEST + 1)]).pending.map((m) => m.version)).toEqual([LATEST + 1]);
  });

  test('earlier migrations of the same run stay applied (each has its own transaction); the broken one does not', () => {
    const db = freshDb();
    applyMigrations(db, { to: LATEST - 1 });
    const good: Migration = { version: LATEST + 1, name: 'good', sql: 'CREATE TABLE good_one (x INTEGER) STRICT;', checksum: '1111111111111111' };
    expect(() => applyMigrations(db, { known: [...KNOWN, good, broken(LATEST + 2)] })).toThrow(`migration ${LATEST + 2} (broken) failed and was rolled back`);
    expect(ledger(db).map((r) => r.version)).toEqual([...KNOWN.map((m) => m.version), LATEST + 1]);
    expect(tables(db)).toContain('good_one');
    expect(tables(db)).not.toContain('half_done');
  });
});

describe('a migration with a TypeScript step', () => {
  test('the step runs after its SQL and before its ledger row, in the same transaction', () => {
    const db = freshDb();
    applyMigrations(db);
    const seen: { table: boolean; recorded: boolean; inTransaction: boolean }[] = [];
    const withStep: Migration = {
      version: LATEST + 1, name: 'with_step', checksum: '2222222222222222',
      sql: 'CREATE TABLE filled (x INTEGER) STRICT;',
      step: {
        name: 'with_step',
        run: (d) => {
          seen.push({
            table: hasTable(d, 'filled'),
            recorded: d.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(LATEST + 1) !== undefined,
            inTransaction: d.inTransaction,
          });
          d.prepare('INSERT INTO filled VALUES (42)').run();
        },
      },
    };
    expect(applyMigrations(db, { known: [...KNOWN, withStep] }).map((m) => m.version)).toEqual([LATEST + 1]);
    expect(seen).toEqual([{ table: true, recorded: false, inTransaction: true }]);
    expect(rows(db, 'filled')).toEqual([{ x: 42 }]);
    expect(ledger(db).at(-1)).toMatchObject({ version: LATEST + 1, name: 'with_step', checksum: '2222222222222222' });
    // Applied once: running again applies nothing and does not run the step again.
    expect(applyMigrations(db, { known: [...KNOWN, withStep] })).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  test('a step that fails rolls back its SQL with it, and the version is not recorded', () => {
    const db = freshDb();
    applyMigrations(db);
    const schemaBefore = schema(db);
    const ledgerBefore = ledger(db);
    const failing: Migration = {
      version: LATEST + 1, name: 'failing_step', checksum: '3333333333333333',
      sql: 'CREATE TABLE half_filled (x INTEGER) STRICT;',
      step: {
        name: 'failing_step',
        run: (d) => {
          d.prepare('INSERT INTO half_filled VALUES (1)').run();
          throw new Error('the step broke');
        },
      },
    };
    expect(() => applyMigrations(db, { known: [...KNOWN, failing] })).toThrow(`migration ${LATEST + 1} (failing_step) failed and was rolled back: the step broke`);
    expect(schema(db)).toEqual(schemaBefore);
    expect(ledger(db)).toEqual(ledgerBefore);
    expect(db.inTransaction).toBe(false);
  });

  test('knownMigrations attaches each registered step to its file, and refuses a step whose file is missing or named otherwise', () => {
    expect(KNOWN.filter((m) => m.step).map((m) => [m.version, m.name])).toEqual([[9, 'knowledge_tenant_tokens']]);
    const step = { name: 'knowledge_tenant_tokens', run: () => undefined };
    expect(() => knownMigrations(migrationsDir, new Map([[LATEST + 1, step]]))).toThrow(`the TypeScript step of migration ${LATEST + 1} (knowledge_tenant_tokens) has no file`);
    expect(() => knownMigrations(migrationsDir, new Map([[8, step]]))).toThrow(/has no file 0008_knowledge_tenant_tokens\.sql .*\(found job_key_release\)/);
    expect(knownMigrations(migrationsDir, new Map()).every((m) => m.step === undefined)).toBe(true);
  });
});

describe('migrationStatus', () => {
  test('an empty database has every migration pending', () => {
    const db = freshDb();
    const status = migrationStatus(db);
    expect(status).toMatchObject({ current: 0, latest: LATEST, applied: [], changed: [] });
    expect(status.pending.map((m) => m.version)).toEqual(KNOWN.map((m) => m.version));
  });

  test('reports what is applied and what is pending', () => {
    const db = freshDb();
    applyMigrations(db, { to: 1 });
    const status = migrationStatus(db);
    expect(status.current).toBe(1);
    expect(status.latest).toBe(LATEST);
    expect(status.applied.map((m) => m.version)).toEqual([1]);
    expect(status.applied[0]).toMatchObject({ version: 1, name: KNOWN[0]!.name, checksum: KNOWN[0]!.checksum });
    expect(typeof status.applied[0]!.appliedAt).toBe('number');
    expect(status.pending.map((m) => m.version)).toEqual(KNOWN.slice(1).map((m) => m.version));
    expect(status.changed).toEqual([]);
  });

  test('reports a migration whose file changed after it was applied', () => {
    const db = freshDb();
    applyMigrations(db);
    db.prepare('UPDATE schema_migrations SET checksum = ? WHERE version = 1').run('abcdefabcdefabcd');
    const status = migrationStatus(db);
    expect(status.changed.map((m) => ({ version: m.version, checksum: m.checksum }))).toEqual([{ version: 1, checksum: 'abcdefabcdefabcd' }]);
    expect(status.pending).toEqual([]);

    const edited = KNOWN.map((m) => (m.version === 2 ? { ...m, sql: `${m.sql}\n-- edited`, checksum: 'edited0000000000' } : m));
    expect(migrationStatus(db, edited).changed.map((m) => m.version).sort()).toEqual([1, 2]);
  });

  test('knownMigrations checksums are the first 16 hex digits of the SHA-256 of each file', () => {
    expect(KNOWN.map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(expectedLedger());
  });
});
