import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { INSTAGRAM_JOB, lookupInstagramProfile } from '../../../src/channels/instagram/profile-lookup.js';
import { InstagramChannel } from '../../../src/channels/instagram/instagram-channel.js';
import { parseInstagramWebhook } from '../../../src/channels/instagram/parse-webhook.js';
import { withProfileRequests } from '../../../src/channels/instagram/profile-requests.js';
import { instagramBudget } from '../../../src/channels/outbound-budget.js';
import { NO_INTEGRATION_EVENTS } from '../../../src/conversation/integration-events.js';
import { Intake } from '../../../src/conversation/intake.js';
import type { TraceEvent } from '../../../src/conversation/ports.js';
import type { DeskJobs } from '../../../src/desk/desk.js';
import { MemoryBudgetStore, RateBudgets } from '../../../src/jobs/budgets.js';
import { registerKinds } from '../../../src/jobs/kind-table.js';
import { Queue } from '../../../src/jobs/queue.js';
import { JobRegistry, type JobHandler } from '../../../src/jobs/registry.js';
import { JobRunner } from '../../../src/jobs/runner.js';
import { createLogger } from '../../../src/observability/logger.js';
import { SecretBox } from '../../../src/security/secret-box.js';
import { igDelivery, igEvent, igText, startInstagramGraphSimulator, type InstagramGraphSimulator } from '../../../src/simulators/instagram/index.js';
import { SqlContactProfileStore } from '../../../src/storage/contact-profile-store.js';
import { SqlIntakeStore } from '../../../src/storage/intake-store.js';
import { SqlForgetStore } from '../../../src/storage/sales-forget-store.js';
import { JobStore } from '../../../src/storage/job-store.js';
import type { Db } from '../../../src/storage/open-db.js';
import { ChannelAccountCredentials } from '../../../src/tenants/credentials.js';
import { SECRET_CONTEXT } from '../../../src/tenants/tenant-service.js';
import { jobTable } from '../../../src/worker/job-table.js';
import { DEFAULT_PIPELINE_OPTIONS } from '../../../src/worker/pipeline.js';
import { insertTenant, migratedDb } from '../../helpers/migrated-db.js';

const DAY = 24 * 60 * 60_000;
const SMILE = { slug: 'smile', ig: '17841400000000031', token: 'IGAA-smile-profile-token-0123456789' };
const BOLT = { slug: 'bolt', ig: '17841400000000032', token: 'IGAA-bolt-profile-token-9876543210' };
const BARE: { slug: string; ig: string; token?: string } = { slug: 'bare', ig: '17841400000000033' };

let now = Date.UTC(2026, 4, 4, 9, 0);
const clock = () => now;
let ig: InstagramGraphSimulator;
let db: Db;
let runner: JobRunner;
let intake: Intake;
let intakeStore: SqlIntakeStore;
let budgets: RateBudgets;
const traces: TraceEvent[] = [];
const accountIds: Record<string, number> = {};
let igsid = 0;
const nextIgsid = () => `17841450000${String(++igsid).padStart(5, '0')}`;

beforeAll(async () => {
  ig = await startInstagramGraphSimulator({ clock });
  ({ db } = migratedDb());
  const secrets = new SecretBox(randomBytes(32));
  for (const t of [SMILE, BOLT, BARE]) {
    const tenantId = insertTenant(db, t.slug, now);
    const sealed = t.token !== undefined ? secrets.seal(t.token, SECRET_CONTEXT.instagramToken(t.slug)) : null;
    accountIds[t.slug] = Number(db.prepare("INSERT INTO channel_accounts (tenant_id, channel, external_id, access_token_enc, created_at, updated_at) VALUES (?, 'instagram', ?, ?, ?, ?)")
      .run(tenantId, t.ig, sealed, now, now).lastInsertRowid);
    if (t.token !== undefined) ig.setAccount(t.ig, t.token);
  }
  const jobs = new JobStore(db);
  const registry = new JobRegistry();
  const profiles = new SqlContactProfileStore(db);
  const handler: JobHandler = (job, ctx) => lookupInstagramProfile(job, {
    store: profiles, credentials: new ChannelAccountCredentials(db, secrets), instagram: new InstagramChannel({ baseUrl: ig.url, timeoutMs: 3000 }),
    tracer: { record: (e) => void traces.push(e) }, clock,
  }, ctx);
  // The worker's own row for the kind (lane, retry policy, budget), with the real handler; nothing else is run.
  registerKinds(registry, jobTable(tableDeps(handler)).filter((row) => row.kind === INSTAGRAM_JOB.fetchProfile));
  const queue = new Queue(jobs, registry, clock);
  budgets = new RateBudgets(new MemoryBudgetStore());
  runner = new JobRunner(jobs, registry, createLogger({ level: 'silent' }), { concurrency: 4, leaseMs: 30_000, pollMs: 10, clock, budgets });
  queue.onEnqueue(() => runner.wake());
  runner.start();
  intakeStore = new SqlIntakeStore(db, secrets);
  intake = new Intake(intakeStore, queue, { record: () => undefined }, 0, clock, undefined, withProfileRequests(NO_INTEGRATION_EVENTS, { store: profiles, queue, clock }));
});
afterAll(async () => {
  await runner?.stop(2000);
  db?.close();
  await ig?.close();
});

function tableDeps(instagramProfile: JobHandler) {
  const noop: JobHandler = async () => {};
  const desk: DeskJobs = { postCard: noop, updateCard: noop, relay: noop, remind: noop, closeTopic: noop, delivery: noop, notify: noop, digest: noop, bookingCard: noop, budget: () => [] };
  return {
    pipeline: { handleInbound: noop, deliverMessage: noop, deliveryBudget: () => [], summarizeMemory: noop, customerReminder: noop, forgetContact: noop, instagramProfile },
    pipelineOptions: DEFAULT_PIPELINE_OPTIONS, desk, knowledge: { embed: noop }, integrations: { webhookDeliver: noop, crmSync: noop, prune: noop },
    dashboard: { digest: noop, prune: noop }, learning: { draft: noop, propose: noop, telegram: null }, maintenance: { pruneJobs: noop },
  };
}

/** The customer writes to `account`: Instagram records their consent, and the webhook's message goes through the real intake. */
async function writes(account: { ig: string }, from: string, text = 'Здравствуйте'): Promise<void> {
  ig.customerWrote(account.ig, from);
  const [batch] = parseInstagramWebhook(igDelivery(account.ig, [igEvent(account.ig, from, igText(text), now)]));
  await intake.accept([{ account: intakeStore.findAccount('instagram', account.ig)!, batch: batch! }]);
}

/** Waits until no lookup is running or due now. */
async function settle(): Promise<void> {
  const deadline = Date.now() + 10_000;
  runner.wake();
  for (;;) {
    const busy = db.prepare("SELECT count(*) AS n FROM jobs WHERE kind = ? AND (state = 'running' OR (state = 'pending' AND run_at <= ?))").get(INSTAGRAM_JOB.fetchProfile, now) as { n: number };
    if (busy.n === 0) return;
    if (Date.now() > deadline) throw new Error('the profile lookups did not settle');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const contact = (slug: string, from: string) => db.prepare(`SELECT c.id, c.handle, c.display_name AS name, json_extract(c.metadata, '$.profile.outcome') AS outcome
  FROM contacts c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = ? AND c.provider_id = ?`).get(slug, from) as { id: number; handle: string | null; name: string | null; outcome: string | null };
const lookupsOf = (from: string) => ig.profileLookups.filter((l) => l.igsid === from);
const lookupJobs = (contactId: number) => db.prepare('SELECT state, attempts, lane, concurrency_key AS concurrencyKey FROM jobs WHERE kind = ? AND json_extract(payload, \'$.contactId\') = ?')
  .all(INSTAGRAM_JOB.fetchProfile, contactId) as { state: string; attempts: number; lane: string; concurrencyKey: string | null }[];

describe('the Instagram profile lookup (intake → job table row → Instagram adapter → Graph simulator → contacts)', () => {
  test("a customer's first message brings their @username and name, in the background; later messages within a week ask nothing", async () => {
    const from = nextIgsid();
    ig.setProfile(SMILE.ig, from, { username: 'dana.k', name: 'Дана Касымова' });
    await writes(SMILE, from, 'Сколько стоит чистка?');
    const { id } = contact('smile', from);
    // Off the reply's path: the background lane, and not serialised behind (or ahead of) the contact's answer job.
    expect(lookupJobs(id)).toEqual([expect.objectContaining({ lane: 'background', concurrencyKey: null })]);
    await settle();
    expect(contact('smile', from)).toMatchObject({ handle: 'dana.k', name: 'Дана Касымова', outcome: 'found' });
    expect(lookupsOf(from)).toEqual([expect.objectContaining({ accountId: SMILE.ig, token: SMILE.token, fields: ['name', 'username'] })]);
    expect(traces.find((t) => t.step === 'contact.profile' && t.outcome === 'ok')).toBeTruthy();

    now += 6 * DAY;
    await writes(SMILE, from, 'А в субботу работаете?');
    await settle();
    expect(lookupsOf(from)).toHaveLength(1);

    // Older than a week: the next message refreshes the handle; a name the contact has is kept.
    ig.setProfile(SMILE.ig, from, { username: 'dana.kasymova', name: 'Dana K.' });
    now += 2 * DAY;
    await writes(SMILE, from, 'Запишите меня');
    await settle();
    expect(lookupsOf(from)).toHaveLength(2);
    expect(contact('smile', from)).toMatchObject({ handle: 'dana.kasymova', name: 'Дана Касымова' });
  });

  test("a 429 (code 613) waits on the account's profile budget, not the reply's pair budget, and succeeds when asked again", async () => {
    const from = nextIgsid();
    ig.setProfile(SMILE.ig, from, { username: 'aruzhan_b' });
    ig.failNext({ on: 'profile', status: 429, code: 613, message: 'Calls to this api have exceeded the rate limit.' });
    await writes(SMILE, from);
    await settle();
    const { id } = contact('smile', from);
    expect(lookupsOf(from)).toHaveLength(1);
    expect(contact('smile', from).handle).toBeNull();
    expect(lookupJobs(id)).toEqual([expect.objectContaining({ state: 'pending', attempts: 0 })]);
    // A reply to this customer could go now: the lookup's rate limit blocked only the lookups.
    expect(budgets.conformsAt(instagramBudget(accountIds.smile!, from)[0]!, now)).toBe(now);
    expect(budgets.conformsAt({ key: `ig:profile:${accountIds.smile}`, scope: 'profile', intervalMs: 18_500, burst: 5 }, now)).toBeGreaterThan(now);

    now += 61_000;
    await settle();
    expect(lookupsOf(from)).toHaveLength(2);
    expect(contact('smile', from)).toMatchObject({ handle: 'aruzhan_b', outcome: 'found' });
    expect(lookupJobs(id)).toEqual([expect.objectContaining({ state: 'done' })]);
  });

  test.each([
    ['an IGSID Instagram does not know for this account (code 100, subcode 33)', { profile: false, consent: true }],
    ['a customer whose consent Instagram has not recorded (code 230)', { profile: true, consent: false }],
  ])('a refusal of the profile is recorded once and not asked again: %s', async (_name, known) => {
    const from = nextIgsid();
    if (known.profile) ig.setProfile(SMILE.ig, from, { username: 'quiet.one' });
    if (known.consent) ig.customerWrote(SMILE.ig, from);
    const [batch] = parseInstagramWebhook(igDelivery(SMILE.ig, [igEvent(SMILE.ig, from, igText('Привет'), now)]));
    await intake.accept([{ account: intakeStore.findAccount('instagram', SMILE.ig)!, batch: batch! }]);
    await settle();
    const { id } = contact('smile', from);
    expect(lookupsOf(from)).toHaveLength(1);
    expect(contact('smile', from)).toMatchObject({ handle: null, outcome: 'unavailable' });
    expect(lookupJobs(id)).toEqual([expect.objectContaining({ state: 'done', attempts: 1 })]);
    for (const later of [0, DAY, 3 * DAY]) {
      now += later;
      await writes(SMILE, from, `Ещё вопрос ${later}`);
      await settle();
    }
    expect(lookupsOf(from)).toHaveLength(1);
    expect(lookupJobs(id)).toHaveLength(1);
  });

  test("tenant isolation: one IGSID writing to two accounts is looked up by each with its own token, and a job naming another tenant's contact reads nothing", async () => {
    const from = nextIgsid();
    ig.setProfile(SMILE.ig, from, { username: 'smile.side' });
    ig.setProfile(BOLT.ig, from, { username: 'bolt.side' });
    await writes(SMILE, from);
    await writes(BOLT, from);
    await settle();
    expect(contact('smile', from).handle).toBe('smile.side');
    expect(contact('bolt', from).handle).toBe('bolt.side');
    expect(lookupsOf(from).map((l) => [l.accountId, l.token]).sort()).toEqual([[SMILE.ig, SMILE.token], [BOLT.ig, BOLT.token]]);

    // A forged job: Bolt's tenant id with Smile's contact (and Smile's account in the payload).
    const smileContact = contact('smile', from).id;
    const before = ig.profileLookups.length;
    const boltTenant = (db.prepare("SELECT id FROM tenants WHERE slug = 'bolt'").get() as { id: number }).id;
    const logger = createLogger({ level: 'silent' });
    await lookupInstagramProfile({ id: 999, kind: INSTAGRAM_JOB.fetchProfile, tenantId: boltTenant, payload: { contactId: smileContact, channelAccountId: accountIds.smile }, attempts: 1, maxAttempts: 6, traceId: null } as never, {
      store: new SqlContactProfileStore(db), credentials: { forAccount: () => { throw new Error('no credentials may be read for another tenant\'s contact'); } },
      instagram: { userProfile: async () => { throw new Error('no call may be made'); } }, tracer: { record: () => undefined }, clock,
    }, { signal: new AbortController().signal, logger });
    expect(ig.profileLookups.length).toBe(before);
    expect(ig.profileLookups.every((l) => l.token === (l.accountId === SMILE.ig ? SMILE.token : BOLT.token))).toBe(true);
  });

  test('"forget me" removes the handle with the name, and a lookup that finishes after it writes nothing back', async () => {
    const from = nextIgsid();
    ig.setProfile(SMILE.ig, from, { username: 'forget.me', name: 'Айгуль' });
    await writes(SMILE, from);
    await settle();
    const { id } = contact('smile', from);
    expect(contact('smile', from)).toMatchObject({ handle: 'forget.me', name: 'Айгуль' });
    const tenantId = (db.prepare("SELECT id FROM tenants WHERE slug = 'smile'").get() as { id: number }).id;
    new SqlForgetStore(db).forget(tenantId, id, now);
    expect(contact('smile', from)).toMatchObject({ handle: null, name: null });
    expect(new SqlContactProfileStore(db).recordFound(tenantId, id, { username: 'forget.me', name: 'Айгуль' }, now)).toBe(false);
    expect(contact('smile', from)).toMatchObject({ handle: null, name: null });
  });

  test('an account without a token is skipped (nothing is called); a token Instagram refuses is skipped without writing it anywhere', async () => {
    const from = nextIgsid();
    ig.setProfile(BARE.ig, from, { username: 'no.token' });
    await writes(BARE, from);
    await settle();
    expect(lookupsOf(from)).toHaveLength(0);
    expect(contact('bare', from)).toMatchObject({ handle: null, outcome: 'skipped' });

    const other = nextIgsid();
    ig.setProfile(BOLT.ig, other, { username: 'refused.token' });
    ig.setAccount(BOLT.ig, 'IGAA-a-newer-token-the-tenant-lacks');
    try {
      await writes(BOLT, other);
      await settle();
    } finally {
      ig.setAccount(BOLT.ig, BOLT.token);
    }
    expect(lookupsOf(other)).toHaveLength(1);
    expect(contact('bolt', other)).toMatchObject({ handle: null, outcome: 'skipped' });
    const stored = JSON.stringify([db.prepare('SELECT metadata FROM contacts').all(), db.prepare('SELECT payload, last_error FROM jobs').all(), traces]);
    expect(stored).not.toContain(BOLT.token);
    expect(stored).not.toContain(SMILE.token);
  });
});
