import { describe, expect, test } from 'vitest';
import { WebhookPayloadError } from '../../../src/channels/errors.js';
import { parseInstagramWebhook } from '../../../src/channels/instagram/parse-webhook.js';
import { igAttachment, igDelivery, igEcho, igEvent, igReaction, igStoryReply, igText, igUnsupported } from '../../../src/simulators/instagram/index.js';

const ACC = '17841400000000001';
const FROM = '1784140000000777';
const one = (event: Record<string, unknown>) => parseInstagramWebhook(igDelivery(ACC, [igEvent(ACC, FROM, event)]))[0]!;

describe('parseInstagramWebhook', () => {
  test.each([
    ['text', igText('Привет', 'm1'), { kind: 'text', text: 'Привет', providerMessageId: 'm1' }],
    ['image', igAttachment('image', 'https://cdn/x.jpg', 'm2'), { kind: 'image', media: { id: 'https://cdn/x.jpg', mimeType: 'image/jpeg' } }],
    ['video', igAttachment('video', 'https://cdn/x.mp4', 'm3'), { kind: 'video' }],
    ['audio', igAttachment('audio', 'https://cdn/x.m4a', 'm4'), { kind: 'audio' }],
    ['file', igAttachment('file', 'https://cdn/x.pdf', 'm5'), { kind: 'document' }],
    ['share', igAttachment('share', 'https://instagram.com/p/1', 'm6'), { kind: 'text', text: '🔗 Shared a post: https://instagram.com/p/1' }],
    ['story mention', igAttachment('story_mention', 'https://cdn/s.jpg', 'm7'), { kind: 'unsupported', text: '📣 Mentioned the business in a story: https://cdn/s.jpg' }],
    ['story reply', igStoryReply('Это где?', { id: '9', url: 'https://cdn/st.jpg' }, 'm8'), { kind: 'text', text: '↩️ Replied to a story (https://cdn/st.jpg)\nЭто где?' }],
    ['unsupported', igUnsupported('m9'), { kind: 'unsupported', text: null }],
    ['reaction', igReaction('m1', '❤️'), { kind: 'reaction', providerMessageId: 'm1:reaction:❤️', reaction: { messageId: 'm1', emoji: '❤️' } }],
    ['unreaction', igReaction('m1', null), { kind: 'reaction', reaction: { messageId: 'm1', emoji: null } }],
    ['deleted', { message: { mid: 'm10', is_deleted: true } }, { kind: 'revoke', target: 'm10' }],
  ])('%s', (_name, event, expected) => {
    const batch = one(event);
    expect(batch.accountExternalId).toBe(ACC);
    expect(batch.messages).toHaveLength(1);
    expect(batch.messages[0]).toMatchObject({ from: FROM, userId: FROM, phone: null, ...expected });
  });

  test('echoes and read receipts are not messages', () => {
    const batch = parseInstagramWebhook(igDelivery(ACC, [igEcho(ACC, FROM, 'our reply'), igEvent(ACC, FROM, { read: { mid: 'm1' } })]))[0]!;
    expect(batch.messages).toEqual([]);
    expect(batch.rejected).toEqual([]);
  });

  test('an event without a sender is rejected by its path; the others of the delivery are kept', () => {
    const body = igDelivery(ACC, [{ recipient: { id: ACC }, message: { mid: 'bad' } }, igEvent(ACC, FROM, igText('ok', 'good'))]);
    const batch = parseInstagramWebhook(body)[0]!;
    expect(batch.messages.map((m) => m.providerMessageId)).toEqual(['good']);
    expect(batch.rejected).toEqual([{ path: 'body.entry[0].messaging[0]', reason: expect.stringContaining('sender'), providerMessageId: 'bad' }]);
  });

  test('a body that is not an Instagram delivery is refused with the path', () => {
    expect(() => parseInstagramWebhook({ object: 'page', entry: [] })).toThrow(WebhookPayloadError);
    expect(() => parseInstagramWebhook({ object: 'instagram', entry: [{}] })).toThrow(/body\.entry\.0\.id/);
  });
});
