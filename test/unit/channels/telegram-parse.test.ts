import type { Update } from 'grammy/types';
import { describe, expect, test } from 'vitest';
import { handleOf, parseCustomerUpdate } from '../../../src/channels/telegram/parse-update.js';

const from = { id: 42, is_bot: false, first_name: 'Айгерим', last_name: 'К', username: 'aika' };
const privateChat = { id: 42, type: 'private' as const, first_name: 'Айгерим' };
const update = (message: Record<string, unknown>, chat: Record<string, unknown> = privateChat, key: 'message' | 'edited_message' = 'message') =>
  ({ update_id: 1, [key]: { message_id: 7, date: 1_700_000_000, chat, from, ...message } }) as unknown as Update;

describe('parseCustomerUpdate', () => {
  test.each([
    ['text', { text: 'Привет' }, { kind: 'text', text: 'Привет' }],
    ['/start with a deep link', { text: '/start promo' }, { kind: 'start', text: null }],
    ['/start@bot', { text: '/start@smile_bot' }, { kind: 'start' }],
    ['a question that mentions /start later', { text: 'что значит /start?' }, { kind: 'text' }],
    ['sticker', { sticker: { file_id: 's', emoji: '👍' } }, { kind: 'sticker', text: '👍' }],
    ['video note', { video_note: { file_id: 'vn' } }, { kind: 'video', media: { id: 'vn', mimeType: 'video/mp4' } }],
    ['venue', { location: { latitude: 1, longitude: 2 }, venue: { title: 'Клиника', address: 'Абая 150' } }, { kind: 'location', text: '📍 Location: Клиника, Абая 150 (1, 2)' }],
    ['poll', { poll: { id: 'p' } }, { kind: 'unsupported', text: null }],
  ])('%s', (_name, message, expected) => {
    expect(parseCustomerUpdate(update(message))).toMatchObject({ providerMessageId: '42:7', from: '42', userId: '42', phone: null, profileName: 'Айгерим К', ...expected });
  });

  test('an edit points at the message it changes and has its own id', () => {
    expect(parseCustomerUpdate(update({ text: 'Исправлено', edit_date: 1_700_000_100 }, privateChat, 'edited_message'))).toMatchObject({
      kind: 'edit', target: '42:7', providerMessageId: '42:7:edit:1700000100', text: 'Исправлено',
    });
  });

  test('groups, channels and bots are not customers; the handle is the username', () => {
    expect(parseCustomerUpdate(update({ text: 'hi' }, { id: -100, type: 'group', title: 'g' }))).toBeNull();
    expect(parseCustomerUpdate({ update_id: 2, message: { message_id: 1, date: 1, chat: privateChat, from: { ...from, is_bot: true }, text: 'x' } } as unknown as Update)).toBeNull();
    expect(parseCustomerUpdate({ update_id: 3 } as Update)).toBeNull();
    expect(handleOf(update({ text: 'x' }))).toBe('aika');
  });
});
