import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  igAttachment, igDelivery, igEcho, igEvent, igReaction, igStoryReply, igText, igUnsupported, newMid, startInstagramGraphSimulator, type InstagramGraphSimulator,
} from '../../src/simulators/instagram/index.js';
import { encodeLikeMeta, signWebhook } from '../../src/simulators/whatsapp/index.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { snapshot } from '../helpers/db.js';
import { botctl } from '../helpers/cli.js';
import { APP_SECRET, PipelineCell, VERIFY_TOKEN } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

const SMILE = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '1000001', token: 'EAAGsmiletoken0123456789abcdefghij', ig: '17841400000000001', igToken: 'IGAAsmile-ig-token-0123456789abcdef' };
const BOLT = { slug: 'bolt', name: 'Bolt Garage', phoneNumberId: '2000002', token: 'EAAGbolttoken0123456789abcdefghijk', ig: '17841400000000002', igToken: 'IGAAbolt-ig-token-0123456789abcdefg' };

let h: PipelineCell;
let ig: InstagramGraphSimulator;
let customer = 900000;
const nextIgsid = () => `178414${String(++customer).padStart(10, '0')}`;

beforeAll(async () => {
  ig = await startInstagramGraphSimulator();
  h = await PipelineCell.start({ tenants: [SMILE, BOLT], worker: false, extraEnv: { INSTAGRAM_GRAPH_URL: ig.url } });
  for (const t of [SMILE, BOLT]) {
    const r = await botctl(['tenant', 'update', t.slug, '--instagram-account-id', t.ig, '--instagram-token', t.igToken], h.cell.env);
    expect(r.exitCode, r.stderr).toBe(0);
    ig.setAccount(t.ig, t.igToken);
  }
  await h.restartWorker();
  // The bot repeats what it was asked (no knowledge base here): each reply names its question.
  h.llm!.setResponder((request) => {
    const last = request.body.messages.filter((m) => (m as { role: string }).role === 'user').at(-1) as { content: string } | undefined;
    return { content: `Ответ: ${String(last?.content ?? '').split('\n').at(-1)}` };
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await ig?.close();
});

async function post(body: unknown, options: { secret?: string } = {}): Promise<number> {
  const raw = encodeLikeMeta(body);
  const response = await fetch(`${h.worker.url}/webhooks/instagram`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(raw, options.secret ?? APP_SECRET) }, body: raw,
  });
  await response.arrayBuffer();
  return response.status;
}
/** The customer writes: Instagram (the simulator) opens the window, and the webhook carries the message. */
function writes(account: string, from: string, event: Record<string, unknown>) {
  ig.customerWrote(account, from);
  return post(igDelivery(account, [igEvent(account, from, event)]));
}
const textsTo = (igsid: string) => ig.sendsTo(igsid).map((s) => (s.body.message as { text?: string }).text);

describe('Instagram Direct on the real worker', () => {
  test('the verify handshake answers the challenge; a wrong signature is refused and stores nothing', async () => {
    const ok = await fetch(`${h.worker.url}/webhooks/instagram?hub.mode=subscribe&hub.challenge=8124&hub.verify_token=${VERIFY_TOKEN}`);
    expect([ok.status, await ok.text()]).toEqual([200, '8124']);
    const bad = await fetch(`${h.worker.url}/webhooks/instagram?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope`);
    expect(bad.status).toBe(403);
    const before = snapshot(h.cell.dataDir);
    expect(await post(igDelivery(SMILE.ig, [igEvent(SMILE.ig, nextIgsid(), igText('Здравствуйте'))]), { secret: 'not-the-app-secret' })).toBe(401);
    expect(snapshot(h.cell.dataDir)).toEqual(before);
  }, 30_000);

  test('a question gets one reply through the account, with its token, however often the webhook is delivered', async () => {
    const from = nextIgsid();
    const event = igText('Сколько стоит чистка?');
    ig.customerWrote(SMILE.ig, from);
    const body = igDelivery(SMILE.ig, [igEvent(SMILE.ig, from, event)]);
    expect(await Promise.all([post(body), post(body), post(body)])).toEqual([200, 200, 200]);
    await until(() => ig.sendsTo(from).length === 1, 10_000, 'the reply');
    await new Promise((r) => setTimeout(r, 600));
    expect(textsTo(from)).toEqual(['Ответ: Сколько стоит чистка?']);
    const send = ig.sendsTo(from)[0]!;
    expect(send).toMatchObject({ accountId: SMILE.ig, token: SMILE.igToken, tagged: false });
    expect(h.query("SELECT count(*) AS n FROM messages WHERE direction = 'inbound' AND provider_message_id = ?", event.message.mid)).toEqual([{ n: 1 }]);
    expect(h.query("SELECT c.channel FROM messages m JOIN channel_accounts c ON c.id = m.channel_account_id WHERE m.provider_message_id = ?", send.mid)).toEqual([{ channel: 'instagram' }]);
  }, 30_000);

  test('echoes of our own sends and read receipts store nothing', async () => {
    const from = nextIgsid();
    const before = h.query<{ n: number }>('SELECT count(*) AS n FROM messages')[0]!.n;
    expect(await post(igDelivery(SMILE.ig, [igEcho(SMILE.ig, from, 'Чистка зубов стоит 15 000 ₸.'), igEvent(SMILE.ig, from, { read: { mid: newMid() } })]))).toBe(200);
    expect(h.query<{ n: number }>('SELECT count(*) AS n FROM messages')[0]!.n).toBe(before);
  }, 30_000);

  test('each message type is stored once with what the bot and managers read', async () => {
    const from = nextIgsid();
    const photo = ig.hostMedia(Buffer.from('jpeg-bytes'), 'image/jpeg');
    const kinds = [
      igAttachment('image', photo), igAttachment('video', ig.hostMedia(Buffer.from('mp4'), 'video/mp4')), igAttachment('audio', ig.hostMedia(Buffer.from('m4a'), 'audio/mp4')),
      igAttachment('file', ig.hostMedia(Buffer.from('%PDF'), 'application/pdf')), igStoryReply('Это у вас?', { id: '1799', url: 'https://cdn.example/story.jpg' }),
      igAttachment('story_mention', 'https://cdn.example/mention.jpg'), igUnsupported(),
    ];
    ig.customerWrote(SMILE.ig, from);
    expect(await post(igDelivery(SMILE.ig, kinds.map((k) => igEvent(SMILE.ig, from, k))))).toBe(200);
    expect(await post(igDelivery(SMILE.ig, kinds.map((k) => igEvent(SMILE.ig, from, k))))).toBe(200);
    const rows = h.query<{ type: string; body: string | null; media: string | null }>(`SELECT type, body, json_extract(payload, '$.media.id') AS media FROM messages
      WHERE direction = 'inbound' AND contact_id = (SELECT id FROM contacts WHERE provider_id = ?) ORDER BY id`, from);
    expect(rows.map((r) => r.type)).toEqual(['image', 'video', 'audio', 'document', 'text', 'unsupported', 'unsupported']);
    expect(rows[0]!.media).toBe(photo);
    expect(rows[4]!.body).toContain('Это у вас?');
    expect(rows[4]!.body).toContain('story');
    expect(rows[5]!.body).toContain('story');
    // A reaction to our reply is stored once too (it is not answered).
    await until(() => ig.sendsTo(from).length >= 1, 10_000, 'an answer to the burst');
    const reaction = igReaction(ig.sendsTo(from)[0]!.mid, '❤️');
    expect(await writes(SMILE.ig, from, reaction)).toBe(200);
    expect(await writes(SMILE.ig, from, reaction)).toBe(200);
    expect(h.query("SELECT count(*) AS n FROM messages WHERE type = 'reaction' AND contact_id = (SELECT id FROM contacts WHERE provider_id = ?)", from)).toEqual([{ n: 1 }]);
  }, 30_000);

  test("two tenants' accounts never see each other's customers; the same person on WhatsApp and Instagram is two contacts", async () => {
    const igsid = nextIgsid();
    expect(await writes(SMILE.ig, igsid, igText('Вопрос в Smile'))).toBe(200);
    await until(() => ig.sendsTo(igsid).length === 1, 10_000, "Smile's reply");
    expect(await writes(BOLT.ig, igsid, igText('Вопрос в Bolt'))).toBe(200);
    await until(() => ig.sendsTo(igsid).length === 2, 10_000, "Bolt's reply");
    expect(ig.sendsTo(igsid).map((s) => [s.accountId, s.token])).toEqual([[SMILE.ig, SMILE.igToken], [BOLT.ig, BOLT.igToken]]);
    const contacts = h.query<{ slug: string; n: number }>(`SELECT t.slug, count(*) AS n FROM contacts c JOIN tenants t ON t.id = c.tenant_id WHERE c.provider_id = ? GROUP BY t.slug ORDER BY t.slug`, igsid);
    expect(contacts).toEqual([{ slug: 'bolt', n: 1 }, { slug: 'smile', n: 1 }]);
    const smileAsk = h.llm!.requests.find((r) => JSON.stringify(r.body.messages).includes('Вопрос в Bolt'))!;
    expect(JSON.stringify(smileAsk.body.messages)).not.toContain('Вопрос в Smile');

    // The same customer on WhatsApp: a second contact and conversation of the same tenant; each reply on its own channel.
    const phone = '77017770001';
    const igUser = nextIgsid();
    expect(await h.deliver(inboundNotification({ phoneNumberId: SMILE.phoneNumberId, messages: [textMessage({ from: phone, body: 'Пишу вам в ватсапе' })], contacts: [{ waId: phone, name: 'Айгерим' }] }))).toBe(200);
    await until(() => h.graph.messagesTo(phone).length === 1, 10_000, 'the WhatsApp reply');
    expect(await writes(SMILE.ig, igUser, igText('Пишу вам в инстаграме'))).toBe(200);
    await until(() => ig.sendsTo(igUser).length === 1, 10_000, 'the Instagram reply');
    expect(textsTo(igUser)).toEqual(['Ответ: Пишу вам в инстаграме']);
    expect((h.graph.messagesTo(phone)[0]!.body.text as { body: string }).body).toBe('Ответ: Пишу вам в ватсапе');
    const both = h.query<{ channel: string; conversations: number }>(`SELECT a.channel, (SELECT count(*) FROM conversations v WHERE v.contact_id = c.id) AS conversations
      FROM contacts c JOIN channel_accounts a ON a.id = c.channel_account_id WHERE c.provider_id IN (?, ?) ORDER BY a.channel`, phone, igUser);
    expect(both).toEqual([{ channel: 'instagram', conversations: 1 }, { channel: 'whatsapp', conversations: 1 }]);
    const igAsk = h.llm!.requests.find((r) => JSON.stringify(r.body.messages).includes('Пишу вам в инстаграме'))!;
    expect(JSON.stringify(igAsk.body.messages)).not.toContain('Пишу вам в ватсапе');
  }, 40_000);

  test('botctl doctor reads each Instagram account with its token and names the tenant whose token Instagram refuses', async () => {
    const env = { ...h.cell.env, INSTAGRAM_GRAPH_URL: ig.url };
    const run = async () => (JSON.parse((await botctl(['doctor', '--json'], env)).stdout) as { checks: { name: string; status: string; detail: string; items?: { subject: string; detail: string; fix: string }[] }[] })
      .checks.find((c) => c.name === 'instagram accounts')!;
    expect(await run()).toMatchObject({ status: 'ok', detail: 'all 2 Instagram accounts OK' });
    ig.setAccount(BOLT.ig, 'IGAA-a-newer-token-the-tenant-lacks');
    const failed = await run();
    expect(failed.status).toBe('fail');
    expect(failed.items).toEqual([{ subject: 'bolt', status: 'fail', detail: `Instagram refuses the token of account ${BOLT.ig}`, fix: 'botctl tenant update bolt --instagram-token <token>' }]);
    ig.setAccount(BOLT.ig, BOLT.igToken);
    const show = await botctl(['tenant', 'show', SMILE.slug], h.cell.env);
    expect(show.stdout).toContain(`instagram: account id ${SMILE.ig}, token set, ok`);
    expect(show.stdout).not.toContain(SMILE.igToken);
  }, 30_000);

  test('botctl trace finds an Instagram message by its mid and shows its channel, the answer and the delivery', async () => {
    const from = nextIgsid();
    const event = igText('Где вы находитесь?');
    expect(await writes(SMILE.ig, from, event)).toBe(200);
    await until(() => ig.sendsTo(from).length === 1, 10_000, 'the reply');
    await until(() => h.query("SELECT 1 FROM messages WHERE direction = 'outbound' AND provider_message_id = ?", ig.sendsTo(from)[0]!.mid).length === 1, 5000, 'the reply marked sent');
    const trace = await botctl(['trace', event.message.mid, '--json'], h.cell.env);
    expect(trace.exitCode, trace.stderr).toBe(0);
    const report = JSON.parse(trace.stdout) as { message: { channel: string; type: string }; steps: { step: string; summary: string }[] };
    expect(report.message).toMatchObject({ channel: 'instagram', type: 'text' });
    expect(report.steps.find((s) => s.step === 'reply.sent')?.summary).toContain(ig.sendsTo(from)[0]!.mid);
    const text = await botctl(['trace', event.message.mid], h.cell.env);
    expect(text.stdout.split('\n')[0]).toMatch(/^message #\d+ \(tenant smile\), inbound text from instagram \d+\*+\d+$/);
  }, 30_000);
});
