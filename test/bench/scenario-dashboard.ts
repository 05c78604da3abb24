import { Analytics } from '../../src/analytics/analytics.js';
import { presetRange } from '../../src/analytics/time-range.js';
import { createDashboard } from '../../src/dashboard/app.js';
import { DashboardAuth } from '../../src/dashboard/auth.js';
import { AnalyticsStore } from '../../src/storage/analytics-store.js';
import { DashboardAuthStore } from '../../src/storage/dashboard-auth-store.js';
import { DashboardStore } from '../../src/storage/dashboard-store.js';
import { openDatabase, type Db } from '../../src/storage/open-db.js';
import type { BenchContext } from './context.js';
import { rng } from './seed-text.js';
import { summary } from './stats.js';

export interface DashboardFigures {
  messages: number;
  handovers: number;
  contacts: number;
  /** The first overview after the worker started (code not yet optimised by V8, pages not yet cached), ms. */
  coldMs: number;
  /** Analytics.report over the last 30 days of that tenant, in this process (the server's work for the overview). */
  report: ReturnType<typeof summary>;
  /** GET /dashboard/api/overview?period=30d through the real Hono app with a session, JSON included. */
  http: ReturnType<typeof summary>;
}

const DAY = 86_400_000;
/** Runs before the timed ones: a worker serves many overviews, and the first few run before V8 optimises the code. */
const WARMUP = 30;
const TIMEZONE = 'Asia/Almaty';

/**
 * The owner's overview of one busy tenant: 100,000 messages over the last 30 days (customers, bot, managers; one
 * conversation in ten handed over, taken and resolved), added to the seeded cell next to its other tenants and
 * removed at the end. The first run is reported alone (cold), then timed after WARMUP runs; the target is ≤ 200 ms
 * of server time.
 */
export async function dashboardScenario(ctx: BenchContext): Promise<DashboardFigures> {
  const db = openDatabase(ctx.cell.dataDir);
  const now = Date.now();
  const seeded = seedBusyTenant(db, ctx.scale.dashboard.messages, now);
  ctx.log(`dashboard: seeded ${seeded.messages} messages, ${seeded.handovers} handovers for tenant ${seeded.tenantId}`);
  try {
    const analytics = new Analytics(new AnalyticsStore(db));
    const tenant = analytics.tenant(seeded.tenantId)!;
    const range = () => presetRange('30d', Date.now(), TIMEZONE);
    const report: number[] = [];
    let coldMs = 0;
    for (let i = 0; i < WARMUP + ctx.scale.dashboard.runs; i++) {
      const t0 = performance.now();
      const r = analytics.report(tenant, range());
      const took = performance.now() - t0;
      if (i === 0) coldMs = took;
      if (i >= WARMUP) report.push(took);
      if (r.overview.customerMessages === 0) throw new Error('the overview counted no messages: the seeding or the range is wrong');
    }
    const auth = new DashboardAuth(new DashboardAuthStore(db), 'http://127.0.0.1');
    const app = createDashboard({ auth, analytics, store: new DashboardStore(db), secureCookies: false });
    const store = new DashboardAuthStore(db);
    const link = auth.issue(store.tenantsFor(0).find((t) => t.id === seeded.tenantId)!, { id: 1, name: 'bench' });
    if (!link.ok) throw new Error(`no link: ${link.why}`);
    const login = await app.request(new URL(link.url).pathname.replace(/^\/dashboard/, ''), { method: 'POST' });
    const cookie = /botctl_dashboard=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0];
    if (!cookie) throw new Error(`login failed: ${login.status}`);
    const http: number[] = [];
    for (let i = 0; i < ctx.scale.dashboard.runs; i++) {
      const t0 = performance.now();
      const res = await app.request('/api/overview?period=30d', { headers: { cookie } });
      await res.text();
      if (res.status !== 200) throw new Error(`overview answered ${res.status}`);
      http.push(performance.now() - t0);
    }
    return { messages: seeded.messages, handovers: seeded.handovers, contacts: seeded.contacts, coldMs, report: summary(report), http: summary(http) };
  } finally {
    // Table by table with foreign keys off: deleting a request makes SQLite look for messages pointing at it, and
    // messages has no index on handover_id, so the cascade from the tenant would scan the cell's messages per request.
    db.pragma('foreign_keys = OFF');
    db.transaction(() => {
      for (const table of ['messages', 'desk_messages', 'handover_events', 'handovers', 'conversations', 'contacts', 'channel_accounts', 'dashboard_links', 'dashboard_sessions']) {
        db.prepare(`DELETE FROM ${table} WHERE tenant_id = ?`).run(seeded.tenantId);
      }
      db.prepare('DELETE FROM tenants WHERE id = ?').run(seeded.tenantId);
    }).immediate();
    db.pragma('foreign_keys = ON');
    db.close();
  }
}

/** One tenant with `messages` messages in the 30 days before `now`, written in one transaction. */
export function seedBusyTenant(db: Db, messages: number, now: number): { tenantId: number; messages: number; handovers: number; contacts: number } {
  const random = rng(14);
  return db.transaction(() => {
    const tenantId = Number(db.prepare(`INSERT INTO tenants (slug, name, timezone, business_hours, telegram_chat_id, created_at, updated_at)
      VALUES (?, 'Busy clinic', ?, '{"mon":[[540,1080]],"tue":[[540,1080]],"wed":[[540,1080]],"thu":[[540,1080]],"fri":[[540,1080]]}', -1009999, ?, ?)`)
      .run(`dashboard-bench-${now}`, TIMEZONE, now, now).lastInsertRowid);
    const account = Number(db.prepare(`INSERT INTO channel_accounts (tenant_id, channel, external_id, created_at, updated_at) VALUES (?, 'whatsapp', ?, ?, ?)`)
      .run(tenantId, `99${now}`, now, now).lastInsertRowid);
    const contact = db.prepare('INSERT INTO contacts (tenant_id, channel_account_id, provider_id, display_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    const conversation = db.prepare("INSERT INTO conversations (tenant_id, contact_id, state, state_changed_at, created_at, updated_at) VALUES (?, ?, 'bot', ?, ?, ?)");
    const message = db.prepare(`INSERT INTO messages (tenant_id, channel_account_id, contact_id, handover_id, direction, author_kind, author_name, type, body, delivery_status,
      trace_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'text', ?, ?, ?, ?, ?)`);
    const handover = db.prepare(`INSERT INTO handovers (tenant_id, conversation_id, contact_id, number, status, reason, cause, question, created_at, assigned_to_id, assigned_to_name,
      taken_at, first_response_at, resolved_by_id, resolved_by_name, resolved_at, updated_at) VALUES (?, ?, ?, ?, 'resolved', 'bench', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const contactsCount = Math.max(50, Math.round(messages / 50));
    const contacts: { id: number; conversation: number }[] = [];
    for (let i = 0; i < contactsCount; i++) {
      const id = Number(contact.run(tenantId, account, `7700${String(i).padStart(7, '0')}`, `Customer ${i}`, now - 40 * DAY, now).lastInsertRowid);
      contacts.push({ id, conversation: Number(conversation.run(tenantId, id, now, now, now).lastInsertRowid) });
    }
    const causes = ['no_knowledge', 'model_handover', 'unsupported_facts', 'llm_unavailable', 'media'];
    const questions = ['Do you do tongue piercing?', 'Can I pay in installments?', 'Is there parking nearby?', 'Do you treat children under 3?', 'Is tongue piercing possible?'];
    let written = 0;
    let number = 0;
    while (written < messages) {
      const c = contacts[Math.floor(random() * contacts.length)]!;
      let at = now - Math.floor(random() * 30 * DAY);
      const turns = 1 + Math.floor(random() * 4);
      const handed = random() < 0.1;
      for (let t = 0; t < turns && written < messages; t++) {
        message.run(tenantId, account, c.id, null, 'inbound', 'customer', null, 'question', 'received', `b${written}`, at, at);
        at += 2000 + Math.floor(random() * 8000);
        message.run(tenantId, account, c.id, null, 'outbound', 'bot', null, 'answer', 'read', `b${written}`, at, at);
        written += 2;
        at += 30_000 + Math.floor(random() * 300_000);
      }
      if (handed && written < messages) {
        const created = at;
        const taken = created + 30_000 + Math.floor(random() * 600_000);
        const replied = taken + 10_000 + Math.floor(random() * 300_000);
        const manager = 700 + Math.floor(random() * 6);
        const id = Number(handover.run(tenantId, c.conversation, c.id, ++number, causes[number % causes.length], questions[number % questions.length], created, manager, `Manager ${manager}`,
          taken, replied, manager, `Manager ${manager}`, replied + 600_000, replied).lastInsertRowid);
        message.run(tenantId, account, c.id, id, 'outbound', 'manager', `Manager ${manager}`, 'reply', 'delivered', `h${number}`, replied, replied);
        written++;
      }
    }
    return { tenantId, messages: written, handovers: number, contacts: contactsCount };
  }).immediate();
}
