import type { Logger } from '../../observability/logger.js';
import type { ChannelAccountStore, CustomerBotRow } from '../../storage/channel-account-store.js';
import { customerWebhookSecret, type CustomerBotIntake } from './customer-bot-intake.js';
import type { CustomerBotChannel } from './customer-bot-channel.js';

const ALLOWED_UPDATES = ['message', 'edited_message'] as const;
const RESCAN_MS = 60_000;
const POLL_TIMEOUT_S = 25;

/**
 * Connects every tenant's customer bot to this worker: with a public URL, `setWebhook` to
 * `/webhooks/telegram/<tenant>` with the bot's secret token; without one, long polling (`getUpdates`), confirming an
 * update (offset) only after it is committed. Bots connected later are picked up within a minute.
 */
export class CustomerBotConnections {
  private readonly started = new Map<number, string>();
  private readonly abort = new AbortController();
  private rescan: NodeJS.Timeout | null = null;
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly deps: {
    bots: Pick<ChannelAccountStore, 'customerBots'>; tokenOf: (bot: CustomerBotRow) => string; channel: CustomerBotChannel; intake: CustomerBotIntake;
    publicUrl: string | null; logger: Logger;
  }) {}

  async start(): Promise<void> {
    await this.connectNew();
    this.rescan = setInterval(() => void this.connectNew(), RESCAN_MS);
    this.rescan.unref();
  }

  async stop(): Promise<void> {
    if (this.rescan) clearInterval(this.rescan);
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }

  private async connectNew(): Promise<void> {
    for (const bot of this.deps.bots.customerBots()) {
      let token: string;
      try {
        token = this.deps.tokenOf(bot);
      } catch (err) {
        this.deps.logger.error({ tenant: bot.slug, err }, 'customer bot token cannot be decrypted; check BOTCTL_SECRET_KEY');
        continue;
      }
      if (this.started.get(bot.channelAccountId) === token) continue;
      this.started.set(bot.channelAccountId, token);
      const api = this.deps.channel.api(token);
      try {
        if (this.deps.publicUrl) {
          const url = `${this.deps.publicUrl.replace(/\/+$/, '')}/webhooks/telegram/${encodeURIComponent(bot.slug)}`;
          await api.setWebhook(url, { secret_token: customerWebhookSecret(token), allowed_updates: [...ALLOWED_UPDATES] });
          this.deps.logger.info({ tenant: bot.slug }, 'customer bot: webhook set');
        } else {
          await api.deleteWebhook();
          this.loops.push(this.poll(bot, token));
          this.deps.logger.info({ tenant: bot.slug }, 'customer bot: long polling (no BOTCTL_PUBLIC_URL)');
        }
      } catch (err) {
        this.started.delete(bot.channelAccountId); // tried again at the next rescan
        this.deps.logger.error({ tenant: bot.slug, err: String(err) }, 'customer bot could not be connected; botctl doctor checks its token');
      }
    }
  }

  private async poll(bot: CustomerBotRow, token: string): Promise<void> {
    const api = this.deps.channel.api(token);
    const signal = this.abort.signal as unknown as Parameters<typeof api.getMe>[0];
    let offset: number | undefined;
    let failures = 0;
    while (!this.abort.signal.aborted && this.started.get(bot.channelAccountId) === token) {
      try {
        const updates = await api.getUpdates({ ...(offset !== undefined ? { offset } : {}), timeout: POLL_TIMEOUT_S, allowed_updates: [...ALLOWED_UPDATES] }, signal);
        for (const update of updates) {
          await this.deps.intake.accept(bot, update);
          offset = update.update_id + 1; // confirmed with the next call, after the commit
        }
        failures = 0;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        failures++;
        this.deps.logger.warn({ tenant: bot.slug, err: String(err), failures }, 'customer bot polling failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 500 * 2 ** Math.min(failures, 6))));
      }
    }
  }
}
