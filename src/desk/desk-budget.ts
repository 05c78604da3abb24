import { JOB } from '../conversation/job-kinds.js';
import type { BudgetOf } from '../jobs/registry.js';
import type { Job } from '../jobs/types.js';
import type { DeskStore } from '../storage/desk-store.js';
import { reminderStep } from './jobs/remind.js';
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

/**
 * Whether the job will write to its chat when it runs now. A job that will only find its work done or not ready
 * (a card already posted, an update for a card not posted yet, a reminder not due or already sent) takes no unit of
 * the group's budget: in a burst those units are what makes requests visible.
 */
function writes(job: Job, store: DeskStore, now: number): boolean {
  const h = job.payload.handoverId !== undefined ? store.handover(Number(job.payload.handoverId)) : null;
  switch (job.kind) {
    case JOB.postHandoverCard:
      return h !== null && h.cardMessageId === null;
    case JOB.deskUpdateCard:
    case JOB.relayToDesk:
      return h !== null && h.cardMessageId !== null;
    case JOB.deskRemind:
      return reminderStep(store, job, now).action === 'post';
    default:
      return true;
  }
}

/** Every desk job that writes to Telegram takes one unit of its chat's budget and of the bot's before it starts. */
export function deskBudget(store: DeskStore, clock: () => number = Date.now): BudgetOf {
  return (job) => {
    if (!writes(job, store, clock())) return [];
    const chatId = deskChatOf(job, store);
    return chatId === null ? [] : telegramBudget(chatId);
  };
}
