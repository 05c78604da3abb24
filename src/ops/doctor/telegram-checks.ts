import { Api, GrammyError } from 'grammy';
import type { ChatMember, UserFromGetMe } from 'grammy/types';
import { scrubText } from '../../observability/redact.js';
import { OpsStore } from '../../storage/ops-store.js';
import { mapBounded } from '../probes/bounded.js';
import { fail, ok, skip, summarize, warn, type CheckItem, type CheckResult, type DoctorContext } from './check.js';

const G = 'telegram';

/** The bot token (getMe), the bot in the on-call chat, and the bot's membership and rights in every managers chat. */
export async function telegramChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const c = ctx.config;
  if (!c) return [skip(G, 'Telegram', 'needs a valid configuration')];
  if (!c.telegramBotToken) return [skip(G, 'Telegram', 'TELEGRAM_BOT_TOKEN is not set: managers get no handover cards and watch cannot alert')];
  const api = new Api(c.telegramBotToken, { apiRoot: c.telegramApiRoot, timeoutSeconds: Math.max(1, Math.ceil(ctx.timeoutMs / 1000)) });
  let me: UserFromGetMe;
  try {
    me = await api.getMe();
  } catch (err) {
    const refused = err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404);
    return [refused
      ? fail(G, 'bot token', `Telegram refused TELEGRAM_BOT_TOKEN (${(err as GrammyError).error_code} ${scrubText((err as GrammyError).description)})`, 'set TELEGRAM_BOT_TOKEN to the token @BotFather gives for your bot (/mybots → API Token), then sudo systemctl restart botctl')
      : fail(G, 'bot token', `${c.telegramApiRoot} did not answer getMe (${scrubText((err as Error).message)})`, 'check that this host reaches TELEGRAM_API_ROOT (https://api.telegram.org): firewall, DNS, proxy')];
  }
  const results = [ok(G, 'bot token', `@${me.username} (id ${me.id})`)];

  if (!c.oncallChatId) results.push(warn(G, 'on-call chat', 'BOTCTL_ONCALL_CHAT_ID is not set: nobody is alerted when something breaks', 'add the bot to the on-call group, set BOTCTL_ONCALL_CHAT_ID to its id, then botctl watch test-alert'));
  else {
    const item = await membership(api, me, c.oncallChatId, `chat ${c.oncallChatId}`, 'set BOTCTL_ONCALL_CHAT_ID to the right id:');
    results.push(item.status === 'ok' ? ok(G, 'on-call chat', item.detail) : { group: G, name: 'on-call chat', status: item.status, detail: item.detail, fix: item.fix });
  }

  if (!ctx.db) results.push(skip(G, 'managers chats', 'needs the database'));
  else {
    const chats = new OpsStore(ctx.db).tenantChats();
    const items = await mapBounded(chats, ctx.concurrency, async (t) => {
      const item = await membership(api, me, t.chatId, `managers chat ${t.chatId}`, `botctl tenant update ${t.slug} --telegram-chat-id`);
      return { ...item, subject: t.slug };
    });
    results.push(summarize(G, 'managers chats', items, 'tenant chats'));
  }
  return results;
}

/** getChatMember of the bot itself: is it in the chat, and may it post (and manage topics for per-request threads)? */
async function membership(api: Api, me: UserFromGetMe, chatId: number, what: string, setChat: string): Promise<CheckItem> {
  const item = (status: CheckItem['status'], detail: string, fix: string | null): CheckItem => ({ subject: String(chatId), status, detail, fix });
  let member: ChatMember;
  try {
    member = await api.getChatMember(chatId, me.id);
  } catch (err) {
    if (err instanceof GrammyError) {
      const migrated = err.parameters?.migrate_to_chat_id;
      if (migrated !== undefined) return item('fail', `${what}: the group became a supergroup with id ${migrated}`, `${setChat} ${migrated}`);
      if (err.error_code === 403) return item('fail', `${what}: the bot was removed or blocked (${scrubText(err.description)})`, `add @${me.username} back to the group (or ${setChat} <id> if it moved)`);
      return item('fail', `${what}: ${scrubText(err.description)}`, `add @${me.username} to the group and check the id (${setChat} <id>)`);
    }
    return item('fail', `${what}: Telegram did not answer (${scrubText((err as Error).message)})`, 'run botctl doctor again; check this host reaches TELEGRAM_API_ROOT');
  }
  switch (member.status) {
    case 'administrator':
    case 'creator':
      return item('ok', `${what}: @${me.username} is an admin`, null);
    case 'member':
      return item('ok', `${what}: @${me.username} is a member (managers must reply to its cards; make it an admin to see every message and use topics)`, null);
    case 'restricted':
      return member.can_send_messages
        ? item('warn', `${what}: @${me.username} is restricted`, 'make the bot an admin of the group, or lift its restrictions')
        : item('fail', `${what}: @${me.username} may not send messages`, 'lift the bot\'s restrictions in the group settings, or make it an admin');
    default:
      return item('fail', `${what}: @${me.username} has status "${member.status}" (not in the group)`, `add @${me.username} to the group (or ${setChat} <id> if it moved)`);
  }
}
