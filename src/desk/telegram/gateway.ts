import type { Api } from 'grammy';
import { JOB } from '../../conversation/job-kinds.js';
import type { JobEnqueuer } from '../../conversation/ports.js';
import { PermanentJobError, RateLimitedJobError, TransientJobError } from '../../jobs/errors.js';
import type { Logger } from '../../observability/logger.js';
import type { DeskHandover, DeskStore, DeskTenant } from '../../storage/desk-store.js';
import { escapeHtml } from '../desk-texts.js';
import { classifyTelegramError } from './failures.js';

const FORBIDDEN_RETRY_MS = 5 * 60_000;

/**
 * Every Bot API call the desk's jobs make goes through here, so each failure is handled one way everywhere:
 * an upgraded group is followed to its new id and retried; a bot removed or refused (403) flags the tenant and
 * alerts on-call once, while its jobs keep retrying slowly (handovers keep waiting, nothing is dropped); 429 and
 * outages become transient job errors; "message is not modified" is success.
 */
export class DeskGateway {
  constructor(
    readonly api: Api,
    private readonly store: DeskStore,
    private readonly queue: JobEnqueuer,
    private readonly oncallChatId: number | null,
    private readonly clock: () => number,
    private readonly logger: Logger,
  ) {}

  async call<T>(tenant: DeskTenant, fn: (chatId: number) => Promise<T>): Promise<T | null> {
    if (tenant.chatId === null) {
      throw new PermanentJobError(`tenant ${tenant.slug} has no managers chat`, `botctl tenant update ${tenant.slug} --telegram-chat-id <the group's id>, then botctl jobs retry`);
    }
    try {
      const result = await fn(tenant.chatId);
      if (tenant.telegramStatus !== 'ok' && this.store.setTelegramStatus(tenant.id, 'ok', null, this.clock())) {
        this.alert(`✅ <b>${escapeHtml(tenant.name)}</b> (${tenant.slug}): the managers chat works again.`);
      }
      return result;
    } catch (err) {
      const failure = classifyTelegramError(err);
      switch (failure.kind) {
        case 'not_modified':
          return null;
        case 'migrated':
          this.store.migrateChat(tenant.chatId, failure.newChatId, this.clock());
          this.logger.warn({ tenant: tenant.slug, from: tenant.chatId, to: failure.newChatId }, 'managers group became a supergroup; following it to its new id');
          throw new TransientJobError(`the managers group of ${tenant.slug} became a supergroup (${failure.newChatId}); retrying there`, 1);
        case 'forbidden':
          this.flag(tenant, 'forbidden', failure.description);
          throw new TransientJobError(`Telegram refused the managers chat of ${tenant.slug}: ${failure.description}`, FORBIDDEN_RETRY_MS);
        case 'rate_limited':
          // The chat's budget (src/desk/telegram/budgets.ts) waits out retry_after, for every job bound there.
          throw new RateLimitedJobError(`Telegram rate limit: ${failure.description}`, failure.retryAfterMs);
        case 'transient':
          throw new TransientJobError(failure.description);
        case 'bad_request':
          throw new PermanentJobError(`Telegram rejected a desk message: ${failure.description}`, 'this is a botctl bug; report it with botctl jobs show <id>');
      }
    }
  }

  /** The bot was removed from a tenant's group, or may not write there: flag, alert on-call once. */
  flag(tenant: DeskTenant, status: 'removed' | 'forbidden', detail: string): void {
    if (!this.store.setTelegramStatus(tenant.id, status, detail, this.clock())) return;
    this.logger.error({ tenant: tenant.slug, status, detail }, 'the bot cannot write to the managers chat; handovers wait until it can');
    this.alert(`🚨 <b>${escapeHtml(tenant.name)}</b> (${tenant.slug}): the bot ${status === 'removed' ? 'was removed from' : 'cannot write to'} the managers chat ${tenant.chatId} (${escapeHtml(detail)}). Requests are waiting. Fix: add the bot back to the group as an admin, or set the right group with botctl tenant update ${tenant.slug} --telegram-chat-id …`);
  }

  alert(html: string): void {
    if (this.oncallChatId === null) {
      this.logger.error({ alert: html }, 'on-call alert not sent: BOTCTL_ONCALL_CHAT_ID is not set');
      return;
    }
    this.queue.enqueue({ kind: JOB.deskNotify, payload: { chatId: this.oncallChatId, html } });
  }

  /** Where a message about a handover goes: its forum topic, or as a reply to its card in a plain group. */
  static placement(h: Pick<DeskHandover, 'threadId' | 'cardMessageId'>): Record<string, unknown> {
    if (h.threadId !== null) return { message_thread_id: h.threadId };
    return h.cardMessageId !== null ? { reply_parameters: { message_id: h.cardMessageId, allow_sending_without_reply: true } } : {};
  }
}
