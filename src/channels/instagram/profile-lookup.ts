import type { Tracer } from '../../conversation/ports.js';
import { RateLimitedJobError } from '../../jobs/errors.js';
import type { JobContext } from '../../jobs/registry.js';
import type { RetryPolicy } from '../../jobs/retry-policy.js';
import type { Job } from '../../jobs/types.js';
import { ChannelApiError } from '../errors.js';
import type { ChannelCredentials } from '../types.js';

/**
 * Instagram webhooks name a customer by an Instagram-scoped id (IGSID) only. This job reads the customer's profile
 * (User Profile API, `GET /{IGSID}?fields=name,username`) so managers see `@username` on the card, and the name when
 * the contact has none. It runs in the background lane after the message is stored, never on the reply's path, and
 * never under the contact's concurrency key (a slow lookup cannot hold the answer back). docs/decisions/0037.
 */
export const INSTAGRAM_JOB = {
  /** { contactId, channelAccountId } (tenantId): read the customer's username and name. */
  fetchProfile: 'instagram.fetch_profile',
} as const;

/** When a lookup is due again: `refreshMs` after one that settled, `retryMs` after one that could not ask Instagram. */
export interface ProfileTiming {
  refreshMs: number;
  retryMs: number;
}

const DAY = 24 * 60 * 60_000;
export const PROFILE_TIMING: ProfileTiming = { refreshMs: 7 * DAY, retryMs: DAY };

/** Backoff for 5xx and network failures; rate limits wait on the budget instead and count no attempt. */
export const PROFILE_POLICY: Partial<RetryPolicy> = { maxAttempts: 6, baseDelayMs: 30_000, maxDelayMs: 30 * 60_000, timeoutMs: 30_000 };

/** `unavailable`: Instagram refused this customer's profile (consent, blocked, unknown id); the others are ours. */
export type ProfileOutcome = 'unavailable' | 'skipped' | 'failed';

export interface ProfileTarget {
  contactId: number;
  channelAccountId: number;
  igsid: string;
  hasToken: boolean;
  accountStatus: 'ok' | 'token_broken';
}

/** Storage of lookups (src/storage/contact-profile-store.ts); every call is scoped by tenant. */
export interface ProfileLookupStore {
  target(tenantId: number, contactId: number): ProfileTarget | null;
  recordFound(tenantId: number, contactId: number, profile: { username: string | null; name: string | null }, now: number): boolean;
  recordOutcome(tenantId: number, contactId: number, outcome: ProfileOutcome, error: string | null, now: number): void;
}

export interface ProfileLookupDeps {
  store: ProfileLookupStore;
  /** The decrypted token of the contact's own channel account (src/tenants/credentials.ts). */
  credentials: { forAccount(channelAccountId: number): ChannelCredentials & { channel: string } };
  instagram: { userProfile(credentials: ChannelCredentials, igsid: string, signal?: AbortSignal): Promise<{ username: string | null; name: string | null }> };
  tracer: Tracer;
  clock: () => number;
}

/**
 * Runs one lookup. A rate limit (429, codes 4/32/613) waits on the account's profile budget and is asked again; a
 * refusal of this customer's profile is recorded once and not asked again before the refresh period; a missing or
 * broken token skips it (the account's other jobs report the token); 5xx and network failures retry with backoff
 * and, at the last attempt, give up quietly: a handle is not worth an on-call alert.
 */
export async function lookupInstagramProfile(job: Job, deps: ProfileLookupDeps, ctx: JobContext): Promise<void> {
  const contactId = Number(job.payload.contactId);
  if (job.tenantId === null || !Number.isInteger(contactId)) return;
  const tenantId = job.tenantId;
  const target = deps.store.target(tenantId, contactId);
  if (!target) return; // not this tenant's Instagram contact, or gone: nothing to read
  const finish = (outcome: ProfileOutcome, error: string | null) => {
    deps.store.recordOutcome(tenantId, contactId, outcome, error, deps.clock());
    trace(job, deps, outcome === 'failed' ? 'error' : 'skipped', { outcome, ...(error ? { error } : {}) });
  };
  if (!target.hasToken || target.accountStatus !== 'ok') {
    finish('skipped', target.hasToken ? "the account's token is marked broken" : 'the account has no token');
    return;
  }
  const credentials = deps.credentials.forAccount(target.channelAccountId);
  if (credentials.channel !== 'instagram') return;
  let profile: { username: string | null; name: string | null };
  try {
    profile = await deps.instagram.userProfile({ externalId: credentials.externalId, accessToken: credentials.accessToken }, target.igsid, ctx.signal);
  } catch (err) {
    if (err instanceof ChannelApiError && err.reason === 'rate_limited') throw new RateLimitedJobError(err.message, err.retryAfterMs ?? 60_000, 'profile');
    if (err instanceof ChannelApiError && !err.retryable) {
      const outcome = err.reason === 'token_invalid' ? 'skipped' : 'unavailable';
      ctx.logger.info({ contact: contactId, code: err.code, outcome }, 'Instagram did not give the customer profile: recorded, not asked again before it is due');
      finish(outcome, err.message);
      return;
    }
    if (job.attempts < job.maxAttempts) throw err;
    ctx.logger.warn({ contact: contactId, err }, 'Instagram profile lookup failed on its last attempt: the card shows the IGSID until a later message asks again');
    finish('failed', err instanceof Error ? err.message : String(err));
    return;
  }
  const username = handleOf(profile.username);
  deps.store.recordFound(tenantId, contactId, { username, name: profile.name?.slice(0, 200) ?? null }, deps.clock());
  trace(job, deps, 'ok', { outcome: 'found', handle: username !== null });
}

/** An Instagram username as the card shows it after `@`: letters, digits, `.` and `_` (anything else is not one). */
export function handleOf(username: string | null): string | null {
  const handle = username?.trim().replace(/^@/, '') ?? '';
  return /^[A-Za-z0-9._]{1,64}$/.test(handle) ? handle : null;
}

function trace(job: Job, deps: ProfileLookupDeps, outcome: 'ok' | 'skipped' | 'error', detail: Record<string, unknown>): void {
  if (!job.traceId) return;
  deps.tracer.record({ tenantId: job.tenantId, traceId: job.traceId, step: 'contact.profile', jobId: job.id, outcome, detail: { channel: 'instagram', ...detail }, at: deps.clock() });
}
