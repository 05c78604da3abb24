import type { Cell } from '../cell.js';
import { UserError } from '../errors.js';
import { AuditStore, currentActor } from '../storage/audit-store.js';
import { LearningStore, type LearningMode, type LearningSettings } from '../storage/learning-store.js';
import { TenantService } from '../tenants/tenant-service.js';
import { parseDigestTime } from './digest-time.js';
import { approverOf, LEARNING_MODES } from './policy.js';

/** The learning flags of `tenant add|update`, as typed. */
export interface LearningInput {
  learning?: string | undefined;
  learningApprover?: string | undefined;
  learningDigestAt?: string | undefined;
}

export function hasLearningInput(input: LearningInput): boolean {
  return input.learning !== undefined || input.learningApprover !== undefined || input.learningDigestAt !== undefined;
}

/** Checks the flags alone (before a tenant is written), so a bad value changes nothing. */
export function validateLearningInput(input: LearningInput): Partial<LearningSettings> {
  const out: Partial<LearningSettings> = {};
  if (input.learning !== undefined) {
    const mode = input.learning.trim().toLowerCase() as LearningMode;
    if (!LEARNING_MODES.includes(mode)) throw new UserError(`--learning "${input.learning}" is not a learning mode`, 'use --learning direct (managers\' saves go live), approve (the owner or --learning-approver decides) or off');
    out.mode = mode;
  }
  if (input.learningApprover !== undefined) {
    const value = input.learningApprover.trim();
    if (value === '' || value === 'owner') out.approverId = null;
    else if (/^[1-9]\d{0,15}$/.test(value) && Number.isSafeInteger(Number(value))) out.approverId = Number(value);
    else throw new UserError(`--learning-approver "${input.learningApprover}" is not a Telegram user id`, 'give the approver\'s numeric Telegram user id (positive, e.g. 123456789), or "owner" for the owner chat');
  }
  if (input.learningDigestAt !== undefined) {
    const at = parseDigestTime(input.learningDigestAt);
    if (!at) throw new UserError(`--learning-digest-at "${input.learningDigestAt}" is not a time of day`, 'write it as HH:MM in the tenant\'s timezone, e.g. --learning-digest-at 18:00');
    out.digestAt = at;
  }
  return out;
}

/** Applies the learning flags to a tenant with an audit row; refuses `approve` when nobody could approve. */
export function applyLearningInput(cell: Cell, slug: string, input: LearningInput, clock: () => number = Date.now): LearningSettings {
  const changes = validateLearningInput(input);
  const tenant = new TenantService(cell, clock).get(slug);
  const store = new LearningStore(cell.db);
  const audit = new AuditStore(cell.db);
  return store.transaction(() => {
    const next = { ...store.settings(tenant.id), ...changes };
    if (next.mode === 'approve' && approverOf(next, tenant.ownerChatId) === null) {
      throw new UserError(`--learning approve needs someone to approve: tenant ${slug} has no approver and no owner chat`,
        `give --learning-approver <telegram user id>, or --owner-chat-id <the owner's user id> (botctl tenant update ${slug} …)`);
    }
    const now = clock();
    store.saveSettings(tenant.id, next, now);
    audit.record({ at: now, actor: currentActor(), action: 'tenant.learning', tenantId: tenant.id, tenantSlug: slug, detail: { ...changes } });
    return next;
  });
}

/** The tenant's learning settings for `tenant show --json`: the mode, who approves, when the digest goes. */
export function learningSettings(cell: Cell, tenant: { id: number; ownerChatId: number | null }): LearningSettings & { approver: number | null } {
  const settings = new LearningStore(cell.db).settings(tenant.id);
  return { ...settings, approver: approverOf(settings, tenant.ownerChatId) };
}

/** The tenant's learning settings for `tenant show`. */
export function learningLine(cell: Cell, tenant: { id: number; ownerChatId: number | null }): string {
  const settings = new LearningStore(cell.db).settings(tenant.id);
  const approver = approverOf(settings, tenant.ownerChatId);
  const who = settings.mode === 'approve' ? `, approver ${approver ?? 'none'}${settings.approverId === null ? ' (owner)' : ''}` : '';
  return `  learning: ${settings.mode}${who}; proposals digest at ${settings.digestAt}`;
}
