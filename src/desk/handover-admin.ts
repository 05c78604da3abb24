import type { Cell } from '../cell.js';
import { integrationEvents } from '../integrations/outbox.js';
import { DeskActions } from '../conversation/desk-actions.js';
import { UserError } from '../errors.js';
import { AuditStore, currentActor } from '../storage/audit-store.js';
import { SqlConversationStore } from '../storage/conversation-store.js';
import { DeskStore, type DeskHandover } from '../storage/desk-store.js';
import { Queue } from '../jobs/queue.js';
import { JobStore } from '../storage/job-store.js';
import { TraceLookupStore, type TracedHandoverEvent } from '../storage/trace-lookup-store.js';
import { TraceStore } from '../storage/trace-store.js';
import { TenantService } from '../tenants/tenant-service.js';

/** The desk's state from the command line: list and inspect requests, resolve or release them as an operator. */
export class HandoverAdmin {
  private readonly desk: DeskStore;
  private readonly tenants: TenantService;

  constructor(private readonly cell: Cell) {
    this.desk = new DeskStore(cell.db);
    this.tenants = new TenantService(cell);
  }

  list(slug: string, options: { all?: boolean } = {}): DeskHandover[] {
    const tenant = this.tenants.get(slug);
    if (!options.all) return this.desk.openHandovers(tenant.id);
    return (this.cell.db.prepare('SELECT id FROM handovers WHERE tenant_id = ? ORDER BY id DESC LIMIT 200').all(tenant.id) as { id: number }[])
      .map((r) => this.desk.handover(r.id)!);
  }

  show(slug: string, number: number): { handover: DeskHandover; events: TracedHandoverEvent[] } {
    const handover = this.find(slug, number);
    return { handover, events: new TraceLookupStore(this.cell.db).handoverEvents([handover.id]) };
  }

  resolve(slug: string, number: number): DeskHandover {
    return this.act(slug, number, 'resolve');
  }

  release(slug: string, number: number): DeskHandover {
    return this.act(slug, number, 'release');
  }

  private act(slug: string, number: number, action: 'resolve' | 'release'): DeskHandover {
    const handover = this.find(slug, number);
    const queue = new Queue(new JobStore(this.cell.db), null);
    const actions = new DeskActions({ store: new SqlConversationStore(this.cell.db), queue, tracer: new TraceStore(this.cell.db), events: integrationEvents(this.cell.db, queue), clock: Date.now });
    const operator = { id: 0, name: `operator ${currentActor()}`, operator: true };
    // Release as an operator: hand it back whoever holds it (the assignee may be away).
    const result = action === 'resolve' ? actions.resolve(handover.id, operator) : actions.release(handover.id, { ...operator, id: handover.assignedToId ?? 0 });
    if (!result.ok) {
      const why = result.reason === 'not_taken' ? 'nobody has taken it' : result.reason === 'resolved' ? 'it is already resolved' : result.reason;
      throw new UserError(`request №${number} of ${slug} cannot be ${action}d: ${why}`, `see it with: botctl handover show ${slug} ${number}`);
    }
    new AuditStore(this.cell.db).record({ at: Date.now(), actor: currentActor(), action: `handover.${action}`, tenantId: handover.tenantId, tenantSlug: slug, detail: { number } });
    return this.desk.handover(handover.id)!;
  }

  private find(slug: string, number: number): DeskHandover {
    const tenant = this.tenants.get(slug);
    const row = this.cell.db.prepare('SELECT id FROM handovers WHERE tenant_id = ? AND number = ?').get(tenant.id, number) as { id: number } | undefined;
    if (!row) throw new UserError(`tenant ${slug} has no request №${number}`, `list its requests with: botctl handover list ${slug} --all`);
    return this.desk.handover(row.id)!;
  }
}
