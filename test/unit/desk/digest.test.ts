import { randomBytes } from 'node:crypto';
import type { Api } from 'grammy';
import { afterEach, describe, expect, test } from 'vitest';
import type { DeskJobContext } from '../../../src/desk/jobs/context.js';
import { DIGEST_PAGE_LINES, drawDigest, needsDigest } from '../../../src/desk/jobs/digest.js';
import { DeskGateway } from '../../../src/desk/telegram/gateway.js';
import type { JobSpec } from '../../../src/jobs/types.js';
import { createLogger } from '../../../src/observability/logger.js';
import { DeskDigestStore } from '../../../src/storage/desk-digest-store.js';
import { DeskStore } from '../../../src/storage/desk-store.js';
import type { Db } from '../../../src/storage/open-db.js';
import { migratedDb } from '../../helpers/migrated-db.js';

const CHAT = -1001234567890;
const T0 = Date.UTC(2026, 5, 1, 9, 0, 0);

/** A recording Bot API: what the digest sent and edited, each answered as Telegram would. */
class RecordingApi {
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

interface Cell { db: Db; api: RecordingApi; ctx: DeskJobContext; enqueued: JobSpec[]; open(n: number, name?: string): void }

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function cell(): Cell {
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
  return { db, api, ctx, enqueued, open };
}

const job = { id: 1, kind: 'desk.digest', tenantId: 1, payload: {} } as never;

describe('the digest of a group whose cards wait for its rate budget', () => {
  test('is needed only when more requests wait for cards than a minute of the group budget posts', () => {
    const c = cell();
    for (let n = 1; n <= 18; n++) c.open(n);
    expect(needsDigest(c.ctx.digest, 1)).toBe(false);
    c.open(19);
    expect(needsDigest(c.ctx.digest, 1)).toBe(true);
  });

  test('names every waiting request on pages of 25, one Telegram message per run, with a Take button each; new requests are added by editing', async () => {
    const c = cell();
    for (let n = 1; n <= 30; n++) c.open(n);
    await drawDigest(job, c.ctx);
    expect(c.api.calls).toHaveLength(1);
    const first = c.api.calls[0]!;
    expect(first).toMatchObject({ method: 'sendMessage', chatId: CHAT });
    expect(first.text).toContain('Ждут менеджера: 30');
    expect(first.text).toContain('№1 · Покупатель 1 — «Где мой заказ 1? Он должен был прийти ещё вчера, а его всё…» · с 14:00 · ждёт');
    expect(first.text.match(/^№\d+ ·/gm)).toHaveLength(DIGEST_PAGE_LINES);
    expect(first.buttons).toEqual(Array.from({ length: DIGEST_PAGE_LINES }, (_, i) => `Взять №${i + 1}`));
    // The second page is still to draw: the digest asks for itself again.
    expect(c.enqueued.map((j) => j.kind)).toEqual(['desk.digest']);

    await drawDigest(job, c.ctx);
    expect(c.api.calls[1]!.method).toBe('sendMessage');
    expect(c.api.calls[1]!.text.match(/^№\d+ ·/gm)).toEqual(['№26 ·', '№27 ·', '№28 ·', '№29 ·', '№30 ·']);
    await drawDigest(job, c.ctx);
    expect(c.api.calls).toHaveLength(2); // nothing changed: no message spent

    // Two more requests, one taken meanwhile: page 2 is edited in place; the taken one shows who has it, without a button.
    c.open(31);
    c.open(32);
    c.db.prepare("UPDATE handovers SET status = 'taken', assigned_to_id = 5, assigned_to_name = 'Dana' WHERE id = 27").run();
    await drawDigest(job, c.ctx);
    const edit = c.api.calls[2]!;
    expect(edit).toMatchObject({ method: 'editMessageText', chatId: CHAT, messageId: 101 });
    expect(edit.text).toContain('№31 · Покупатель 31');
    expect(edit.text).toMatch(/^№27 · .* · у Dana$/m);
    expect(edit.buttons).toEqual(['Взять №26', 'Взять №28', 'Взять №29', 'Взять №30', 'Взять №31', 'Взять №32']);
  });
});
