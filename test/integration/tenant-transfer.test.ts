import Database from 'better-sqlite3';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { snapshot } from '../helpers/db.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { tenantRows } from '../helpers/tenant-rows.js';
import { exportLines, findRecord, writeVariant } from '../helpers/transfer-files.js';
import { until } from '../helpers/until.js';
import { packageRoot } from '../../src/paths.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const CHAT = -1001000000077;
const ALICE: User = { id: 5101, is_bot: false, first_name: 'Алия', last_name: 'Сейтова' };
const SMILE = {
  slug: 'smile', name: 'Smile Dental', phoneNumberId: '7000007', token: 'EAAGmovetoken0123456789abcdefghijk', chatId: CHAT,
  prompt: 'Обращайся на «вы». Маркер: OKAPI-PROMPT-9.', knowledge: [join(KB, 'smile-services.md'), join(KB, 'smile-contacts.md'), join(KB, 'smile-faq.csv')],
};
// The source keeps another tenant (which must not travel); the target already has one (so its ids are taken).
const BOLT = { slug: 'bolt', name: 'Bolt Garage', phoneNumberId: '7100001', token: 'EAAGbolttoken0123456789abcdefghijk', chatId: -1001000000088, knowledge: [join(KB, 'bolt-garage.md')] };
const KAZAN = { slug: 'kazan', name: 'Kazan Garage', phoneNumberId: '7200002', token: 'EAAGkazantoken0123456789abcdefghij', chatId: -1001000000099, knowledge: [join(KB, 'bolt-garage.md')] };
const AIGERIM = '77011110001';
const BERIK = '77011110002';
const QUERIES = ['сколько стоит чистка зубов', 'где вы находитесь', 'отбеливание', 'работаете в субботу'];

let tg1: TelegramSimulator;
let tg2: TelegramSimulator;
let src: PipelineCell;
let dst: PipelineCell;
let file: string;
let passphraseFile: string;

const say = (h: PipelineCell, from: string, body: string, phoneNumberId = SMILE.phoneNumberId) =>
  h.deliver(inboundNotification({ phoneNumberId, messages: [textMessage({ from, body })], contacts: [{ waId: from, name: from === AIGERIM ? 'Айгерим' : 'Берик' }] }));
const texts = (h: PipelineCell, waId: string) => h.graph.messagesTo(waId).map((s) => (s.body.text as { body: string }).body);
const cards = (tg: TelegramSimulator) => tg.messagesIn(CHAT).filter((m) => m.text?.startsWith('Запрос №'));
const run = async (h: PipelineCell, args: string[]) => botctl(args, h.cell.env);
const json = async (h: PipelineCell, args: string[]) => {
  const result = await run(h, [...args, '--json']);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as unknown;
};
const quiet = async (h: PipelineCell) => {
  await until(() => h.query<{ n: number }>("SELECT count(*) AS n FROM jobs WHERE state = 'running' OR (state = 'pending' AND run_at <= ?)", Date.now())[0]!.n === 0, 10_000, 'no due jobs');
  await h.worker.stop();
};

beforeAll(async () => {
  [tg1, tg2] = await Promise.all([startTelegramSimulator(), startTelegramSimulator()]);
  for (const tg of [tg1, tg2]) tg.createChat({ id: CHAT, type: 'supergroup', title: 'Smile managers', members: [ALICE] });
  [src, dst] = await Promise.all([PipelineCell.start({ tenants: [SMILE, BOLT], telegram: tg1 }), PipelineCell.start({ tenants: [KAZAN], telegram: tg2 })]);
  file = join(src.cell.dir, 'smile.jsonl.gz');
  passphraseFile = join(src.cell.dir, 'passphrase');
  writeFileSync(passphraseFile, 'correct horse battery staple\n', { mode: 0o600 });
}, 90_000);
afterAll(async () => Promise.all([src?.close(), dst?.close()]));

describe('moving a tenant between cells with tenant export and tenant import', () => {
  test('the source tenant gets prompts, knowledge, an answer, a handover answered and resolved, and one left waiting', async () => {
    const v2 = join(src.cell.dir, 'v2.md');
    writeFileSync(v2, 'Черновик, который откатили.');
    expect((await run(src, ['prompt', 'set', 'smile', '--file', v2])).exitCode).toBe(0);
    expect((await run(src, ['prompt', 'rollback', 'smile', '--to', '1'])).exitCode).toBe(0);

    src.llm!.enqueue({ content: 'Профессиональная чистка зубов стоит 15 000 ₸.' });
    await say(src, AIGERIM, 'Сколько стоит чистка зубов?');
    await until(() => texts(src, AIGERIM).length === 1, 10_000, 'the answer');

    src.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'хочет записаться', summary: 'Запись на чистку завтра в 15:00' } } });
    await say(src, AIGERIM, 'Запишите меня на завтра в 15:00');
    await until(() => cards(tg1).length === 1 && texts(src, AIGERIM).length === 2, 15_000, 'the card and the holding reply');
    const card = cards(tg1)[0]!;
    tg1.userPresses(CHAT, ALICE, card.message_id, (card.reply_markup!.inline_keyboard[0]![0]! as { callback_data: string }).callback_data);
    await until(() => texts(src, AIGERIM).length === 3, 10_000, 'the greeting');
    tg1.userSends(CHAT, ALICE, 'Записала вас на завтра, 15:00.', { replyTo: card.message_id });
    await until(() => texts(src, AIGERIM).length === 4, 10_000, 'the manager reply on WhatsApp');
    const handoverId = src.query<{ id: number }>('SELECT id FROM handovers WHERE number = 1 AND tenant_id = (SELECT id FROM tenants WHERE slug = ?)', 'smile')[0]!.id;
    tg1.userPresses(CHAT, ALICE, card.message_id, `h:${handoverId}:r`);
    await until(() => src.query<{ status: string }>('SELECT status FROM handovers WHERE id = ?', handoverId)[0]!.status === 'resolved', 10_000, 'resolved');

    src.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'возврат денег', summary: 'Хочет вернуть деньги за отбеливание' } } });
    await say(src, BERIK, 'Хочу вернуть деньги за отбеливание');
    await until(() => cards(tg1).length === 2, 15_000, 'the second card');
    await quiet(src);
    // No command writes long-term memory yet; this is where the summariser will put it.
    const db = new Database(join(src.cell.dataDir, 'botctl.db'));
    db.prepare("UPDATE contacts SET metadata = json_set(metadata, '$.summary', 'Боится уколов, удобнее утром.') WHERE provider_id = ?").run(AIGERIM);
    // The owner's dashboard settings move with the tenant (export format version 2).
    db.prepare("UPDATE tenants SET digest = 'weekly', dashboard_managers = 0, digest_sent_for = '2026-11-30' WHERE slug = 'smile'").run();
    db.close();

    // The target's own tenant has traffic too, so the moved rows cannot keep their ids there.
    dst.llm!.enqueue({ content: 'Замена масла стоит 12 500 ₸.' });
    await say(dst, '77019990000', 'Сколько стоит замена масла?', KAZAN.phoneNumberId);
    await until(() => texts(dst, '77019990000').length === 1, 10_000, 'the target tenant answer');
    await quiet(dst);
    expect(src.query('SELECT status FROM handovers ORDER BY number')).toEqual([{ status: 'resolved' }, { status: 'waiting' }]);
    expect(src.query('SELECT cause, question FROM handovers ORDER BY number')[1]).toEqual({ cause: 'model_handover', question: 'Хочу вернуть деньги за отбеливание' });
  }, 90_000);

  test('export writes one private file with this tenant only, its secrets sealed with the passphrase, and an audit row', async () => {
    const result = await run(src, ['tenant', 'export', 'smile', '--out', file, '--passphrase-file', passphraseFile]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Exported tenant smile to ${file}`);
    expect(result.stdout).toContain('only you can read it (mode 0600)');
    expect(result.stdout).toContain('2 handovers (1 open)');
    expect(result.stderr).toContain('tenant smile is still active on this cell');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const lines = exportLines(file);
    const header = JSON.parse(lines[0]!) as Record<string, any>;
    expect(header).toMatchObject({ type: 'header', format: 'botctl-tenant', format_version: 3, tenant: 'smile', secrets: { mode: 'passphrase' } });
    expect(header.counts).toMatchObject({ tenant: 1, channel_account: 1, prompt: 2, kb_source: 3, contact: 2, conversation: 2, handover: 2 });
    expect(header.counts.message).toBe(lines.filter((l) => l.startsWith('{"type":"message"')).length);
    const text = lines.join('\n');
    expect(text).toContain('OKAPI-PROMPT-9');
    expect(text).not.toContain(SMILE.token);
    expect(text).not.toContain('ZEBRA-PELICAN-42'); // the other tenant's knowledge
    expect(text).not.toContain('Bolt Garage');
    const audit = src.query<{ action: string; detail: string }>("SELECT action, detail FROM audit_log WHERE action = 'tenant.export'");
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ file, secrets: 'passphrase', format_version: 3 });
  }, 30_000);

  test('a file that is wrong, damaged, truncated or meets a taken number is refused with nothing written', async () => {
    const lines = exportLines(file);
    const bad = (name: string, edit: (l: string[]) => void) => {
      const copy = [...lines];
      edit(copy);
      return writeVariant(join(dst.cell.dir, name), copy);
    };
    const message = findRecord(lines, (r) => r.type === 'message' && r.row.direction === 'outbound');
    const withPassphrase = ['--passphrase-file', passphraseFile];
    const refusals: { what: string; args: string[]; error: RegExp; env?: Record<string, string> }[] = [
      { what: 'no passphrase', args: [file], error: /sealed with a passphrase and none was given/ },
      { what: 'wrong passphrase', args: [file], error: /the passphrase does not open the secrets/, env: { BOTCTL_TRANSFER_PASSPHRASE: 'not the right passphrase' } },
      { what: 'not JSON', args: [bad('broken.jsonl', (l) => { l[message.line - 1] = '{"type":"message",'; }), ...withPassphrase], error: new RegExp(`line ${message.line} of broken\\.jsonl: it is not valid JSON`) },
      { what: 'newer format', args: [bad('newer.jsonl', (l) => { l[0] = l[0]!.replace('"format_version":3', '"format_version":4'); }), ...withPassphrase], error: /format version 4, which this botctl .* upgrade botctl/ },
      { what: 'truncated', args: [bad('short.jsonl', (l) => l.splice(-2)), ...withPassphrase], error: /holds \d+ \w+ records but its header says \d+ .*truncated/ },
      {
        what: 'refused by a constraint after the tenant row was written',
        args: [bad('bad-status.jsonl', (l) => { l[message.line - 1] = JSON.stringify({ type: 'message', row: { ...message.record.row, delivery_status: 'teleported' } }); }), ...withPassphrase],
        error: new RegExp(`line ${message.line} of bad-status\\.jsonl: this cell's database refused the message record`),
      },
      { what: 'not an export', args: [bad('other.jsonl', (l) => l.splice(0, l.length, '{"hello":"world"}')), ...withPassphrase], error: /is not a botctl tenant export/ },
    ];
    for (const { what, args, error, env } of refusals) {
      const before = snapshot(dst.cell.dataDir);
      const result = await botctl(['tenant', 'import', ...args], { ...dst.cell.env, ...env });
      expect(result.exitCode, `${what}: ${result.stderr}`).toBe(1);
      expect(result.stderr, what).toMatch(error);
      expect(snapshot(dst.cell.dataDir), what).toEqual(before);
    }

    expect((await run(dst, ['tenant', 'add', 'squatter', '--name', 'Squatter', '--timezone', 'Asia/Almaty', '--whatsapp-phone-number-id', SMILE.phoneNumberId, '--whatsapp-token', 'EAAGsquattertoken0123456789abcdefgh'])).exitCode).toBe(0);
    const before = snapshot(dst.cell.dataDir);
    const taken = await run(dst, ['tenant', 'import', file, '--passphrase-file', passphraseFile]);
    expect(taken.stderr).toContain(`whatsapp phone number id ${SMILE.phoneNumberId} of tenant "smile" already belongs to tenant "squatter" on this cell, so the file was not imported`);
    expect(snapshot(dst.cell.dataDir)).toEqual(before);
    expect((await run(dst, ['tenant', 'remove', 'squatter', '--yes'])).exitCode).toBe(0);

    // --dry-run goes through the whole transaction, then rolls it back.
    const quietBefore = snapshot(dst.cell.dataDir);
    const dry = await run(dst, ['tenant', 'import', file, '--passphrase-file', passphraseFile, '--dry-run']);
    expect(dry.stdout).toContain('Tenant smile can be imported');
    expect(snapshot(dst.cell.dataDir)).toEqual(quietBefore);
  }, 60_000);

  test('import gives the target the same settings, prompt versions, knowledge, contacts with memory, history and handovers', async () => {
    const result = await run(dst, ['tenant', 'import', file, '--passphrase-file', passphraseFile]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Imported tenant smile from cell');
    expect(result.stdout).toContain('the worker posts a new card for each in the managers chat');

    const header = JSON.parse(exportLines(file)[0]!) as { exported_at: number; source_cell: { id: string }; counts: { audit: number } };
    const exportedAt = header.exported_at;
    const [before, after] = [tenantRows(src.cell.dataDir, 'smile'), tenantRows(dst.cell.dataDir, 'smile')];
    expect(after).toEqual(before);
    const sizes = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, (v as unknown[]).length]));
    expect(sizes).toMatchObject({ tenant: 1, accounts: 1, prompts: 2, contacts: 2, conversations: 2, handovers: 2 });
    for (const family of ['knowledge', 'handoverEvents', 'messages', 'deskMessages', 'llmCalls']) expect(sizes[family], family).toBeGreaterThan(2);
    expect((after.contacts as { metadata: string }[]).find((c) => c.metadata.includes('Боится уколов'))).toBeTruthy();
    expect((after.handovers as { first_response_at: number | null }[])[0]!.first_response_at).toBeTypeOf('number');
    expect((after.deskMessages as { created_at: number }[]).every((d) => d.created_at <= exportedAt)).toBe(true);
    for (const args of [['tenant', 'show', 'smile'], ['prompt', 'history', 'smile'], ['kb', 'list', 'smile']]) {
      expect(await json(dst, args), args.join(' ')).toEqual(await json(src, args));
    }
    for (const query of QUERIES) {
      const [a, b] = [await json(src, ['kb', 'search', 'smile', query]), await json(dst, ['kb', 'search', 'smile', query])] as { chunkId: number }[][];
      expect(b!.length, query).toBeGreaterThan(0);
      expect(b!.map(({ chunkId: _, ...hit }) => hit), query).toEqual(a!.map(({ chunkId: _, ...hit }) => hit));
    }
    // The target has its own ids: the first handover's id is above every id the source used.
    const ids = (h: PipelineCell) => h.query<{ id: number }>("SELECT id FROM handovers WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'smile') ORDER BY number").map((r) => r.id);
    expect(Math.min(...ids(dst))).toBeGreaterThan(Math.max(...ids(src)));
    expect(dst.query("SELECT kind, payload ->> 'handoverId' AS handover FROM jobs WHERE kind = 'post_handover_card'")).toEqual([{ kind: 'post_handover_card', handover: ids(dst)[1] }]);
    const audit = dst.query<{ detail: string }>("SELECT detail FROM audit_log WHERE action = 'tenant.import' AND tenant_slug = 'smile'");
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ from_cell: { id: header.source_cell.id }, exported_at: exportedAt, cards_queued: 1 });
    const carried = header.counts.audit;
    expect(carried).toBeGreaterThan(2);
    expect(dst.query("SELECT count(*) AS n FROM audit_log WHERE tenant_slug = 'smile' AND detail ->> 'recorded_on_cell' IS NOT NULL")).toEqual([{ n: carried }]);

    const before2 = snapshot(dst.cell.dataDir);
    const twice = await run(dst, ['tenant', 'import', file, '--passphrase-file', passphraseFile]);
    expect(twice.exitCode).toBe(1);
    expect(twice.stderr).toContain('a tenant "smile" already exists on this cell, so the file was not imported');
    expect(snapshot(dst.cell.dataDir)).toEqual(before2);
  }, 60_000);

  test('on the target the waiting handover gets a new card, a manager takes it, and the greeting goes out with the moved token', async () => {
    // From now on the target's Graph API accepts only the tenant's real token for its number.
    dst.graph.setToken(SMILE.phoneNumberId, SMILE.token);
    await dst.restartWorker();
    await until(() => cards(tg2).length === 1, 15_000, 'the new card');
    const card = cards(tg2)[0]!;
    expect(card.text).toContain('Запрос №2');
    expect(card.text).toContain('Хочу вернуть деньги за отбеливание');
    tg2.userPresses(CHAT, ALICE, card.message_id, (card.reply_markup!.inline_keyboard[0]![0]! as { callback_data: string }).callback_data);
    await until(() => texts(dst, BERIK).length === 1, 10_000, 'the greeting on the target');
    expect(texts(dst, BERIK)[0]).toContain('Меня зовут Алия');
    expect(dst.graph.messagesTo(BERIK)[0]).toMatchObject({ phoneNumberId: SMILE.phoneNumberId, token: SMILE.token });
    expect(dst.query("SELECT status, assigned_to_id FROM handovers WHERE number = 2 AND tenant_id = (SELECT id FROM tenants WHERE slug = 'smile')")).toEqual([{ status: 'taken', assigned_to_id: ALICE.id }]);
  }, 30_000);

  test('the same question from a moved customer builds the same LLM request on both cells', async () => {
    await src.restartWorker();
    const question = 'А отбеливание сколько стоит?';
    for (const h of [src, dst]) {
      h.llm!.enqueue({ content: 'Отбеливание Zoom 4 — 45 000 ₸ за процедуру.' });
      const sent = texts(h, AIGERIM).length;
      await say(h, AIGERIM, question);
      await until(() => texts(h, AIGERIM).length === sent + 1, 10_000, 'the answer');
    }
    const asked = (h: PipelineCell) => h.llm!.requests.filter((r) => JSON.stringify(r.body.messages).includes(question));
    expect(asked(src)).toHaveLength(1);
    expect(asked(dst)).toHaveLength(1);
    expect(asked(dst)[0]!.body.messages).toEqual(asked(src)[0]!.body.messages);
    const prompt = JSON.stringify(asked(dst)[0]!.body.messages);
    for (const part of ['OKAPI-PROMPT-9', 'Боится уколов', 'Записала вас на завтра, 15:00.', '45 000 ₸']) expect(prompt).toContain(part);
    expect(texts(dst, AIGERIM).at(-1)).toBe('Отбеливание Zoom 4 — 45 000 ₸ за процедуру.');
    expect(dst.graph.messagesTo(AIGERIM).at(-1)).toMatchObject({ phoneNumberId: SMILE.phoneNumberId, token: SMILE.token });
  }, 30_000);

  test('after tenant remove the source acknowledges the number\'s webhooks and stores and sends nothing', async () => {
    expect((await run(src, ['tenant', 'remove', 'smile', '--yes'])).exitCode).toBe(0);
    const before = snapshot(src.cell.dataDir);
    const [sends, llmCalls] = [src.graph.requests.length, src.llm!.requests.length];
    expect(await say(src, AIGERIM, 'Вы ещё здесь?')).toBe(200);
    await until(() => src.worker.lines.some((l) => l.includes('unknown WhatsApp phone number id') && l.includes(SMILE.phoneNumberId)), 5000, 'the warning');
    await new Promise((r) => setTimeout(r, 800));
    expect(snapshot(src.cell.dataDir)).toEqual(before);
    expect([src.graph.requests.length, src.llm!.requests.length]).toEqual([sends, llmCalls]);
  }, 30_000);
});
