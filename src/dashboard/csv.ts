import type { ConversationRow } from '../analytics/conversation-search.js';
import type { ManagerRow } from '../analytics/managers.js';
import { localDateTime } from './texts.js';

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. A cell that a spreadsheet would run
 * as a formula (starting with = + - @) gets a leading apostrophe, since customers' names are free text.
 */
export function cell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const line = (cells: (string | number | null)[]) => cells.map(cell).join(',');
const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));

export function conversationsCsv(rows: readonly ConversationRow[], timezone: string): string {
  // `channel` is the last column, so a spreadsheet built on the earlier columns keeps reading them where they were.
  const header = ['started_local', 'last_message_local', 'customer', 'phone', 'customer_messages', 'outcome', 'managers', 'requests', 'reasons', 'bot_first_reply_s', 'channel'];
  return [line(header), ...rows.map((r) => line([localDateTime(r.startedAt, timezone), localDateTime(r.lastAt, timezone), r.customerName, r.customerPhone,
    r.customerMessages, r.outcome, r.managers.join('; '), r.requests.join(' '), r.reasons.join(' '), seconds(r.botFirstReplyMs), r.channel]))].join('\r\n') + '\r\n';
}

export function managersCsv(rows: readonly ManagerRow[]): string {
  const header = ['manager', 'telegram_id', 'taken', 'resolved', 'first_response_median_s', 'first_response_p90_s', 'time_to_take_median_s', 'time_to_take_p90_s', 'reminders'];
  return [line(header), ...rows.map((m) => line([m.name, m.id, m.taken, m.resolved, seconds(m.firstResponse.median), seconds(m.firstResponse.p90),
    seconds(m.timeToTake.median), seconds(m.timeToTake.p90), m.reminders]))].join('\r\n') + '\r\n';
}
