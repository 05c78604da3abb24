import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { UserError } from '../../../../src/errors.js';
import { readTransferFile } from '../../../../src/tenants/transfer/read-transfer-file.js';
import { currentRecords, file, records, salesRecords, T, write } from '../../../helpers/transfer-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'botctl-transfer-'));

const refusal = (path: string) => {
  try {
    readTransferFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).toString();
  }
  throw new Error('the file was accepted');
};

describe('reading a tenant export file', () => {
  test('a complete file is read, plain or gzipped, with its lines and the forward reference of a conversation', () => {
    for (const gzip of [false, true]) {
      const parsed = readTransferFile(write(file(), gzip));
      expect(parsed.header.tenant).toBe('smile');
      expect(parsed.records.conversation[0]).toMatchObject({ line: 5, row: { handover_id: 31 } });
      expect(parsed.records.message[0]!.row.type).toBe('text');
      expect(parsed.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  test('a version 1 file (before the owner\'s dashboard) gets the fields added since, with the values rows had then', () => {
    const parsed = readTransferFile(write(file(), false));
    expect(parsed.records.tenant[0]!.row).toMatchObject({ dashboard_managers: 1, digest: 'off', digest_sent_for: null, knowledge_budget_tokens: null });
    expect(parsed.records.handover[0]!.row).toMatchObject({ cause: null, question: null });
    const v2 = file(records().map((r) => (r.type === 'tenant' ? { ...r, row: { ...r.row, dashboard_managers: 1, digest: 'off', digest_sent_for: null, knowledge_budget_tokens: null } }
      : r.type === 'contact' ? { ...r, row: { ...r.row, handle: null } } : r)), { format_version: 2 });
    expect(refusal(write(v2, false))).toMatch(/the handover record has no field "cause"/);
  });

  test('a version 3 file carries what the tenant sells and its CRM links; a version 2 file reads as having none', () => {
    const v3 = readTransferFile(write(file([...currentRecords(), ...salesRecords()], { format_version: 3 })));
    expect(v3.records.booking_reminder[0]).toMatchObject({ line: 11, row: { booking_id: 8, outbound_message_id: 41 } });
    expect(v3.records.sales_setting[0]!.row).toEqual({ reminder_offsets: '[3600000]', memory_retention_days: 30, updated_at: T });
    expect(v3.records.crm_link[0]!.row).toMatchObject({ contact_id: 11, entity_id: '9001' });
    // A version 2 header has no counts of the families added since.
    const lines = file(currentRecords(), { format_version: 2 });
    const header = JSON.parse(lines[0]!) as { counts: Record<string, number> };
    for (const family of ['sales_setting', 'service', 'booking', 'webhook_endpoint', 'crm_connection', 'crm_link']) delete header.counts[family];
    lines[0] = JSON.stringify(header);
    const v2 = readTransferFile(write(lines));
    expect(v2.header.counts).toMatchObject({ booking: 0, webhook_endpoint: 0, crm_link: 0, contact: 1 });
    expect(v2.records.booking).toEqual([]);
  });

  test.each([
    ['a line that is not JSON', () => { const l = file(); l[3] = '{"type":"contact",'; return l; }, /^line 4 of export-\d+\.jsonl: it is not valid JSON: .*export the tenant again/],
    ['an unknown kind of record', () => { const l = file(); l[3] = l[3]!.replace('"type":"contact"', '"type":"invoice"'); return l; }, /^line 4 .*"invoice" is not a kind of record of format version 1/],
    ['a missing field', () => { const r = records(); delete r[2]!.row.metadata; return file(r); }, /^line 4 .*the contact record has no field "metadata"/],
    ['an unknown field', () => { const r = records(); r[2]!.row.vip = true; return file(r); }, /^line 4 .*a field "vip" this format version does not have/],
    ['a field of the wrong type', () => { const r = records(); r[5]!.row.created_at = '2025-01-01'; return file(r); }, /^line 7 .*field "created_at" of the message record is not a whole number/],
    ['JSON text that is not JSON', () => { const r = records(); r[2]!.row.metadata = '{summary'; return file(r); }, /^line 4 .*field "metadata" of the contact record is not valid JSON text/],
    ['a reference to a row not in the file', () => { const r = records(); r[5]!.row.contact_id = 99; return file(r); }, /^line 7 .*field "contact_id" refers to contact 99, which is not earlier in the file/],
    ['a forward reference to a handover not in the file', () => { const r = records(); r[3]!.row.handover_id = 99; return file(r); }, /^line 5 .*refers to handover 99, which is not in the file/],
    ['records out of order', () => { const r = records(); r.splice(5, 0, { type: 'llm_call', row: { id: 1, contact_id: null, purpose: 'reply', at: T, duration_ms: 5, outcome: 'ok', error: null } }); return file(r); },
      /^line 8 .*the message record comes after the llm_call records; records are in a fixed order/],
    ['a duplicate id', () => { const r = records(); r.splice(3, 0, { ...r[2]!, row: { ...r[2]!.row, provider_id: 'x' } }); return file(r); }, /^line 5 .*a second contact record with id 11/],
    ['a truncated file', () => file().slice(0, -1), /holds 0 message records but its header says 1 \(the file is truncated or was edited\)/],
    ['a header naming another tenant', () => file(records(), { tenant: 'bolt' }), /^line 2 .*the tenant is "smile" but the header says "bolt"/],
    ['a newer format version', () => file(records(), { format_version: 4 }), /format version 4, which this botctl \(reading 1, 2, 3\) does not know: upgrade botctl/],
    ['a version 2 file with a record of version 3', () => file([...currentRecords(), salesRecords()[1]!], { format_version: 2 }), /^line 8 .*"service" is not a kind of record of format version 2/],
    ['a version 3 header without the count of a version 3 family', () => { const l = file([...currentRecords(), ...salesRecords()], { format_version: 3 }); const h = JSON.parse(l[0]!); delete h.counts.booking; l[0] = JSON.stringify(h); return l; },
      /^line 1 .*the header has no count of booking records/],
    ['a second settings record of a family keyed by the tenant', () => { const v3 = [...currentRecords(), ...salesRecords()]; v3.splice(7, 0, v3[6]!); return file(v3, { format_version: 3 }); },
      /^line 9 .*a second sales_setting record \(a tenant has one\)/],
    ['a reminder of a booking not in the file', () => { const v3 = [...currentRecords(), ...salesRecords()]; v3[9]!.row.booking_id = 99; return file(v3, { format_version: 3 }); },
      /^line 11 .*field "booking_id" refers to booking 99, which is not earlier in the file/],
    ['an unknown way of sealing secrets', () => file(records(), { secrets: { mode: 'rot13' } }), /^line 1 .*sealed in a way \("rot13"\)/],
    ['a header without counts', () => file(records(), { counts: null }), /^line 1 .*the header has no counts/],
    ['a file that is not an export', () => ['{"hello":"world"}'], /is not a botctl tenant export \(line 1 is not its header\)/],
  ])('refuses %s, naming the line', (_, lines, error) => {
    expect(refusal(write(lines()))).toMatch(error);
  });

  test('refuses a gzip file cut short, a file that is not text, an empty file and a missing one', () => {
    const gz = gzipSync(`${file().join('\n')}\n`);
    const cut = join(dir, 'cut.jsonl.gz');
    writeFileSync(cut, gz.subarray(0, gz.length - 20));
    expect(refusal(cut)).toMatch(/cut\.jsonl\.gz is not a complete gzip file .*compare its sha256/);
    const binary = join(dir, 'binary.jsonl');
    writeFileSync(binary, Buffer.from([0xff, 0xfe, 0x00, 0x01]));
    expect(refusal(binary)).toMatch(/not UTF-8 text/);
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    expect(refusal(empty)).toMatch(/empty\.jsonl is empty/);
    expect(refusal(join(dir, 'nowhere.jsonl'))).toMatch(/there is no file .*nowhere\.jsonl/);
  });
});
