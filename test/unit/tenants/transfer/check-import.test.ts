import { describe, expect, test } from 'vitest';
import { TenantTransferStore } from '../../../../src/storage/tenant-transfer-store.js';
import { checkContent, checkTargetFree } from '../../../../src/tenants/transfer/check-import.js';
import { readTransferFile } from '../../../../src/tenants/transfer/read-transfer-file.js';
import { insertTenant, migratedDb } from '../../../helpers/migrated-db.js';
import { file, records, T, write, type Envelope } from '../../../helpers/transfer-fixture.js';

const source = (id: number, name: string, chunkCount: number): Envelope => ({ type: 'kb_source', row: { id, name, format: 'md', checksum: 'abc', chunk_count: chunkCount, created_at: T, updated_at: T } });
const chunk = (id: number, sourceId: number, ordinal: number): Envelope => ({ type: 'kb_chunk', row: { id, source_id: sourceId, ordinal, heading: null, question: null, answer: null, text: `chunk ${ordinal}`, created_at: T } });
/** The fixture with knowledge inserted after the channel account, where the format puts it. */
const withKnowledge = (knowledge: Envelope[]) => {
  const list = records();
  list.splice(2, 0, ...knowledge);
  return list;
};
const account = (id: number, channel: string, externalId: string): Envelope => ({ type: 'channel_account', row: { id, channel, external_id: externalId, access_token: null, app_secret: null, status: 'ok', status_detail: null, created_at: T, updated_at: T } });
/** The fixture with an Instagram account and a Telegram customer bot next to its WhatsApp number. */
const withChannels = (instagram = '17841400000000001', bot = '7000000001') => {
  const list = records();
  list.splice(2, 0, account(4, 'instagram', instagram), account(5, 'telegram', bot));
  return list;
};
const check = (list: Envelope[]) => () => checkContent(readTransferFile(write(file(list, { tenant: list[0]!.row.slug }))));

describe('checking what an export holds before importing it', () => {
  test('a tenant with complete knowledge passes', () => {
    expect(check(withKnowledge([source(1, 'a.md', 2), source(2, 'b.md', 1), chunk(10, 1, 1), chunk(11, 1, 2), chunk(12, 2, 1)]))).not.toThrow();
  });

  test.each([
    ['a timezone botctl does not know', () => { const r = records(); r[0]!.row.timezone = 'Mars/Olympus'; return r; }, /^line 2 of .*"Mars\/Olympus" is not a known timezone/],
    ['a slug tenant add would refuse', () => { const r = records(); r[0]!.row.slug = 'Smile Dental'; return r; }, /^line 2 of .*"Smile Dental" is not a valid tenant slug/],
    ['a WhatsApp number id that is not one', () => { const r = records(); r[1]!.row.external_id = '+7 701 000'; return r; }, /^line 3 of .*is not a WhatsApp phone number id/],
    ['an Instagram account id that is not one', () => withChannels('@smile.dental'), /^line 4 of .*"@smile\.dental" is not an Instagram account id/],
    ['a Telegram bot id that is not one', () => withChannels(undefined, '7000000001:AAtoken'), /^line 5 of .*"7000000001:AAtoken" is not a Telegram bot id/],
    ['a prompt in force that is not in the file', () => { const r = records(); r[0]!.row.prompt_version = 4; return r; }, /^line 2 of .*the prompt in force is version 4, which is not in the file/],
    ['chunks out of order', () => withKnowledge([source(1, 'a.md', 2), chunk(10, 1, 2), chunk(11, 1, 1)]), /^line 5 of .*chunk 2 of its knowledge source is out of order \(expected 1\)/],
    ['a source missing chunks', () => withKnowledge([source(1, 'a.md', 3), chunk(10, 1, 1), chunk(11, 1, 2)]), /^line 4 of .*knowledge source "a\.md" should have 3 chunks but the file holds 2/],
  ])('refuses %s, naming the line', (_, list, error) => {
    expect(check(list())).toThrow(expect.objectContaining({ message: expect.stringMatching(error) }));
  });
});

describe('checking that the target cell can take the file', () => {
  const { db } = migratedDb();
  const store = new TenantTransferStore(db);
  const parsed = readTransferFile(write(file(withChannels())));
  const refusal = (deskBotToken: string | null = null) => {
    try {
      db.transaction(() => checkTargetFree(parsed, store, deskBotToken))();
    } catch (err) {
      return (err as Error).toString();
    }
    return 'accepted';
  };
  const connect = (slug: string, channel: string, externalId: string) => {
    const tenantId = insertTenant(db, slug);
    db.prepare('INSERT INTO channel_accounts (tenant_id, channel, external_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(tenantId, channel, externalId, T, T);
    return tenantId;
  };

  test('each channel account already served here is refused with its own words, and the desk bot cannot be a customer bot', () => {
    expect(checkContent(parsed)).toBeUndefined();
    expect(refusal()).toBe('accepted');
    expect(refusal('7000000001:AAdeskbottoken0123456789abcdefghijkl')).toMatch(/telegram customer bot 7000000001 of tenant "smile" is this cell's desk bot \(TELEGRAM_BOT_TOKEN\), so the file was not imported: .*--telegram-customer-bot-token/);
    const bolt = connect('bolt', 'telegram', '7000000001');
    expect(refusal()).toMatch(/telegram customer bot 7000000001 of tenant "smile" already answers the customers of tenant "bolt" on this cell, so the file was not imported: .*botctl tenant update bolt --telegram-customer-bot-token/);
    db.prepare('DELETE FROM tenants WHERE id = ?').run(bolt);
    connect('kazan', 'instagram', '17841400000000001');
    expect(refusal()).toMatch(/instagram account 17841400000000001 of tenant "smile" already belongs to tenant "kazan" on this cell, so the file was not imported: .*--instagram-account-id/);
  });
});
