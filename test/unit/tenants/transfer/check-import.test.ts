import { describe, expect, test } from 'vitest';
import { checkContent } from '../../../../src/tenants/transfer/check-import.js';
import { readTransferFile } from '../../../../src/tenants/transfer/read-transfer-file.js';
import { file, records, T, write, type Envelope } from '../../../helpers/transfer-fixture.js';

const source = (id: number, name: string, chunkCount: number): Envelope => ({ type: 'kb_source', row: { id, name, format: 'md', checksum: 'abc', chunk_count: chunkCount, created_at: T, updated_at: T } });
const chunk = (id: number, sourceId: number, ordinal: number): Envelope => ({ type: 'kb_chunk', row: { id, source_id: sourceId, ordinal, heading: null, question: null, answer: null, text: `chunk ${ordinal}`, created_at: T } });
/** The fixture with knowledge inserted after the channel account, where the format puts it. */
const withKnowledge = (knowledge: Envelope[]) => {
  const list = records();
  list.splice(2, 0, ...knowledge);
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
    ['a prompt in force that is not in the file', () => { const r = records(); r[0]!.row.prompt_version = 4; return r; }, /^line 2 of .*the prompt in force is version 4, which is not in the file/],
    ['chunks out of order', () => withKnowledge([source(1, 'a.md', 2), chunk(10, 1, 2), chunk(11, 1, 1)]), /^line 5 of .*chunk 2 of its knowledge source is out of order \(expected 1\)/],
    ['a source missing chunks', () => withKnowledge([source(1, 'a.md', 3), chunk(10, 1, 1), chunk(11, 1, 2)]), /^line 4 of .*knowledge source "a\.md" should have 3 chunks but the file holds 2/],
  ])('refuses %s, naming the line', (_, list, error) => {
    expect(check(list())).toThrow(expect.objectContaining({ message: expect.stringMatching(error) }));
  });
});
