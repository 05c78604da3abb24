import { describe, expect, test } from 'vitest';
import { renderCard, topicName } from '../../../src/desk/card.js';
import type { DeskHandover, DeskTenant, TranscriptLine } from '../../../src/storage/desk-store.js';

const tenant = (name: string): DeskTenant => ({
  id: 1, slug: 'shop', name, locale: 'en', timezone: 'Asia/Almaty', status: 'active', chatId: -100, ownerChatId: null, isForum: false,
  telegramStatus: 'ok', businessHours: null, remindAfterMs: 1, remindEveryMs: 1, remindMax: 1, replyTimeoutMs: 1,
});
const handover = (over: Partial<DeskHandover> = {}): DeskHandover => ({
  id: 1, tenantId: 1, conversationId: 1, contactId: 1, number: 7, status: 'waiting', reason: 'wants a person', summary: null, createdAt: 0,
  assignedToId: null, assignedToName: null, takenAt: null, firstResponseAt: null, resolvedById: null, resolvedByName: null, resolvedAt: null,
  chatId: -100, cardMessageId: null, threadId: null, remindersSent: 0, customerName: 'Aigerim', customerPhone: '77011234567', ...over,
});
const transcript = (n: number, size: number): TranscriptLine[] => Array.from({ length: n }, (_, i) => ({ author: i % 2 ? 'bot' : 'customer', text: `line ${i} ${'x'.repeat(size)}`, at: i }));

describe('renderCard: a card always fits Telegram, shortening itself (history first)', () => {
  test.each([
    ['a 10,000-character business name stored before names were bounded', tenant('N'.repeat(10_000)), handover()],
    ['a huge reason and summary', tenant('Shop'), handover({ reason: 'r'.repeat(20_000), summary: 's'.repeat(20_000) })],
    ['a customer name of 5,000 characters with HTML to escape', tenant('Shop'), handover({ customerName: '<&>'.repeat(2000) })],
  ])('%s', (_name, t, h) => {
    const card = renderCard(h, t, transcript(30, 500));
    expect(card.length).toBeLessThanOrEqual(4096);
    expect(card).toContain('line 29'); // the newest line stays
    expect(card).not.toContain('line 0 '); // the oldest go first
  });

  test('a customer known only by a user id is shown by it, without a "+"', () => {
    expect(renderCard(handover({ customerPhone: 'KZ.1502576394655843', customerName: '@aigerim' }), tenant('Shop'), [])).toContain('WhatsApp · @aigerim · KZ.1502576394655843');
    expect(renderCard(handover(), tenant('Shop'), [])).toContain('Aigerim · +77011234567');
  });

  test.each([
    ['WhatsApp (rows without a channel are WhatsApp)', {}, 'WhatsApp · Aigerim · +77011234567', 'on WhatsApp'],
    ['Instagram with a handle', { channel: 'instagram', customerPhone: '1784140000000777', customerHandle: 'aigerim.k' }, 'Instagram · Aigerim · @aigerim.k', 'on Instagram'],
    ['Instagram without a handle: the IGSID', { channel: 'instagram', customerPhone: '1784140000000777', customerHandle: null }, 'Instagram · Aigerim · 1784140000000777', 'on Instagram'],
    ['Telegram', { channel: 'telegram', customerPhone: '5550001', customerHandle: 'aika' }, 'Telegram · Aigerim · @aika', 'on Telegram'],
  ] as const)('the card names the channel and the handle: %s', (_name, over, line, hint) => {
    const card = renderCard(handover(over as Partial<DeskHandover>), tenant('Shop'), []);
    expect(card).toContain(line);
    expect(card).toContain(`write to the customer ${hint}.`);
  });

  test.each([
    ['WhatsApp', {}, '№7 · WhatsApp · Aigerim · +77011234567'],
    ['Instagram with a handle', { channel: 'instagram', customerPhone: '1784140000000777', customerHandle: 'aigerim.k' }, '№7 · Instagram · Aigerim · @aigerim.k'],
    ['Instagram without a name or handle: the IGSID, no "+"', { channel: 'instagram', customerPhone: '1784140000000777', customerName: null }, '№7 · Instagram · 1784140000000777'],
  ] as const)("a request's forum topic names the channel and the handle too: %s", (_name, over, name) => {
    expect(topicName(handover(over as Partial<DeskHandover>), 'en')).toBe(name);
  });

  test('a topic name stays within Telegram\'s 128 characters', () => {
    expect(topicName(handover({ customerName: 'N'.repeat(500) }), 'en').length).toBeLessThanOrEqual(128);
  });
});
