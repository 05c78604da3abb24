import { describe, expect, test } from 'vitest';
import { dateRange } from '../../../src/analytics/time-range.js';
import { conversationView } from '../../../src/dashboard/conversations-page.js';
import type { PageContext } from '../../../src/dashboard/layout.js';
import { dashText } from '../../../src/dashboard/texts.js';
import type { TranscriptMessage } from '../../../src/storage/dashboard-store.js';

const ctx = (locale: 'en' | 'ru'): PageContext => ({
  locale,
  tenant: { id: 1, slug: 'clinic', name: 'Smile <Clinic>', locale, timezone: 'Europe/Moscow', businessHours: null },
  session: { id: 1, tenantId: 1, tenantSlug: 'clinic', userId: 1, userName: 'Dana', role: 'owner', expiresAt: 0 },
  range: dateRange('2026-11-02', '2026-11-03', 'Europe/Moscow'),
  period: { from: '2026-11-02', to: '2026-11-03' },
  channel: null,
  channels: ['whatsapp', 'instagram'],
  t: (key, vars) => dashText(locale, key, vars),
});

const message = (m: Partial<TranscriptMessage>): TranscriptMessage => ({
  id: 1, at: Date.parse('2026-11-02T08:00:00Z'), author: 'customer', authorName: null, type: 'text', body: null, mimeType: null, deliveryStatus: 'received', deliveryError: null, handoverId: null, ...m,
});

describe('the conversation view', () => {
  test('media is described, customers\' text is escaped, delivery states are shown for what the business sent', () => {
    const html = conversationView(ctx('en'), { id: 7, name: 'Ann <b>', phone: '77010000001', channel: 'whatsapp' }, [
      message({ id: 1, type: 'image', body: 'my <script>x</script> tooth', mimeType: 'image/jpeg' }),
      message({ id: 2, type: 'audio', mimeType: 'audio/ogg' }),
      message({ id: 3, author: 'manager', authorName: 'Dana', body: 'See you', deliveryStatus: 'failed', deliveryError: 'outside the 24-hour window' }),
    ], []);
    expect(html).toContain('📎 Photo (image/jpeg)</span><br>my &lt;script&gt;x&lt;/script&gt; tooth');
    expect(html).toContain('📎 Voice message (audio/ogg)');
    expect(html).not.toContain('<script>x');
    expect(html).toContain('Ann &lt;b&gt;');
    expect(html).toContain('Manager · Dana');
    expect(html).toContain('not delivered: outside the 24-hour window');
    expect(html.match(/data-testid="delivery"/g)).toHaveLength(1); // not under the customer's messages
  });

  test('in Russian, with a request\'s timeline', () => {
    const html = conversationView(ctx('ru'), { id: 7, name: null, phone: '77010000001', channel: 'whatsapp' }, [message({ body: 'Привет' })], [
      { handoverId: 3, number: 3, reason: 'the knowledge base has nothing on this question', cause: 'no_knowledge', event: 'created', actorName: null, at: Date.parse('2026-11-02T08:00:10Z') },
      { handoverId: 3, number: 3, reason: 'x', cause: 'no_knowledge', event: 'taken', actorName: 'Dana', at: Date.parse('2026-11-02T08:02:10Z') },
    ]);
    expect(html).toContain('Запрос №3: Нет ответа в базе знаний');
    expect(html).toContain('Взял Dana');
    expect(html).toContain('+2 мин');
    expect(html).toContain('+77010000001');
    expect(html).toMatch(/data-testid="conversation-channel" data-channel="whatsapp">WhatsApp</);
  });

  test('an Instagram customer: the channel is named, the id is not written as a phone number', () => {
    const html = conversationView(ctx('ru'), { id: 8, name: null, phone: '17841400000001', channel: 'instagram' }, [message({ body: 'Привет' })], []);
    expect(html).toMatch(/data-testid="conversation-channel" data-channel="instagram">Instagram</);
    expect(html).toContain('Канал');
    expect(html).toContain('17841400000001');
    expect(html).not.toContain('+17841400000001');
  });
});
