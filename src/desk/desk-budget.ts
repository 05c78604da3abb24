import { JOB } from '../conversation/job-kinds.js';
import type { BudgetOf } from '../jobs/registry.js';
import type { Job } from '../jobs/types.js';
import type { DeskStore } from '../storage/desk-store.js';
import { telegramBudget } from './telegram/budgets.js';

/**
 * The chat a desk job writes to, read from the rows its payload names: the handover's group, the tenant's group
 * for a manager's delivery line, or the chat a notice is addressed to. Null when the row is gone or the tenant has
 * no group (the handler then finishes or fails on its own).
 */
export function deskChatOf(job: Job, store: DeskStore): number | null {
  switch (job.kind) {
    case JOB.deskNotify:
      return typeof job.payload.chatId === 'number' ? job.payload.chatId : null;
    case JOB.deskDelivery: {
      const message = store.outbound(Number(job.payload.messageId));
      return message ? (store.tenant(message.tenantId)?.chatId ?? null) : null;
    }
    default: {
      if (job.payload.handoverId !== undefined) {
        const h = store.handover(Number(job.payload.handoverId));
        if (!h) return null;
        return h.chatId ?? store.tenant(h.tenantId)?.chatId ?? null;
      }
      return job.tenantId !== null ? (store.tenant(job.tenantId)?.chatId ?? null) : null;
    }
  }
}

/** Every desk job takes one unit of its chat's budget and of the bot's before it starts. */
export function deskBudget(store: DeskStore): BudgetOf {
  return (job) => {
    const chatId = deskChatOf(job, store);
    return chatId === null ? [] : telegramBudget(chatId);
  };
}
