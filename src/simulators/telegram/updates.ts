import type { Update, WebhookInfo } from 'grammy/types';
import { TelegramError } from './errors.js';
import { now } from './world.js';

// Without allowed_updates (or with []), Telegram sends every kind except these.
const EXCLUDED_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const POLL_CONFLICT = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
const WEBHOOK_CONFLICT = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

export interface WebhookConfig { url: string; secretToken?: string; maxConnections: number }

/** One attempt to POST an update to the webhook. */
export interface WebhookDelivery {
  updateId: number;
  url: string;
  /** The receiver's HTTP status; absent when the request itself failed. */
  status?: number;
  error?: string;
  at: Date;
}

/**
 * The bot's update queue with Telegram's delivery rules: an update stays until confirmed (a later
 * getUpdates with offset > its id, or a 2xx from the webhook); long polls wait up to `timeout`; a
 * newer getUpdates ends an older one with 409; getUpdates is refused while a webhook is set.
 */
export class UpdateQueue {
  readonly deliveries: WebhookDelivery[] = [];
  webhook: WebhookConfig | null = null;
  private pending: Update[] = [];
  private nextId = 500_000_001;
  private allowed: string[] | null = null;
  private wake = new Set<() => void>();
  private currentPoll: ((error: TelegramError) => void) | null = null;
  private delivering = false;
  private paused = false;
  private lastError: { date: number; message: string } | undefined;

  constructor(private readonly webhookRetryMs: number) {}

  /** Queues an update unless the bot's allowed_updates exclude its kind (Telegram never creates those). */
  push(fields: Omit<Update, 'update_id'>): Update | undefined {
    const kind = Object.keys(fields)[0]!;
    const allowed = this.allowed && this.allowed.length > 0 ? this.allowed.includes(kind) : !EXCLUDED_BY_DEFAULT.has(kind);
    if (!allowed) return undefined;
    const update = { update_id: this.nextId++, ...fields } as Update;
    this.pending.push(update);
    for (const wake of this.wake) wake();
    void this.deliver();
    return update;
  }

  /** Updates not yet confirmed. */
  unconfirmed(): Update[] {
    return [...this.pending];
  }

  async getUpdates(args: { offset?: number; limit?: number; timeout?: number; allowedUpdates?: string[] }, closed: AbortSignal): Promise<Update[]> {
    if (this.webhook) throw new TelegramError(409, WEBHOOK_CONFLICT);
    this.currentPoll?.(new TelegramError(409, POLL_CONFLICT));
    if (args.allowedUpdates !== undefined) this.allowed = args.allowedUpdates;
    if (args.offset !== undefined) this.confirm(args.offset);
    const limit = Math.min(100, Math.max(1, args.limit ?? 100));
    const timeoutMs = Math.max(0, args.timeout ?? 0) * 1000;
    if (this.pending.length === 0 && timeoutMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          this.wake.delete(done);
          closed.removeEventListener('abort', done);
          if (this.currentPoll === cancel) this.currentPoll = null;
        };
        const cancel = (error: TelegramError) => { done(); reject(error); };
        const finish = () => { done(); resolve(); };
        const timer = setTimeout(finish, timeoutMs);
        this.wake.add(finish);
        closed.addEventListener('abort', finish);
        this.currentPoll = cancel;
      });
    }
    if (this.webhook) throw new TelegramError(409, WEBHOOK_CONFLICT);
    return this.pending.slice(0, limit);
  }

  /** offset > 0 forgets every update below it; a negative offset keeps only the last |offset| updates. */
  private confirm(offset: number): void {
    if (offset > 0) this.pending = this.pending.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.pending = this.pending.slice(offset);
  }

  setWebhook(config: WebhookConfig, allowedUpdates: string[] | undefined, dropPending: boolean): void {
    this.webhook = config;
    if (allowedUpdates !== undefined) this.allowed = allowedUpdates;
    if (dropPending) this.pending = [];
    this.lastError = undefined;
    this.currentPoll?.(new TelegramError(409, WEBHOOK_CONFLICT));
    void this.deliver();
  }

  /** Returns whether a webhook was set. */
  deleteWebhook(dropPending: boolean): boolean {
    const had = this.webhook !== null;
    this.webhook = null;
    if (dropPending) this.pending = [];
    return had;
  }

  webhookInfo(): WebhookInfo {
    const info: WebhookInfo = { url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.pending.length };
    if (this.webhook) info.max_connections = this.webhook.maxConnections;
    if (this.lastError) Object.assign(info, { last_error_date: this.lastError.date, last_error_message: this.lastError.message });
    if (this.allowed) info.allowed_updates = this.allowed as NonNullable<WebhookInfo['allowed_updates']>;
    return info;
  }

  /** While offline, Telegram is down: nothing reaches the webhook, pending polls end. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) this.currentPoll?.(new TelegramError(502, 'Bad Gateway'));
    else void this.deliver();
  }

  /** Drops everything: queue, webhook, recorded deliveries (for `reset()`). */
  clear(): void {
    this.pending = [];
    this.webhook = null;
    this.allowed = null;
    this.deliveries.length = 0;
    this.lastError = undefined;
    this.currentPoll?.(new TelegramError(409, POLL_CONFLICT));
  }

  /** Posts pending updates to the webhook one at a time, in order; a failure is retried after a pause. */
  private async deliver(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.webhook && !this.paused && this.pending.length > 0) {
        const { url, secretToken } = this.webhook;
        const update = this.pending[0]!;
        const record: WebhookDelivery = { updateId: update.update_id, url, at: new Date() };
        this.deliveries.push(record);
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(secretToken ? { 'x-telegram-bot-api-secret-token': secretToken } : {}) },
            body: JSON.stringify(update),
            signal: AbortSignal.timeout(30_000),
          });
          record.status = res.status;
          await res.arrayBuffer().catch(() => undefined);
          if (res.ok) {
            if (this.pending[0] === update) this.pending.shift();
            continue;
          }
          this.lastError = { date: now(), message: `Wrong response from the webhook: ${res.status} ${res.statusText}` };
        } catch (err) {
          record.error = err instanceof Error ? err.message : String(err);
          this.lastError = { date: now(), message: `Connection refused` };
        }
        await new Promise((resolve) => setTimeout(resolve, this.webhookRetryMs).unref());
      }
    } finally {
      this.delivering = false;
    }
  }
}
