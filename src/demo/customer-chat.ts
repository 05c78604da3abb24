/** The channels a visitor of the demo can write on as a customer, in the order the console offers them. */
export const CUSTOMER_CHANNELS = ['whatsapp', 'instagram', 'telegram'] as const;
export type CustomerChannel = (typeof CUSTOMER_CHANNELS)[number];

/**
 * How far a message got. The customer's: `pending` (on its way to the worker), `failed`, `delivered` (the worker
 * took it), `read` (the worker marked it read: WhatsApp only). The business's: `sent`, then on WhatsApp `delivered`
 * and `read` as the phone reports them (Instagram's and Telegram's bots get no receipts the cell uses).
 */
export type ChatMessageStatus = 'pending' | 'failed' | 'delivered' | 'sent' | 'read';

export interface ChatMessageView {
  id: string;
  from: 'customer' | 'business';
  text: string;
  at: number;
  status: ChatMessageStatus;
  error: string | null;
}

/** One customer's chat with the business on one channel, as the console draws it. */
export interface ChatView {
  channel: CustomerChannel;
  /** The business as this app shows it (`address`: its number or @username). */
  business: { name: string; address: string };
  /** Who the visitor writes as (`address`: the identity the channel gives the business). */
  customer: { name: string; address: string };
  messages: ChatMessageView[];
}

/** What became of one message the visitor wrote. */
export interface WrittenMessage {
  id: string;
  /** HTTP status of the webhook the worker answered; null for Telegram (the worker fetches the update) or when unreachable. */
  httpStatus: number | null;
  error: string | null;
}

/**
 * The customer's app on one channel: writes reach the worker on that channel's real wire format, and the chat
 * shows what that channel's simulator received from the business.
 */
export interface CustomerChat {
  readonly channel: CustomerChannel;
  /** The longest text the channel takes from a customer. */
  readonly maxText: number;
  write(text: string): Promise<WrittenMessage>;
  /** The customer looked at the chat: reports the business's delivered messages read, where the channel does. Returns how many. */
  readAll(): Promise<number>;
  view(): ChatView;
  /** Waits for what is still on its way to the worker. */
  stop(): Promise<void>;
}

/** Promises still running (webhooks on their way), so `stop` can wait for them. */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise)).catch(() => undefined);
    return promise;
  }

  async settle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
