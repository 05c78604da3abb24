import { encodeLikeMeta, inboundNotification, newWamid, signWebhook, statusNotification, textMessage, type WhatsappGraphSimulator } from '../simulators/whatsapp/index.js';

/** One message the customer wrote, and how far it got. */
export interface CustomerMessage {
  wamid: string;
  text: string;
  at: number;
  /** HTTP status of the webhook delivery, null while it is in flight or when the worker could not be reached. */
  httpStatus: number | null;
  error: string | null;
}

export interface CustomerPhoneOptions {
  graph: WhatsappGraphSimulator;
  /** The worker's own webhook address: `http://127.0.0.1:<port>/webhooks/whatsapp`. */
  webhookUrl: () => string;
  appSecret: string;
  phoneNumberId: string;
  displayPhone: string;
  customer: { waId: string; name: string };
  /** How long after the Graph API accepted a send the phone reports it delivered. */
  deliveredAfterMs?: number;
}

/** What a business message looks like to the customer's phone. */
export type BusinessStatus = 'sent' | 'delivered' | 'read';

/**
 * The customer's WhatsApp app in the demo, doing what Meta does for it: each message it writes becomes a signed
 * webhook POSTed to the worker's real `/webhooks/whatsapp` route (Meta's byte encoding, X-Hub-Signature-256),
 * and each message the business sent (recorded by the Graph simulator) is reported back as `delivered` and, once
 * the customer looked at the chat, `read`, by the same signed path. So the console exercises intake, signature
 * checks and delivery statuses exactly as production does.
 */
export class CustomerPhone {
  readonly written: CustomerMessage[] = [];
  private readonly statuses = new Map<string, BusinessStatus>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: CustomerPhoneOptions) {}

  /** Starts reporting `delivered` for business messages as the Graph simulator accepts them. */
  start(pollMs = 200): void {
    this.timer = setInterval(() => this.deliverDue(), pollMs);
    this.timer.unref();
  }

  /** Stops reporting and waits for deliveries already on their way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Writes `text` as the customer: a signed webhook to the worker. Resolves once the worker answered. */
  async write(text: string): Promise<CustomerMessage> {
    const { customer, phoneNumberId, displayPhone } = this.options;
    const message: CustomerMessage = { wamid: newWamid(), text, at: Date.now(), httpStatus: null, error: null };
    this.written.push(message);
    const body = inboundNotification({
      phoneNumberId, displayPhone, contacts: [{ waId: customer.waId, name: customer.name }],
      messages: [textMessage({ from: customer.waId, id: message.wamid, body: text })],
    });
    try {
      message.httpStatus = await this.track(this.post(body));
      if (message.httpStatus !== 200) message.error = `the worker answered HTTP ${message.httpStatus}`;
    } catch (err) {
      message.error = `the worker could not be reached: ${err instanceof Error ? err.message : String(err)}`;
    }
    return message;
  }

  /** The customer opened the chat: every delivered business message is reported read. Returns how many. */
  async readAll(): Promise<number> {
    const due = this.businessMessages().filter((s) => this.statuses.get(s.wamid) === 'delivered');
    for (const send of due) this.statuses.set(send.wamid, 'read');
    if (due.length > 0) await this.track(this.report(due.map((s) => s.wamid), 'read'));
    return due.length;
  }

  /** Business messages to this customer as the Graph simulator recorded them, oldest first. */
  businessMessages(): { wamid: string; at: number; body: Record<string, unknown> }[] {
    return this.options.graph.messagesTo(this.options.customer.waId).filter((s) => s.phoneNumberId === this.options.phoneNumberId);
  }

  statusOf(wamid: string): BusinessStatus {
    return this.statuses.get(wamid) ?? 'sent';
  }

  /** Whether the business's worker has read a message the customer wrote (it marks messages read via the Graph API). */
  isRead(wamid: string): boolean {
    return this.options.graph.reads.some((r) => r.messageId === wamid);
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
    void this.track(this.report(due.map((s) => s.wamid), 'delivered')).then((status) => status === 200 || retry(), retry);
  }

  private async report(wamids: string[], status: 'delivered' | 'read'): Promise<number> {
    const { phoneNumberId, displayPhone, customer } = this.options;
    return this.post(statusNotification({ phoneNumberId, displayPhone, statuses: wamids.map((id) => ({ id, status, recipientId: customer.waId })) }));
  }

  private async post(body: unknown): Promise<number> {
    const raw = encodeLikeMeta(body);
    const response = await fetch(this.options.webhookUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(raw, this.options.appSecret) },
      body: raw,
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    return response.status;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }
}
