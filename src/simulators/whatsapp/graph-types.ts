/* The WhatsApp Graph simulator's public shape: what a test sees of it, and the failure scripts it takes. */
import type { RateBreaches, RateLimits } from './rate-breaches.js';

/** One call as the simulator understood it; scripted failures and hangs match on it. */
export interface SimRequest {
  method: string;
  path: string;
  kind: 'send' | 'read' | 'upload' | 'media' | 'media-download' | 'phone-number' | 'unknown';
  /** The phone number id in the path (sends, reads, phone-number lookups), else null. */
  phoneNumberId: string | null;
  mediaId: string | null;
  token: string | null;
  body: unknown;
}

export interface RecordedSend {
  phoneNumberId: string;
  token: string;
  body: Record<string, unknown>;
  wamid: string;
  at: number;
}

export interface RecordedUpload {
  phoneNumberId: string;
  mediaId: string;
  mimeType: string;
  filename: string;
  bytes: Buffer;
}

export interface RecordedRead {
  phoneNumberId: string;
  token: string;
  messageId: string;
  typing: boolean;
  at: number;
}

export interface FailureScript {
  /** How many matching calls fail (default 1; Infinity for "from now on"). */
  count?: number;
  /** HTTP status (default: Meta's status for `code`). */
  status?: number;
  /** Graph error code (default: derived from `status`, e.g. 500 → 131000). */
  code?: number;
  message?: string;
  details?: string;
  retryAfterSeconds?: number;
  /** Answer this raw text instead of Graph's envelope (a proxy's error page, broken JSON). */
  body?: string;
  match?: (req: SimRequest) => boolean;
}

export interface WhatsappGraphSimulator {
  /** Graph root with version, e.g. `http://127.0.0.1:40123/v21.0`: give it to GraphClient as baseUrl. */
  readonly url: string;
  readonly port: number;
  /** Accepted messages in arrival order (failed calls are not here; see `requests`). */
  readonly sends: readonly RecordedSend[];
  readonly reads: readonly RecordedRead[];
  /** Media uploaded for sending (a manager's photo or document), in order. */
  readonly uploads: readonly RecordedUpload[];
  /** Every call that reached the simulator, answered or not. */
  readonly requests: readonly SimRequest[];
  /** From now on only `token` is valid for this number (unset numbers accept any bearer token). */
  setToken(phoneNumberId: string, token: string): void;
  setPhoneNumber(phoneNumberId: string, info: { displayPhoneNumber?: string; verifiedName?: string; qualityRating?: string }): void;
  /** Stores media and returns its id; with `phoneNumberId`, fetching it needs that number's token. */
  addMedia(bytes: Uint8Array | string, mimeType: string, options?: { phoneNumberId?: string; mediaId?: string }): string;
  failNext(script?: FailureScript): void;
  /** The next matching calls get no answer at all, until the client gives up, `reset()` or `close()`. */
  hangNext(options?: { count?: number; match?: (req: SimRequest) => boolean }): void;
  /** Delays every answer by `ms` (0 to stop). */
  delayAll(ms: number): void;
  /** Sends other than templates to `waId` fail with 131047, as outside the 24-hour window. */
  closeWindow(waId: string): void;
  openWindow(waId: string): void;
  /** Accepted sends to one customer, in order. */
  messagesTo(waId: string): RecordedSend[];
  rateBreaches(limits?: RateLimits): RateBreaches;
  /** Sends refused with 130429 / 131056 under the enforced limits (startWhatsappGraphSimulator's enforceLimits). */
  readonly refusedSends: number;
  /** Forgets everything above (sends, tokens, media, scripts) and drops hanging calls. */
  reset(): void;
  close(): Promise<void>;
}
