import type { Cell } from '../cell.js';
import { UserError } from '../errors.js';
import { Queue } from '../jobs/queue.js';
import { AuditStore, currentActor } from '../storage/audit-store.js';
import { JobStore } from '../storage/job-store.js';
import { LearningStore, type LearnedItem } from '../storage/learning-store.js';
import type { TenantRecord } from '../storage/tenant-store.js';
import { TenantService } from '../tenants/tenant-service.js';
import { LearningService, type Outcome, type Person } from './learning-service.js';

/** A learned entry as the operator sees it: what it says and where it came from. */
export interface LearnedView {
  id: number;
  status: string;
  origin: string;
  question: string | null;
  answer: string | null;
  request: number | null;
  taughtBy: string | null;
  at: string;
  decidedBy: string | null;
  decidedAt: string | null;
  /** For a proposed update: the entry it replaces (`learned:<id>` or `<source>`), and what that entry says. */
  updates: { entry: string; question: string | null; answer: string | null } | null;
}

/** Learning from the command line: what managers taught, what the bot proposes, approve / reject / remove as an operator. */
export class LearningAdmin {
  private readonly store: LearningStore;
  private readonly tenants: TenantService;
  private readonly service: LearningService;

  constructor(cell: Cell, clock: () => number = Date.now) {
    this.store = new LearningStore(cell.db);
    this.tenants = new TenantService(cell, clock);
    this.service = new LearningService({ store: this.store, queue: new Queue(new JobStore(cell.db), null), audit: new AuditStore(cell.db), clock });
  }

  learned(slug: string): LearnedView[] {
    return this.store.list(this.tenants.get(slug).id, ['live']).map(view);
  }

  proposals(slug: string): LearnedView[] {
    return this.store.list(this.tenants.get(slug).id, ['proposed', 'pending']).map(view);
  }

  approve(slug: string, id: number): LearnedView {
    return this.act(slug, id, 'approve');
  }

  reject(slug: string, id: number): LearnedView {
    return this.act(slug, id, 'reject');
  }

  /** Removes a live learned entry (`kb remove <slug> learned:<id>`). */
  remove(slug: string, id: number): LearnedView {
    return this.act(slug, id, 'remove');
  }

  /** Removes every live learned entry (`kb remove <slug> learned`); returns how many. */
  removeAll(slug: string): number {
    const tenant = this.tenants.get(slug);
    return this.service.removeAll(target(tenant), operator());
  }

  private act(slug: string, id: number, action: 'approve' | 'reject' | 'remove'): LearnedView {
    const tenant = this.tenants.get(slug);
    const item = this.store.item(tenant.id, id);
    if (!item) throw new UserError(`tenant ${slug} has no learned entry ${id}`, `see them with: botctl kb ${action === 'remove' ? 'learned' : 'proposals'} ${slug}`);
    const result: Outcome = this.service[action](target(tenant), id, operator());
    if (!result.ok) {
      const why = result.reason === 'wrong_state' ? `it is ${item.status}` : result.reason === 'off' ? 'learning is off for this tenant' : result.reason;
      const fix = action === 'remove' ? `see what is live with: botctl kb learned ${slug}` : `see what waits with: botctl kb proposals ${slug}`;
      throw new UserError(`entry ${id} of ${slug} cannot be ${action === 'approve' ? 'approved' : action === 'reject' ? 'rejected' : 'removed'}: ${why}`, fix);
    }
    return view(this.store.item(tenant.id, id)!);
  }
}

function target(tenant: TenantRecord) {
  return { id: tenant.id, slug: tenant.slug, ownerChatId: tenant.ownerChatId };
}

function operator(): Person {
  return { id: null, name: `operator ${currentActor()}`, operator: true };
}

function view(i: LearnedItem): LearnedView {
  const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
  return {
    id: i.id, status: i.status, origin: i.origin, question: i.question, answer: i.answer, request: i.handoverNumber,
    taughtBy: i.createdByName, at: iso(i.createdAt)!, decidedBy: i.decidedByName, decidedAt: iso(i.decidedAt),
    updates: i.updatesSource !== null ? { entry: i.updatesItemId !== null ? `learned:${i.updatesItemId}` : i.updatesSource, question: i.updatesQuestion, answer: i.updatesAnswer } : null,
  };
}
