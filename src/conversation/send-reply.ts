import { ChannelApiError } from '../channels/errors.js';
import type { ChannelCredentials, ChannelSender, OutboundMessage } from '../channels/types.js';
import { PermanentJobError } from '../jobs/errors.js';
import type { Job } from '../jobs/types.js';
import type { CredentialsPort, MediaSourcePort, OutboundStore, OutboundToSend, Tracer } from './ports.js';

/**
 * The send job: delivers one stored outbound message to the customer's channel. At-least-once: a crash between
 * the provider accepting the message and our commit sends it again on retry (the one-round-trip window).
 * Errors the provider will never accept (outside the 24-hour window, undeliverable) are recorded on the message
 * for the managers and end the job; a broken token flags the tenant and makes the job dead (an alert).
 */
export class SendReply {
  constructor(
    private readonly deps: {
      outbound: OutboundStore; credentials: CredentialsPort; channel: ChannelSender; tracer: Tracer; clock: () => number;
      /** Called after the message's delivery state changed (sent or failed). */
      onOutcome?: (message: { id: number; authorKind: string }) => void;
      /** Where files managers send come from (Telegram); without it only text is sent. */
      media?: MediaSourcePort;
    },
  ) {}

  /** The channel message: text, or a file uploaded first (a manager's photo or document with its caption). */
  private async outboundOf(message: OutboundToSend, credentials: ChannelCredentials, signal: AbortSignal): Promise<OutboundMessage> {
    if (message.type === 'template' && message.template) {
      // An approved template (outside the 24-hour window): its body parameters, in order.
      const { name, language, params } = message.template;
      const components = params.length > 0 ? [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }] : [];
      return { type: 'template', to: message.to, name, language, ...(components.length ? { components } : {}) };
    }
    if (message.type === 'text' || message.type === 'template' || !message.media) return { type: 'text', to: message.to, text: message.body };
    if (!this.deps.media) throw new PermanentJobError('this worker cannot fetch outbound files', 'configure TELEGRAM_BOT_TOKEN so files from managers can be fetched');
    const file = await this.deps.media.fetch(message.media, signal);
    const mediaId = await this.deps.channel.uploadMedia(credentials, file, signal);
    const caption = message.body.trim() ? { caption: message.body.slice(0, 1024) } : {};
    return message.type === 'image'
      ? { type: 'image', to: message.to, mediaId, ...caption }
      : { type: 'document', to: message.to, mediaId, filename: file.filename, ...caption };
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
      const credentials = this.deps.credentials.forTenant(message.tenantId);
      const sent = await this.deps.channel.send(credentials, await this.outboundOf(message, credentials, signal), signal);
      this.deps.outbound.markSent(messageId, sent.providerMessageId, clock());
      this.deps.onOutcome?.({ id: messageId, authorKind: message.authorKind });
      trace('reply.sent', 'ok', { wamid: sent.providerMessageId, attempt: job.attempts });
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
