import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  buttonReplyMessage, imageMessage, inboundNotification, locationMessage, reactionMessage, stickerMessage, textMessage, voiceMessage,
  type WaWireMessage,
} from '../fakes/whatsapp.js';
import { PipelineCell, VERIFY_TOKEN } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';
import { packageRoot } from '../../src/paths.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const HEARS = { slug: 'hears', name: 'Smile Dental', phoneNumberId: '3000003', token: 'EAAGhearstoken0123456789abcdefghij', knowledge: [join(KB, 'smile-services.md'), join(KB, 'smile-contacts.md')], extraFlags: ['--voice-transcription', 'on', '--llm-calls-per-hour', '3'] };
// Open only tomorrow morning (Almaty time), so "now" is always outside business hours.
const TOMORROW = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Almaty', weekday: 'short' }).format(new Date(Date.now() + 86_400_000)).toLowerCase().slice(0, 3);
const CLOSED = { slug: 'closed', name: 'Smile Dental', phoneNumberId: '3500035', token: 'EAAGclosedtoken0123456789abcdefghij', knowledge: [join(KB, 'smile-services.md')], extraFlags: ['--business-hours', `${TOMORROW} 09:00-10:00`] };
const DEAF = { slug: 'deaf', name: 'Smile Dental', phoneNumberId: '4000004', token: 'EAAGdeaftoken0123456789abcdefghijk', knowledge: [join(KB, 'smile-services.md')] };

let h: PipelineCell;
let customer = 77020000000;
const nextCustomer = () => String(++customer);
const repliesTo = (waId: string) => h.graph.messagesTo(waId).map((s) => (s.body.text as { body: string }).body);
const deliver = (phoneNumberId: string, ...messages: WaWireMessage[]) => h.deliver(inboundNotification({ phoneNumberId, messages }));
const outcomes = (from: string) => h.query<{ type: string; outcome: string | null }>("SELECT type, outcome FROM messages WHERE direction = 'inbound' AND contact_id = (SELECT id FROM contacts WHERE provider_id = ?) ORDER BY id", from);
const lastUserMessage = (needle: string) => {
  const request = h.llm!.requests.find((r) => JSON.stringify(r.body.messages).includes(needle));
  return (request?.body.messages.at(-1) as { content: string } | undefined)?.content;
};

beforeAll(async () => {
  h = await PipelineCell.start({ tenants: [HEARS, DEAF, CLOSED] });
}, 60_000);
afterAll(async () => h?.close());

describe('every message type on the real worker', () => {
  test("Meta's verification handshake answers the challenge only with the right token", async () => {
    const ok = await fetch(`${h.worker.url}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${h.worker.url}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=nope`);
    expect(wrong.status).toBe(403);
  });

  test('a voice note is transcribed when the tenant enabled it, and the transcript is answered', async () => {
    const from = nextCustomer();
    const mediaId = h.graph.addMedia(Buffer.from('OggS fake opus bytes'), 'audio/ogg; codecs=opus', { phoneNumberId: HEARS.phoneNumberId });
    h.llm!.enqueueTranscription('Сколько стоит отбеливание зубов?');
    h.llm!.enqueue({ content: 'Отбеливание Zoom 4 — 45 000 ₸.' });
    await deliver(HEARS.phoneNumberId, voiceMessage({ from, mediaId }));
    await until(() => repliesTo(from).length === 1, 10_000, 'the reply');
    expect(repliesTo(from)).toEqual(['Отбеливание Zoom 4 — 45 000 ₸.']);
    expect(h.llm!.transcriptions.at(-1)).toMatchObject({ mimeType: 'audio/ogg' });
    expect(lastUserMessage('Сколько стоит отбеливание зубов?')).toBe('Сколько стоит отбеливание зубов?');
  }, 20_000);

  test('without transcription the customer is asked to write, and no LLM call is made', async () => {
    const from = nextCustomer();
    const before = h.llm!.requests.length;
    await deliver(DEAF.phoneNumberId, voiceMessage({ from, mediaId: h.graph.addMedia('x', 'audio/ogg') }));
    await until(() => repliesTo(from).length === 1, 10_000, 'the reply');
    expect(repliesTo(from)[0]).toContain('не могу прослушать голосовое сообщение');
    expect(h.llm!.requests.length).toBe(before);
    expect(outcomes(from)).toEqual([{ type: 'voice', outcome: 'replied' }]);
  }, 20_000);

  test('a reaction alone gets no reply and no LLM call', async () => {
    const from = nextCustomer();
    const before = h.llm!.requests.length;
    await deliver(DEAF.phoneNumberId, reactionMessage({ from, messageId: 'wamid.earlier', emoji: '👍' }));
    await until(() => outcomes(from).length === 1 && outcomes(from).every((o) => o.outcome === 'ignored'), 10_000, 'ignored');
    await new Promise((r) => setTimeout(r, 500));
    expect(repliesTo(from)).toEqual([]);
    expect(h.llm!.requests.length).toBe(before);
  }, 20_000);

  test('a first-contact sticker is greeted without an LLM call; a sticker after an answer is an acknowledgement and stays unanswered', async () => {
    const from = nextCustomer();
    const before = h.llm!.requests.length;
    await deliver(DEAF.phoneNumberId, stickerMessage({ from }));
    await until(() => repliesTo(from).length === 1, 10_000, 'the greeting');
    expect(repliesTo(from)[0]).toBe('Здравствуйте! Это Smile Dental. Чем могу помочь? Напишите ваш вопрос.');
    expect(h.llm!.requests.length).toBe(before);
    await deliver(DEAF.phoneNumberId, stickerMessage({ from }));
    await until(() => outcomes(from).length === 2 && outcomes(from)[1]!.outcome === 'ignored', 10_000, 'the second sticker ignored');
    await new Promise((r) => setTimeout(r, 500));
    expect(repliesTo(from)).toHaveLength(1);
  }, 20_000);

  test('a caption is read as text; a location and a pressed button are described to the LLM', async () => {
    const from = nextCustomer();
    h.llm!.enqueue({ content: 'Мы на ул. Абая, 150. Чистка — 15 000 ₸.' });
    await deliver(DEAF.phoneNumberId,
      imageMessage({ from, caption: 'Сколько стоит такая чистка?' }),
      locationMessage({ from, latitude: 43.2389, longitude: 76.8897, name: 'Дом' }),
      buttonReplyMessage({ from, buttonId: 'prices', title: 'Цены' }));
    await until(() => repliesTo(from).length === 1, 10_000, 'the reply');
    const content = lastUserMessage('Сколько стоит такая чистка?')!;
    expect(content).toContain('Сколько стоит такая чистка?');
    expect(content).toContain('43.2389');
    expect(content).toContain('Цены');
  }, 20_000);

  test('a photo without text goes to a manager with a holding reply', async () => {
    const from = nextCustomer();
    await deliver(DEAF.phoneNumberId, imageMessage({ from }));
    await until(() => repliesTo(from).length === 1, 10_000, 'the holding reply');
    expect(repliesTo(from)[0]).toContain('Я передал его менеджеру');
    expect(h.query('SELECT reason FROM handovers WHERE contact_id = (SELECT id FROM contacts WHERE provider_id = ?)', from)).toEqual([{ reason: 'the customer sent a photo without text' }]);
  }, 20_000);

  test('outside business hours the holding reply says when managers are back', async () => {
    const from = nextCustomer();
    h.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'wants a person' } } });
    await deliver(CLOSED.phoneNumberId, textMessage({ from, body: 'Сколько стоит чистка? Позовите человека' }));
    await until(() => repliesTo(from).length === 1, 10_000, 'the holding reply');
    expect(repliesTo(from)[0]).toBe('Спасибо за вопрос! Я передал его менеджеру. Сейчас мы не работаем — менеджер ответит здесь завтра в 09:00.');
  }, 20_000);

  test('past the hourly cap of answers the customer gets a polite holding reply and a manager', async () => {
    const from = nextCustomer();
    for (let i = 0; i < 3; i++) {
      h.llm!.enqueue({ content: 'Чистка — 15 000 ₸.' });
      await deliver(HEARS.phoneNumberId, textMessage({ from, body: `Сколько стоит чистка? (${i})` }));
      await until(() => repliesTo(from).length === i + 1, 10_000, `reply ${i + 1}`);
    }
    const before = h.llm!.requests.length;
    await deliver(HEARS.phoneNumberId, textMessage({ from, body: 'А отбеливание сколько стоит?' }));
    await until(() => repliesTo(from).length === 4, 10_000, 'the holding reply');
    expect(repliesTo(from)[3]).toContain('передал разговор менеджеру');
    expect(h.llm!.requests.length).toBe(before);
  }, 30_000);
});

describe('without an LLM', () => {
  let bare: PipelineCell;
  beforeAll(async () => {
    bare = await PipelineCell.start({ llm: false, tenants: [{ slug: 'faq', name: 'Smile Dental', phoneNumberId: '5000005', token: 'EAAGfaqtoken0123456789abcdefghijkl', knowledge: [join(KB, 'smile-faq.csv')] }] });
  }, 60_000);
  afterAll(async () => bare?.close());

  test('an exact FAQ question is answered from the knowledge base; anything else goes to a manager', async () => {
    const from = '77030000001';
    await bare.deliver(inboundNotification({ phoneNumberId: '5000005', messages: [textMessage({ from, body: 'Сколько стоит чистка зубов?' })] }));
    await until(() => bare.graph.messagesTo(from).length === 1, 10_000, 'the FAQ answer');
    expect((bare.graph.messagesTo(from)[0]!.body.text as { body: string }).body).toBe('Профессиональная чистка зубов стоит 15 000 ₸.');
    await bare.deliver(inboundNotification({ phoneNumberId: '5000005', messages: [textMessage({ from, body: 'Вы ставите импланты на скидке в воскресенье?' })] }));
    await until(() => bare.graph.messagesTo(from).length === 2, 10_000, 'the holding reply');
    expect((bare.graph.messagesTo(from)[1]!.body.text as { body: string }).body).toContain('Извините, я сейчас не могу ответить сам');
  }, 20_000);
});
