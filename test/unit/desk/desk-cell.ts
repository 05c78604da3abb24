import { randomBytes } from 'node:crypto';
import type { Api } from 'grammy';
import { afterEach } from 'vitest';
import type { DeskJobContext } from '../../../src/desk/jobs/context.js';
import { DeskGateway } from '../../../src/desk/telegram/gateway.js';
import type { JobSpec } from '../../../src/jobs/types.js';
import { createLogger } from '../../../src/observability/logger.js';
import { DeskDigestStore } from '../../../src/storage/desk-digest-store.js';
import { DeskStore } from '../../../src/storage/desk-store.js';
import type { Db } from '../../../src/storage/open-db.js';
import { migratedDb } from '../../helpers/migrated-db.js';

export const CHAT = -1001234567890;
export const T0 = Date.UTC(2026, 5, 1, 9, 0, 0);

/** A recording Bot API: what the digest sent and edited, each answered as Telegram would. */
export class RecordingApi {
  readonly calls: { method: string; chatId: number; messageId?: number; text: string; buttons: string[] }[] = [];
  private next = 100;
  async sendMessage(chatId: number, text: string, options: { reply_markup?: { inline_keyboard: { text: string }[][] } }) {
    this.calls.push({ method: 'sendMessage', chatId, text, buttons: options.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [] });
    return { chat: { id: chatId }, message_id: this.next++ };
  }
  async editMessageText(chatId: number, messageId: number, text: string, options: { reply_markup?: { inline_keyboard: { text: string }[][] } }) {
    this.calls.push({ method: 'editMessageText', chatId, messageId, text, buttons: options.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [] });
    return true;
  }
}

export interface Cell { db: Db; api: RecordingApi; ctx: DeskJobContext; enqueued: JobSpec[]; open(n: number, name?: string): void; setNow(at: number): void }

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

/** A cell database with one tenant (ru, Asia/Almaty, group CHAT), the desk's real stores and gateway over a recording Bot API. */
export function cell(): Cell {
  const { db } = migratedDb();
  dbs.push(db);
  db.prepare(`INSERT INTO tenants (id, slug, name, locale, timezone, telegram_chat_id, created_at, updated_at) VALUES (1, 'rush', 'Rush', 'ru', 'Asia/Almaty', ?, ?, ?)`).run(CHAT, T0, T0);
  db.prepare(`INSERT INTO channel_accounts (id, tenant_id, channel, external_id, access_token_enc, created_at, updated_at) VALUES (1, 1, 'whatsapp', '1001', ?, ?, ?)`).run(randomBytes(40), T0, T0);
  const api = new RecordingApi();
  const enqueued: JobSpec[] = [];
  const queue = { enqueue: (spec: JobSpec) => (enqueued.push(spec), enqueued.length) };
  const store = new DeskStore(db);
  let now = T0;
  const ctx: DeskJobContext = {
    store, digest: new DeskDigestStore(db), gateway: new DeskGateway(api as unknown as Api, store, queue, null, () => now, createLogger({ level: 'silent' })),
    queue, channel: {} as DeskJobContext['channel'], tracer: { record: () => undefined } as unknown as DeskJobContext['tracer'], clock: () => (now += 1000),
  };
  const open = (n: number, name = `Покупатель ${n}`) => {
    const at = T0 + n * 100;
    db.prepare(`INSERT INTO contacts (id, tenant_id, channel_account_id, provider_id, display_name, phone, metadata, created_at, updated_at) VALUES (?, 1, 1, ?, ?, ?, '{}', ?, ?)`).run(n, `7702${n}`, name, `+7702${n}`, at, at);
    db.prepare(`INSERT INTO conversations (id, tenant_id, contact_id, state, state_changed_at, created_at, updated_at) VALUES (?, 1, ?, 'waiting', ?, ?, ?)`).run(n, n, at, at, at);
    db.prepare(`INSERT INTO messages (tenant_id, channel_account_id, contact_id, direction, author_kind, type, body, provider_message_id, delivery_status, trace_id, created_at, updated_at)
      VALUES (1, 1, ?, 'inbound', 'customer', 'text', ?, ?, 'received', 'trace', ?, ?)`).run(n, `Где мой заказ ${n}? Он должен был прийти ещё вчера, а его всё нет и нет`, `wamid.${n}`, at, at);
    db.prepare(`INSERT INTO handovers (id, tenant_id, conversation_id, contact_id, number, status, reason, created_at, updated_at) VALUES (?, 1, ?, ?, ?, 'waiting', 'asked for a person', ?, ?)`).run(n, n, n, n, at, at);
  };
  return { db, api, ctx, enqueued, open, setNow: (at) => (now = at) };
}

