import { describe, expect, test } from 'vitest';
import { DIGEST_PAGE_LINES, drawDigest, needsDigest } from '../../../src/desk/jobs/digest.js';
import { CHAT, cell } from './desk-cell.js';

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
