import { ChannelApiError } from '../../channels/errors.js';
import { InstagramChannel } from '../../channels/instagram/instagram-channel.js';
import { CustomerBotChannel } from '../../channels/telegram/customer-bot-channel.js';
import { registerTenantSecret, scrubText } from '../../observability/redact.js';
import { SecretBox } from '../../security/secret-box.js';
import { ChannelAccountStore } from '../../storage/channel-account-store.js';
import { SECRET_CONTEXT } from '../../tenants/tenant-service.js';
import { mapBounded } from '../probes/bounded.js';
import { skip, summarize, type CheckItem, type CheckResult, type DoctorContext } from './check.js';

type Item = (status: CheckItem['status'], detail: string, fix: string | null) => CheckItem;

/**
 * Each connected Instagram account and customer bot: its token opens and works (a read, nothing is sent), and a
 * customer bot's webhook is where this cell expects it (BOTCTL_PUBLIC_URL) or absent for long polling.
 */
export async function channelChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const c = ctx.config;
  if (!c?.secretKey) return [skip('channels', 'instagram and telegram customer bots', 'needs a valid configuration with BOTCTL_SECRET_KEY')];
  if (!ctx.db) return [skip('channels', 'instagram and telegram customer bots', 'needs the database')];
  const box = new SecretBox(c.secretKey);
  const store = new ChannelAccountStore(ctx.db);
  const open = (enc: Buffer | null, context: string, what: string, item: Item, fix: string): { token: string } | CheckItem => {
    if (!enc) return item('fail', `no ${what} stored`, fix);
    try {
      const token = box.open(enc, context, what);
      registerTenantSecret(token);
      return { token };
    } catch (err) {
      return item('fail', (err as Error).message, (err as Error & { hint?: string }).hint ?? fix);
    }
  };

  const instagram = new InstagramChannel({ baseUrl: c.instagramGraphUrl, timeoutMs: ctx.timeoutMs });
  const igItems = await mapBounded(store.accountsOn('instagram'), ctx.concurrency, async (a): Promise<CheckItem> => {
    const item: Item = (status, detail, fix) => ({ subject: a.slug, status, detail, fix });
    const fix = `botctl tenant update ${a.slug} --instagram-token <token>`;
    const opened = open(a.tokenEnc, SECRET_CONTEXT.instagramToken(a.slug), `the Instagram token of tenant ${a.slug}`, item, fix);
    if (!('token' in opened)) return opened;
    try {
      const account = await instagram.getAccount({ externalId: a.externalId, accessToken: opened.token });
      return item('ok', `account ${a.externalId}${account.username ? ` (@${account.username})` : ''}`, null);
    } catch (err) {
      if (err instanceof ChannelApiError && err.reason === 'token_invalid') return item('fail', `Instagram refuses the token of account ${a.externalId}`, fix);
      return item('fail', `account ${a.externalId}: ${scrubText((err as Error).message).slice(0, 160)}`, 'check the account id and that this host reaches INSTAGRAM_GRAPH_URL');
    }
  });

  const bots = new CustomerBotChannel({ apiRoot: c.telegramApiRoot });
  const publicUrl = c.publicUrl?.replace(/\/+$/, '') ?? null;
  const botItems = await mapBounded(store.accountsOn('telegram'), ctx.concurrency, async (a): Promise<CheckItem> => {
    const item: Item = (status, detail, fix) => ({ subject: a.slug, status, detail, fix });
    const fix = `botctl tenant update ${a.slug} --telegram-customer-bot-token <token from @BotFather>`;
    const opened = open(a.tokenEnc, SECRET_CONTEXT.telegramCustomerBotToken(a.slug), `the customer bot token of tenant ${a.slug}`, item, fix);
    if (!('token' in opened)) return opened;
    try {
      const api = bots.api(opened.token);
      const me = await api.getMe();
      const hook = await api.getWebhookInfo();
      const expected = publicUrl ? `${publicUrl}/webhooks/telegram/${encodeURIComponent(a.slug)}` : '';
      if (hook.url !== expected) {
        return item('warn', `@${me.username}: webhook is ${hook.url ? hook.url : 'not set'}, expected ${expected || 'none (long polling)'}`, 'restart the worker (it sets the webhook, or removes it for long polling): sudo systemctl restart botctl');
      }
      const lastError = hook.last_error_message ? `; Telegram's last delivery error: ${hook.last_error_message}` : '';
      return item(lastError ? 'warn' : 'ok', `@${me.username} (${publicUrl ? 'webhook' : 'long polling'})${lastError}`, lastError ? 'check that BOTCTL_PUBLIC_URL reaches this cell over https' : null);
    } catch (err) {
      return item('fail', `the customer bot answers: ${scrubText((err as Error).message).slice(0, 160)}`, fix);
    }
  });
  return [summarize('instagram', 'instagram accounts', igItems, 'Instagram accounts'), summarize('telegram', 'customer bots', botItems, 'customer bots')];
}
