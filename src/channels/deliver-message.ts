import { ChannelApiError } from './errors.js';
import type { ChannelCredentials, ChannelSender, OutboundMessage } from './types.js';
import { PermanentJobError } from '../jobs/errors.js';
import type { Job } from '../jobs/types.js';
import type { MediaSourcePort, OutboundStore, OutboundToSend, Tracer } from '../conversation/ports.js';

export type ChannelName = 'whatsapp' | 'instagram' | 'telegram';

/** A channel account's sending side: which channel it is, its adapter and its decrypted credentials. */
export interface OutboundRoute {
  channel: ChannelName;
  sender: ChannelSender;
  credentials: ChannelCredentials;
}

/** Finds the adapter of a channel account; throws PermanentJobError (with the fix) when the account cannot send. */
export interface OutboundRoutes {
  forAccount(channelAccountId: number): OutboundRoute;
}

/**
 * The `deliver_message` job: delivers one stored outbound message on the channel the customer wrote from, through
 * the adapter of the message's channel account (WhatsApp, Instagram, the tenant's Telegram bot). At-least-once: a crash between
 * the provider accepting the message and our commit sends it again on retry (the one-round-trip window).
 * Errors the provider will never accept (outside the channel's window, undeliverable, blocked) are recorded on the message
 * for the managers and end the job; a broken token flags the tenant and makes the job dead (an alert).
 */
export class DeliverMessage {
  constructor(
    private readonly deps: {
      outbound: OutboundStore; routes: OutboundRoutes; tracer: Tracer; clock: () => number;
      /** Called after the message's delivery state changed (sent or failed). */
      onOutcome?: (message: { id: number; authorKind: string }) => void;
      /** Where files managers send come from (Telegram); without it only text is sent. */
      media?: MediaSourcePort;
    },
  ) {}

  /** The channel message: text, or a file uploaded first (a manager's photo or document with its caption). */
  private async outboundOf(message: OutboundToSend, route: OutboundRoute, signal: AbortSignal): Promise<OutboundMessage> {
    const human = message.authorKind === 'manager' ? { humanAgent: true } : {};
    if (message.type === 'template' && message.template) {
      // An approved template (outside the 24-hour window): its body parameters, in order.
      const { name, language, params } = message.template;
      const components = params.length > 0 ? [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }] : [];
      return { type: 'template', to: message.to, name, language, ...(components.length ? { components } : {}) };
    }
    if (message.type === 'text' || message.type === 'template' || !message.media) return { type: 'text', to: message.to, text: message.body, ...human };
    if (!this.deps.media) throw new PermanentJobError('this worker cannot fetch outbound files', 'configure TELEGRAM_BOT_TOKEN so files from managers can be fetched');
    const file = await this.deps.media.fetch(message.media, signal);
    const mediaId = await route.sender.uploadMedia(route.credentials, file, signal);
    const caption = message.body.trim() ? { caption: message.body.slice(0, 1024) } : {};
    return message.type === 'image'
      ? { type: 'image', to: message.to, mediaId, ...caption, ...human }
      : { type: 'document', to: message.to, mediaId, filename: file.filename, ...caption, ...human };
  }

  async run(job: Job, signal: AbortSignal): Promise<void> {
    const messageId = Number(job.payload.messageId);
    const message = this.deps.outbound.load(messageId);
    if (!message || message.providerMessageId) return; // removed with its tenant, or already sent by an earlier attempt
    const { clock, tracer } = this.deps;
    const started = clock();
    const trace = (step: string, outcome: 'ok' | 'error', detail: Record<string, unknown>) =>
      tracer.record({ tenantId: message.tenantId, traceId: message.traceId, step, outcome, durationMs: clock() - started, messageId, jobId: job.id, detail });
    try {
      const route = this.deps.routes.forAccount(message.channelAccountId);
      const sent = await route.sender.send(route.credentials, await this.outboundOf(message, route, signal), signal);
      this.deps.outbound.markSent(messageId, sent.providerMessageId, clock());
      this.deps.onOutcome?.({ id: messageId, authorKind: message.authorKind });
      trace('reply.sent', 'ok', { channel: route.channel, wamid: sent.providerMessageId, attempt: job.attempts });
    } catch (err) {
      if (signal.aborted) throw err;
      const detail = err instanceof ChannelApiError ? { code: err.code, reason: err.reason, hint: err.hint } : { error: String(err) };
      trace('reply.failed', 'error', { ...detail, attempt: job.attempts, message: err instanceof Error ? err.message : String(err) });
      if (err instanceof ChannelApiError && (err.reason === 'window_closed' || err.reason === 'undeliverable')) {
        this.deps.outbound.markFailed(messageId, `${err.code ?? ''} ${err.hint}`.trim(), clock());
        this.deps.onOutcome?.({ id: messageId, authorKind: message.authorKind });
        return;
      }
      if (err instanceof ChannelApiError && err.reason === 'token_invalid') {
        this.deps.outbound.markTokenBroken(message.channelAccountId, err.message, clock());
        this.deps.outbound.markFailed(messageId, err.hint, clock());
        this.deps.onOutcome?.({ id: messageId, authorKind: message.authorKind });
        throw new PermanentJobError(err.message, err.hint);
      }
      const lastAttempt = job.attempts >= job.maxAttempts || (err as { retryable?: boolean }).retryable === false;
      if (lastAttempt) {
        this.deps.outbound.markFailed(messageId, err instanceof Error ? err.message : String(err), clock());
        this.deps.onOutcome?.({ id: messageId, authorKind: message.authorKind });
      }
      throw err;
    }
  }
}
