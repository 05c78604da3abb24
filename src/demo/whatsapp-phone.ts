import { inboundNotification, newWamid, statusNotification, textMessage, type WhatsappGraphSimulator } from '../simulators/whatsapp/index.js';
import { InFlight, type ChatMessageView, type ChatView, type CustomerChat, type WrittenMessage } from './customer-chat.js';
import { postMetaWebhook, webhookError } from './post-meta-webhook.js';

/** One message the customer wrote, and how far it got. */
interface Written {
  wamid: string;
  text: string;
  at: number;
  /** HTTP status of the webhook delivery, null while it is in flight or when the worker could not be reached. */
  httpStatus: number | null;
  error: string | null;
}

export interface WhatsappPhoneOptions {
  graph: WhatsappGraphSimulator;
  /** The worker's own webhook address: `http://127.0.0.1:<port>/webhooks/whatsapp`. */
  webhookUrl: () => string;
  appSecret: string;
  business: { name: string; phoneNumberId: string; displayPhone: string };
  customer: { waId: string; name: string };
  /** How long after the Graph API accepted a send the phone reports it delivered. */
  deliveredAfterMs?: number;
}

/** What a business message looks like to the customer's phone. */
type BusinessStatus = 'sent' | 'delivered' | 'read';

/**
 * The customer's WhatsApp app in the demo, doing what Meta does for it: each message it writes becomes a signed
 * webhook POSTed to the worker's real `/webhooks/whatsapp` route (Meta's byte encoding, X-Hub-Signature-256),
 * and each message the business sent (recorded by the Graph simulator) is reported back as `delivered` and, once
 * the customer looked at the chat, `read`, by the same signed path. So the console exercises intake, signature
 * checks and delivery statuses exactly as production does.
 */
export class WhatsappPhone implements CustomerChat {
  readonly channel = 'whatsapp' as const;
  readonly maxText = 4096;
  private readonly written: Written[] = [];
  private readonly statuses = new Map<string, BusinessStatus>();
  private readonly inFlight = new InFlight();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: WhatsappPhoneOptions) {}

  /** Starts reporting `delivered` for business messages as the Graph simulator accepts them. */
  start(pollMs = 200): void {
    this.timer = setInterval(() => this.deliverDue(), pollMs);
    this.timer.unref();
  }

  /** Stops reporting and waits for deliveries already on their way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight.settle();
  }

  /** Writes `text` as the customer: a signed webhook to the worker. Resolves once the worker answered. */
  async write(text: string): Promise<WrittenMessage> {
    const { customer, business } = this.options;
    const message: Written = { wamid: newWamid(), text, at: Date.now(), httpStatus: null, error: null };
    this.written.push(message);
    const body = inboundNotification({
      phoneNumberId: business.phoneNumberId, displayPhone: business.displayPhone, contacts: [{ waId: customer.waId, name: customer.name }],
      messages: [textMessage({ from: customer.waId, id: message.wamid, body: text })],
    });
    try {
      message.httpStatus = await this.inFlight.track(this.post(body));
      if (message.httpStatus !== 200) message.error = `the worker answered HTTP ${message.httpStatus}`;
    } catch (err) {
      message.error = webhookError(err);
    }
    return { id: message.wamid, httpStatus: message.httpStatus, error: message.error };
  }

  /** The customer opened the chat: every delivered business message is reported read. Returns how many. */
  async readAll(): Promise<number> {
    const due = this.businessMessages().filter((s) => this.statuses.get(s.wamid) === 'delivered');
    for (const send of due) this.statuses.set(send.wamid, 'read');
    if (due.length > 0) await this.inFlight.track(this.report(due.map((s) => s.wamid), 'read'));
    return due.length;
  }

  view(): ChatView {
    const { business, customer } = this.options;
    const reads = new Set(this.options.graph.reads.map((r) => r.messageId));
    const mine: ChatMessageView[] = this.written.map((m) => ({
      id: m.wamid, from: 'customer', text: m.text, at: m.at, error: m.error,
      // `read`: the business's worker marked it read through the Graph API.
      status: m.error ? 'failed' : m.httpStatus === null ? 'pending' : reads.has(m.wamid) ? 'read' : 'delivered',
    }));
    const theirs: ChatMessageView[] = this.businessMessages().map((s) => ({
      id: s.wamid, from: 'business', text: bodyText(s.body), at: s.at, error: null, status: this.statuses.get(s.wamid) ?? 'sent',
    }));
    return {
      channel: this.channel,
      business: { name: business.name, address: business.displayPhone },
      customer: { name: customer.name, address: `+${customer.waId}` },
      messages: [...mine, ...theirs].sort((a, b) => a.at - b.at),
    };
  }

  /** Business messages to this customer as the Graph simulator recorded them, oldest first. */
  private businessMessages(): { wamid: string; at: number; body: Record<string, unknown> }[] {
    return this.options.graph.messagesTo(this.options.customer.waId).filter((s) => s.phoneNumberId === this.options.business.phoneNumberId);
  }

  private deliverDue(): void {
    const after = this.options.deliveredAfterMs ?? 600;
    // Not at once: the worker stores the wamid only after the Graph API answered, and a status for a wamid it does
    // not know yet would be dropped (Meta's statuses also come a moment later).
    const due = this.businessMessages().filter((s) => !this.statuses.has(s.wamid) && Date.now() - s.at >= after);
    if (due.length === 0) return;
    for (const send of due) this.statuses.set(send.wamid, 'delivered');
    // Not accepted (worker busy or stopping): forget them, so the next tick reports them again, as Meta retries.
    const retry = () => due.forEach((send) => this.statuses.delete(send.wamid));
    void this.inFlight.track(this.report(due.map((s) => s.wamid), 'delivered')).then((status) => status === 200 || retry(), retry);
  }

  private async report(wamids: string[], status: 'delivered' | 'read'): Promise<number> {
    const { business, customer } = this.options;
    return this.post(statusNotification({ phoneNumberId: business.phoneNumberId, displayPhone: business.displayPhone, statuses: wamids.map((id) => ({ id, status, recipientId: customer.waId })) }));
  }

  private post(body: unknown): Promise<number> {
    return postMetaWebhook(this.options.webhookUrl(), body, this.options.appSecret);
  }
}

/** The text a customer sees for a Graph API message body (text, or a caption, or the kind of message). */
function bodyText(body: Record<string, unknown>): string {
  const type = String(body.type ?? 'text');
  const part = body[type] as { body?: unknown; caption?: unknown } | undefined;
  if (type === 'text' && typeof part?.body === 'string') return part.body;
  if (typeof part?.caption === 'string') return part.caption;
  const interactive = (part as { body?: { text?: unknown } } | undefined)?.body?.text;
  return typeof interactive === 'string' ? interactive : `[${type}]`;
}
