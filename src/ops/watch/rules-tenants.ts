import { scrubText } from '../../observability/redact.js';
import { describeDestination, isTenantDestination } from '../destinations.js';
import { formatAge } from '../format-age.js';
import type { Finding, Rule } from './rule.js';

/** One finding per tenant, so each tenant's problem fires and resolves on its own; messages group them. */
const perTenant = (rule: string, slug: string, summary: string, fix: string): Finding => ({ key: `${rule}:${slug}`, subject: slug, summary, fix });

const whatsappTokenBroken: Rule = {
  id: 'whatsapp_token_broken',
  title: 'WhatsApp token broken',
  forMs: 0, // set by a send that Meta refused with code 190: already certain
  evaluate(f) {
    if (!f.whatsappBroken) return null;
    return f.whatsappBroken.map((t) => perTenant(this.id, t.slug, `${t.slug}: Meta refuses its access token${t.detail ? ` (${scrubText(t.detail).slice(0, 160)})` : ''}; its customers get no replies`,
      `make a permanent System User token in Meta Business Settings, then botctl tenant update ${t.slug} --whatsapp-token <token>`));
  },
};

const telegramChatUnreachable: Rule = {
  id: 'telegram_chat_unreachable',
  title: 'Managers chat unreachable',
  forMs: 0,
  evaluate(f) {
    if (!f.telegramUnreachable) return null;
    return f.telegramUnreachable.map((t) => perTenant(this.id, t.slug,
      `${t.slug}: the bot ${t.status === 'removed' ? 'was removed from' : 'may not write to'} the managers chat${t.detail ? ` (${scrubText(t.detail).slice(0, 160)})` : ''}; handovers reach nobody`,
      t.status === 'removed'
        ? `ask the business to add the bot back to its managers group (or give the new chat: botctl tenant update ${t.slug} --telegram-chat-id <id>); botctl doctor confirms`
        : `ask the business to let the bot post in its managers group (unblock it, or make it an admin); botctl doctor confirms`));
  },
};

const handoverOverdue: Rule = {
  id: 'handover_overdue',
  title: 'Customers waiting for a manager',
  forMs: 0, // the limit already includes every reminder
  evaluate(f) {
    if (!f.overdueHandovers) return null;
    return f.overdueHandovers.map((h) => perTenant(this.id, h.slug,
      `${h.slug}: ${h.waiting} request${h.waiting === 1 ? '' : 's'} nobody took; #${h.oldestNumber} has waited ${formatAge(f.at - h.oldestCreatedAt)} (every reminder went unanswered after ${formatAge(h.limitMs)})`,
      `call the business's managers: their Telegram group has the card for #${h.oldestNumber}; botctl handover list ${h.slug} shows every open request`));
  },
};

/**
 * No inbound for more than silentFactor × the tenant's longest silence in its history window. The longest gap,
 * not the mean, is "usual" here: nights and weekends happen every week and are in it, so only an unprecedented
 * silence (a webhook or number that stopped working) alerts.
 */
const tenantSilent: Rule = {
  id: 'tenant_silent',
  title: 'Tenant silent for much longer than usual',
  forMs: 0,
  evaluate(f, limits) {
    if (!f.inboundHistory) return null;
    const found: Finding[] = [];
    for (const t of f.inboundHistory) {
      if (t.messages < limits.silentMinMessages || t.lastInboundAt - t.firstAt < limits.silentMinHistoryMs) continue;
      const silence = f.at - t.lastInboundAt;
      const threshold = Math.max(limits.silentFloorMs, limits.silentFactor * t.longestGapMs);
      if (silence <= threshold) continue;
      found.push(perTenant(this.id, t.slug,
        `${t.slug}: no customer message for ${formatAge(silence)}; its longest silence in the ${formatAge(limits.silentHistoryMs)} before was ${formatAge(t.longestGapMs)} (${t.messages} messages)`,
        `check the number's webhook in the Meta app (callback URL …/webhooks/whatsapp, field messages) and run botctl doctor for its token; ask the business whether its number changed`));
    }
    return found;
  },
};

/**
 * A tenant's managers group or WhatsApp number has had jobs waiting for its rate limit (Telegram's 20 messages a
 * minute per group, Meta's throughput per number) for minutes: a burst bigger than the destination can take. The
 * cell stays fair (other tenants are not slowed), but this tenant's managers or customers see things late.
 */
const destinationSaturated: Rule = {
  id: 'destination_saturated',
  title: 'A tenant\'s group or number is saturated',
  forMs: 0, // the waiting age already says for how long
  evaluate(f, limits) {
    if (!f.saturated) return null;
    return f.saturated
      .filter((d) => isTenantDestination(d.key) && f.at - d.waitingSince >= limits.saturatedMs)
      .map((d) => ({
        key: `${this.id}:${d.key}`, subject: d.tenant ?? d.key,
        summary: `${d.tenant ?? 'unknown tenant'}: ${describeDestination(d.key)} is saturated: ${d.waiting} job${d.waiting === 1 ? '' : 's'} waiting for its rate limit, the oldest for ${formatAge(f.at - d.waitingSince)}`,
        fix: d.key.startsWith('tg:')
          ? `nothing is lost: requests are listed in the group's digest and cards follow as Telegram allows; if it lasts, ask the business to take requests from the digest, or split its managers into more groups (botctl tenant update ${d.tenant ?? '<slug>'} --telegram-chat-id …)`
          : `nothing is lost: replies go out as Meta allows; if it lasts, ask Meta to raise the number's throughput (it grows with quality rating) and check botctl status`,
      }));
  },
};

export const TENANT_RULES: readonly Rule[] = [whatsappTokenBroken, telegramChatUnreachable, handoverOverdue, tenantSilent, destinationSaturated];
