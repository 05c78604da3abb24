import { randomBytes, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { importCsv } from '../../src/knowledge/import-csv.js';
import { importMarkdown } from '../../src/knowledge/import-markdown.js';
import { indexBody } from '../../src/knowledge/normalize.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { openDatabase, type Db } from '../../src/storage/open-db.js';
import { SECRET_CONTEXT } from '../../src/tenants/tenant-service.js';
import type { BenchCell } from './cell.js';
import { KINDS, rng, tenantTexts, Vocabulary, type BusinessKind } from './seed-text.js';

export interface SeedScale {
  tenants: number;
  /** Markdown sections (one chunk each) and FAQ rows per tenant: together the ~50 chunks of a tenant. */
  sections: number;
  faqs: number;
  wordsPerChunk: number;
  contactsPerTenant: number;
  messages: number;
}

/** What the scenarios need to know about the seeded tenants (ids are 1…n in insertion order). */
export interface SeededTenant {
  id: number;
  slug: string;
  phoneNumberId: string;
  token: string;
  chatId: number;
  kind: BusinessKind;
}

export interface SeedResult {
  tenants: SeededTenant[];
  seconds: number;
  chunks: number;
  messages: number;
  fileBytes: number;
}

const DAY = 86_400_000;
const BATCH = 25_000;

export function phoneNumberIdOf(i: number): string {
  return String(100_000_000_000 + i);
}

/**
 * Fills a migrated, empty cell with `scale.tenants` tenants (channel account with a sealed token, a managers chat,
 * a prompt, a Markdown source and an FAQ source cut by the product's own importers and indexed the way
 * KnowledgeStore indexes), contacts with conversations, and `scale.messages` messages of history. Plain INSERTs in
 * transactions of BATCH rows with synchronous=OFF: seeding is set-up, not a measured path.
 */
export function seedCell(cell: BenchCell, scale: SeedScale, log: (line: string) => void): SeedResult {
  const started = Date.now();
  const db = openDatabase(cell.dataDir);
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const box = new SecretBox(cell.secretKey);
  const vocabulary = new Vocabulary();
  const now = Date.now();
  const tenants: SeededTenant[] = [];
  let chunks = 0;

  const insert = {
    tenant: db.prepare(`INSERT INTO tenants (id, slug, name, locale, timezone, telegram_chat_id, prompt_version, created_at, updated_at)
      VALUES (?, ?, ?, 'ru', 'Asia/Almaty', ?, 1, ?, ?)`),
    account: db.prepare(`INSERT INTO channel_accounts (id, tenant_id, channel, external_id, access_token_enc, created_at, updated_at)
      VALUES (?, ?, 'whatsapp', ?, ?, ?, ?)`),
    prompt: db.prepare("INSERT INTO prompts (tenant_id, version, body, actor, note, created_at) VALUES (?, 1, ?, 'bench', NULL, ?)"),
    source: db.prepare(`INSERT INTO kb_sources (tenant_id, name, format, checksum, chunk_count, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
    chunk: db.prepare(`INSERT INTO kb_chunks (tenant_id, source_id, ordinal, heading, question, answer, text, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
    terms: db.prepare('INSERT INTO kb_terms (rowid, body) VALUES (?, ?)'),
  };

  for (let from = 1; from <= scale.tenants; from += 1000) {
    db.transaction(() => {
      for (let i = from; i < Math.min(from + 1000, scale.tenants + 1); i++) {
        const slug = `t${String(i).padStart(5, '0')}`;
        const texts = tenantTexts(i, vocabulary, { sections: scale.sections, faqs: scale.faqs, words: scale.wordsPerChunk });
        // Meta tokens look like this; the log scrubber's patterns are written for that shape.
        const token = `EAAB${randomBytes(30).toString('base64url').replace(/[-_]/g, 'x')}`;
        const chatId = -1002000000000 - i;
        insert.tenant.run(i, slug, `${texts.kind.name} №${i}`, chatId, now - 90 * DAY, now - 90 * DAY);
        insert.account.run(i, i, phoneNumberIdOf(i), box.seal(token, SECRET_CONTEXT.whatsappToken(slug)), now, now);
        insert.prompt.run(i, texts.prompt, now);
        for (const [name, format, parsed] of [['services.md', 'md', importMarkdown(texts.markdown)], ['faq.csv', 'csv', importCsv(texts.csv, 'faq.csv')]] as const) {
          const { id: sourceId } = insert.source.get(i, name, format, randomBytes(32).toString('hex'), parsed.length, now, now) as { id: number };
          parsed.forEach((c, n) => {
            const { id } = insert.chunk.get(i, sourceId, n + 1, c.heading, c.question, c.answer, c.text, now) as { id: number };
            insert.terms.run(id, indexBody(i, c.text));
          });
          chunks += parsed.length;
        }
        tenants.push({ id: i, slug, phoneNumberId: phoneNumberIdOf(i), token, chatId, kind: texts.kind });
      }
    })();
    if (from % 5000 === 1) log(`seed: ${Math.min(from + 999, scale.tenants)} / ${scale.tenants} tenants, ${chunks} chunks`);
  }

  const messages = seedHistory(db, scale, now);
  log(`seed: ${messages} messages; checkpointing`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const { size } = statSize(cell.dbPath);
  return { tenants, seconds: (Date.now() - started) / 1000, chunks, messages, fileBytes: size };
}

/** Contacts (each with its conversation) and an alternating customer/bot history over the last 90 days. */
function seedHistory(db: Db, scale: SeedScale, now: number): number {
  const random = rng(42);
  const perTenant = Math.max(1, Math.round(scale.messages / scale.tenants));
  const contact = db.prepare(`INSERT INTO contacts (id, tenant_id, channel_account_id, provider_id, display_name, phone, metadata, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, json_object('last_seen_at', ?), ?, ?)`);
  const conversation = db.prepare("INSERT INTO conversations (tenant_id, contact_id, state, state_changed_at, created_at, updated_at) VALUES (?, ?, 'bot', ?, ?, ?)");
  const message = db.prepare(`INSERT INTO messages (tenant_id, channel_account_id, contact_id, direction, author_kind, type, body, payload,
      provider_message_id, delivery_status, outcome, trace_id, provider_timestamp, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, 'text', ?, '{}', ?, ?, ?, ?, ?, ?, ?)`);
  let contactId = 0;
  let written = 0;
  let pending = 0;
  db.exec('BEGIN');
  for (let t = 1; t <= scale.tenants; t++) {
    const first = contactId + 1;
    for (let c = 0; c < scale.contactsPerTenant; c++) {
      contactId++;
      const at = now - Math.floor(random() * 90 * DAY);
      contact.run(contactId, t, t, customerPhone(contactId), `Клиент ${contactId}`, customerPhone(contactId), at, at, at);
      conversation.run(t, contactId, at, at, at);
    }
    for (let m = 0; m < perTenant; m++) {
      const cid = first + Math.floor(random() * scale.contactsPerTenant);
      const inbound = m % 2 === 0;
      const at = now - Math.floor(random() * 90 * DAY);
      message.run(t, t, cid, inbound ? 'inbound' : 'outbound', inbound ? 'customer' : 'bot', inbound ? 'Здравствуйте, сколько стоит услуга и когда можно записаться?' : 'Стоимость услуги указана в прайсе, записаться можно по телефону.',
        `wamid.seed${randomBytes(18).toString('base64url')}`, inbound ? 'received' : 'read', inbound ? 'replied' : null, randomUUID(), Math.floor(at / 1000) * 1000, at, at);
      written++;
      if (++pending >= BATCH) {
        db.exec('COMMIT; BEGIN');
        pending = 0;
      }
    }
  }
  db.exec('COMMIT');
  return written;
}

/** A seeded customer's WhatsApp id (digits, Kazakhstan-like). Customers of later scenarios use other ranges. */
export function customerPhone(n: number): string {
  return String(77_000_000_000 + n);
}

function statSize(path: string): { size: number } {
  let size = 0;
  for (const suffix of ['', '-wal']) {
    try {
      size += statSync(path + suffix).size;
    } catch {
      // no WAL file after a TRUNCATE checkpoint
    }
  }
  return { size };
}

/**
 * The tenants of a cell seeded by an earlier run (kept with --keep), for `--cell`: investigating one scenario
 * without seeding again. Kinds follow the seeding rule (tenant i is KINDS[i % KINDS.length]); tokens are opened
 * with the cell's key.
 */
export function loadSeeded(cell: BenchCell): SeededTenant[] {
  const db = openDatabase(cell.dataDir, { readonly: true });
  try {
    const box = new SecretBox(cell.secretKey);
    const rows = db.prepare(`SELECT t.id, t.slug, t.telegram_chat_id AS chatId, c.external_id AS phoneNumberId, c.access_token_enc AS tokenEnc
      FROM tenants t JOIN channel_accounts c ON c.tenant_id = t.id AND c.channel = 'whatsapp' ORDER BY t.id`).all() as { id: number; slug: string; chatId: number; phoneNumberId: string; tokenEnc: Buffer }[];
    return rows.map((r) => ({ id: r.id, slug: r.slug, chatId: r.chatId, phoneNumberId: r.phoneNumberId, token: box.open(r.tokenEnc, SECRET_CONTEXT.whatsappToken(r.slug)), kind: KINDS[r.id % KINDS.length]! }));
  } finally {
    db.close();
  }
}
