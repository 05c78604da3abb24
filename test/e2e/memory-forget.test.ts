import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

const TENANT = { slug: 'mem', name: 'Smile Dental', phoneNumberId: '8100017', token: 'EAAGmemforgettoken0123456789abcdefg' };
const DAY = 86_400_000;
let h: PipelineCell;

const say = (from: string, body: string, name = 'Данияр') => h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from, body })], contacts: [{ waId: from, name }] }));
const toCustomer = (phone: string) => h.graph.messagesTo(phone).map((s) => (s.body.text as { body: string }).body);
const contact = (phone: string) => h.query<{ id: number; display_name: string | null; summary: string | null }>("SELECT id, display_name, json_extract(metadata, '$.summary') AS summary FROM contacts WHERE provider_id = ?", phone)[0]!;
/** The clock 90 days ahead, from the database's side: everything the customer did happened 90 days earlier. */
const ageBy = (phone: string, ms: number) => {
  const db = new Database(join(h.cell.dataDir, 'botctl.db'));
  db.pragma('busy_timeout = 5000');
  db.prepare('UPDATE messages SET created_at = created_at - ? WHERE contact_id = (SELECT id FROM contacts WHERE provider_id = ?)').run(ms, phone);
  db.close();
};

beforeAll(async () => {
  h = await PipelineCell.start({ tenants: [TENANT], workerFlags: ['--memory-after-ms', '400'] });
}, 60_000);
afterAll(async () => h?.close());

describe('customers remembered, and forgotten on request', () => {
  test('a customer returning after 90 days is recognised with their memory; "забудьте меня" removes memory and personal data, audited', async () => {
    const phone = '77090000017';
    h.llm!.enqueue({ content: 'Здравствуйте, Данияр! Чистка у нас есть, запишем на удобное время.' }, { content: '- Клиента зовут Данияр.\n- Делал чистку зубов, предпочитает утро.' });
    await say(phone, 'Меня зовут Данияр. Сколько стоит чистка зубов?');
    await until(() => contact(phone)?.summary, 10_000, 'the memory');
    ageBy(phone, 90 * DAY);

    h.llm!.enqueue({ content: 'С возвращением, Данияр! Чем помочь?' });
    await say(phone, 'Здравствуйте!');
    await until(() => toCustomer(phone).length === 2, 10_000, 'the greeting');
    const prompt = JSON.stringify(h.llm!.requests.find((r) => JSON.stringify(r.body.messages).includes('Здравствуйте!') && r.body.tools)!.body.messages);
    expect(prompt).toContain('Делал чистку зубов, предпочитает утро.');
    expect(prompt).toContain('последний раз писал 90 дн. назад');

    await say(phone, 'Пожалуйста, забудьте меня и удалите мои данные');
    await until(() => toCustomer(phone).length === 3, 10_000, 'the confirmation');
    expect(toCustomer(phone)[2]).toContain('забудет вас');
    // Decided in code, not by the model.
    expect(h.llm!.requests.some((r) => JSON.stringify(r.body.messages).includes('забудьте меня') && r.body.tools)).toBe(false);
    await until(() => contact(phone).summary === null, 10_000, 'the memory removed');
    expect(contact(phone).display_name).toBeNull();
    await until(() => h.query("SELECT 1 FROM messages WHERE contact_id = ? AND delivery_status = 'queued'", contact(phone).id).length === 0, 10_000, 'the confirmation sent');
    const texts = h.query<{ body: string | null }>('SELECT body FROM messages WHERE contact_id = ? ORDER BY id', contact(phone).id).map((m) => m.body);
    expect(texts.filter((b) => b !== null && /Данияр|чистка/i.test(b))).toEqual([]);
    const audit = h.query<{ actor: string; detail: string }>("SELECT actor, detail FROM audit_log WHERE action = 'contact.forget'");
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe('customer');
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ contactId: contact(phone).id, memory: true });
    expect(audit[0]!.detail).not.toContain('Данияр');
    // A memory job queued before the forget does not bring the memory back.
    await new Promise((r) => setTimeout(r, 800));
    expect(contact(phone).summary).toBeNull();
  }, 60_000);

  test('kk and en requests are understood; `botctl contact forget` does the same from the command line', async () => {
    for (const [phone, text, reply] of [['77090000018', 'Мені ұмытыңызшы', 'сізді ұмытады'], ['447700900018', 'Please forget me and delete my data', 'will forget you']] as const) {
      await say(phone, text, 'Someone');
      await until(() => toCustomer(phone).length === 1, 10_000, 'the confirmation');
      expect(toCustomer(phone)[0]).toContain(reply);
      await until(() => contact(phone).display_name === null, 10_000, 'the name removed');
    }
    const phone = '77090000019';
    h.llm!.enqueue({ content: 'Здравствуйте!' });
    await say(phone, 'Привет, я Арман', 'Арман');
    await until(() => toCustomer(phone).length === 1, 10_000, 'the answer');
    const result = await botctl(['contact', 'forget', TENANT.slug, '+7 709 000 00 19', '--json'], h.cell.env);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ contactId: contact(phone).id });
    expect(contact(phone).display_name).toBeNull();
    expect(h.query<{ body: string | null }>('SELECT body FROM messages WHERE contact_id = ?', contact(phone).id).every((m) => m.body === null)).toBe(true);
    expect(h.query<{ tenant_slug: string }>("SELECT tenant_slug FROM audit_log WHERE action = 'contact.forget' ORDER BY id DESC LIMIT 1")[0]!.tenant_slug).toBe('mem');
    const unknown = await botctl(['contact', 'forget', TENANT.slug, '+70000000000'], h.cell.env);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain('has no customer');
  }, 60_000);

  test('a memory older than the tenant\'s retention is removed, not used', async () => {
    const phone = '77090000020';
    h.llm!.enqueue({ content: 'Здравствуйте, Айдана!' }, { content: '- Клиентку зовут Айдана, любит вечерние записи.' });
    await say(phone, 'Здравствуйте, я Айдана', 'Айдана');
    await until(() => contact(phone)?.summary, 10_000, 'the memory');
    ageBy(phone, 90 * DAY);
    const db = new Database(join(h.cell.dataDir, 'botctl.db'));
    db.pragma('busy_timeout = 5000');
    db.prepare("UPDATE contacts SET metadata = json_set(metadata, '$.summary_at', json_extract(metadata, '$.summary_at') - ?) WHERE provider_id = ?").run(90 * DAY, phone);
    db.close();
    const set = await botctl(['contact', 'retention', TENANT.slug, '--days', '30'], h.cell.env);
    expect(set.exitCode, set.stderr).toBe(0);
    expect(set.stdout).toContain('30 days');

    h.llm!.enqueue({ content: 'Здравствуйте! Чем помочь?' });
    await say(phone, 'Добрый вечер!', 'Айдана');
    await until(() => toCustomer(phone).length === 2, 10_000, 'the answer');
    const prompt = JSON.stringify(h.llm!.requests.find((r) => JSON.stringify(r.body.messages).includes('Добрый вечер!') && r.body.tools)!.body.messages);
    expect(prompt).not.toContain('любит вечерние записи');
    expect(h.query("SELECT json_extract(metadata, '$.summary') AS s FROM contacts WHERE provider_id = ?", phone)).toEqual([{ s: null }]);
  }, 60_000);
});
