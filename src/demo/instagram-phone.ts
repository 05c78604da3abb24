import { igDelivery, igEvent, igText, newMid, type InstagramGraphSimulator, type InstagramSend } from '../simulators/instagram/index.js';
import { InFlight, type ChatMessageView, type ChatView, type CustomerChat, type WrittenMessage } from './customer-chat.js';
import { postMetaWebhook, webhookError } from './post-meta-webhook.js';

export interface InstagramPhoneOptions {
  instagram: InstagramGraphSimulator;
  /** The worker's own webhook address: `http://127.0.0.1:<port>/webhooks/instagram`. */
  webhookUrl: () => string;
  /** The secret Meta signs Instagram webhooks with (the cell's INSTAGRAM_APP_SECRET, by default WHATSAPP_APP_SECRET). */
  appSecret: string;
  business: { name: string; accountId: string; username: string };
  customer: { igsid: string; name: string };
}

interface Written {
  mid: string;
  text: string;
  at: number;
  httpStatus: number | null;
  error: string | null;
}

/**
 * The customer's Instagram app in the demo, doing what Meta does for it: each message it writes opens Instagram's
 * reply window at the Graph simulator (as a real message would) and becomes a signed `object: instagram` webhook
 * POSTed to the worker's real `/webhooks/instagram` route. The chat shows what the business sent this customer
 * through the Instagram Graph simulator, whatever sent it (the bot, or a manager from the desk).
 */
export class InstagramPhone implements CustomerChat {
  readonly channel = 'instagram' as const;
  /** Instagram refuses a text of more than 1,000 characters. */
  readonly maxText = 1000;
  private readonly written: Written[] = [];
  private readonly inFlight = new InFlight();

  constructor(private readonly options: InstagramPhoneOptions) {}

  async write(text: string): Promise<WrittenMessage> {
    const { instagram, business, customer } = this.options;
    const message: Written = { mid: newMid(), text, at: Date.now(), httpStatus: null, error: null };
    this.written.push(message);
    instagram.customerWrote(business.accountId, customer.igsid, message.at);
    const body = igDelivery(business.accountId, [igEvent(business.accountId, customer.igsid, igText(text, message.mid), message.at)]);
    try {
      message.httpStatus = await this.inFlight.track(postMetaWebhook(this.options.webhookUrl(), body, this.options.appSecret));
      if (message.httpStatus !== 200) message.error = `the worker answered HTTP ${message.httpStatus}`;
    } catch (err) {
      message.error = webhookError(err);
    }
    return { id: message.mid, httpStatus: message.httpStatus, error: message.error };
  }

  /** Instagram's seen receipts are not used by the cell (its adapter skips marking seen): nothing to report. */
  async readAll(): Promise<number> {
    return 0;
  }

  view(): ChatView {
    const { instagram, business, customer } = this.options;
    const mine: ChatMessageView[] = this.written.map((m) => ({
      id: m.mid, from: 'customer', text: m.text, at: m.at, error: m.error,
      status: m.error ? 'failed' : m.httpStatus === null ? 'pending' : 'delivered',
    }));
    const theirs: ChatMessageView[] = instagram.sendsTo(customer.igsid).filter((s) => s.accountId === business.accountId).map((s) => ({
      id: s.mid, from: 'business', text: sendText(s), at: s.at, error: null, status: 'sent',
    }));
    return {
      channel: this.channel,
      business: { name: business.name, address: `@${business.username}` },
      customer: { name: customer.name, address: customer.igsid },
      messages: [...mine, ...theirs].sort((a, b) => a.at - b.at),
    };
  }

  async stop(): Promise<void> {
    await this.inFlight.settle();
  }
}

/** The text a customer sees for an Instagram send: its text, or the kind of attachment. */
function sendText(send: InstagramSend): string {
  const message = send.body.message as { text?: unknown; attachment?: { type?: unknown } } | undefined;
  if (typeof message?.text === 'string') return message.text;
  return `[${String(message?.attachment?.type ?? 'message')}]`;
}
