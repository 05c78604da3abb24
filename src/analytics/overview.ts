import type { HandoverFacts, MessagePoint } from '../storage/analytics-store.js';
import type { BusinessHours } from '../tenants/business-hours.js';
import { LocalClock } from './local-clock.js';
import type { Conversation } from './conversations.js';
import { quantile, ratio, spread, type Spread } from './stats.js';
import { dayIndex, type TimeRange } from './time-range.js';

export interface DayNumbers {
  date: string;
  conversations: number;
  customerMessages: number;
  botOnly: number;
  handedOver: number;
  /** Median of the bot's first reply of the day's conversations, ms. */
  botFirstReplyMedian: number | null;
  /** Median time from a request's opening to a manager's first reply, of the day's requests, ms. */
  humanFirstReplyMedian: number | null;
}

export interface Overview {
  from: number;
  to: number;
  timezone: string;
  conversations: number;
  customerMessages: number;
  /** Conversations the bot handled without a manager. */
  botOnly: number;
  /** Conversations with at least one request to the managers. */
  handedOver: number;
  /** botOnly / conversations, 0…1, null without conversations. */
  botResolutionRate: number | null;
  botFirstReply: Spread;
  humanFirstReply: Spread;
  timeToTake: Spread;
  timeToResolve: Spread;
  /** Requests opened in the range. */
  requests: number;
  /** Of them, never taken by a manager (still waiting, or resolved without a take). */
  neverTaken: number;
  /** Of them, opened while the business was closed (0 when it has no business hours). */
  outsideHours: number;
  /** Unresolved requests now, whenever opened, and the oldest one's opening. */
  openNow: number;
  oldestOpenAt: number | null;
  oldestOpenNumber: number | null;
  days: DayNumbers[];
}

export interface OverviewInput {
  range: TimeRange;
  /** In time order (AnalyticsStore.messagePoints); may extend past the range on both sides. */
  points: readonly MessagePoint[];
  /** Handovers opened in the range. */
  handovers: readonly HandoverFacts[];
  conversations: readonly Conversation[];
  businessHours: BusinessHours | null;
  open: { count: number; oldestAt: number | null; oldestNumber: number | null };
}

/** The overview's numbers and its daily trend, from rows already read for the range. Pure: no clock, no SQL. */
export function computeOverview(input: OverviewInput): Overview {
  const { range, points, handovers, conversations, businessHours, open } = input;
  const days = range.dayLabels.map((date) => ({ date, conversations: 0, customerMessages: 0, botOnly: 0, handedOver: 0, bot: [] as number[], human: [] as number[] }));
  let customerMessages = 0;
  // Points come in time order: walk the days alongside them instead of searching each point's day.
  const starts = range.dayStarts;
  let day = 0;
  for (const [, at, author] of points) {
    if (author !== 0 || at < range.from) continue;
    if (at >= range.to) break;
    while (at >= starts[day + 1]!) day++;
    customerMessages++;
    days[day]!.customerMessages++;
  }
  const botFirst: number[] = [];
  let handedOver = 0;
  for (const c of conversations) {
    const day = days[dayIndex(range, c.startedAt)];
    const handed = c.handovers.length > 0;
    if (handed) handedOver++;
    if (c.botFirstReplyMs !== null) botFirst.push(c.botFirstReplyMs);
    if (!day) continue;
    day.conversations++;
    if (handed) day.handedOver++;
    else day.botOnly++;
    if (c.botFirstReplyMs !== null) day.bot.push(c.botFirstReplyMs);
  }
  const human: number[] = [];
  const take: number[] = [];
  const resolve: number[] = [];
  let neverTaken = 0;
  let outsideHours = 0;
  const clock = new LocalClock(range.timezone);
  for (const h of handovers) {
    if (h.firstResponseAt !== null) {
      human.push(h.firstResponseAt - h.createdAt);
      days[dayIndex(range, h.createdAt)]?.human.push(h.firstResponseAt - h.createdAt);
    }
    if (h.takenAt !== null) take.push(h.takenAt - h.createdAt);
    else neverTaken++;
    if (h.resolvedAt !== null) resolve.push(h.resolvedAt - h.createdAt);
    if (businessHours && !clock.isOpen(businessHours, h.createdAt)) outsideHours++;
  }
  return {
    from: range.from,
    to: range.to,
    timezone: range.timezone,
    conversations: conversations.length,
    customerMessages,
    botOnly: conversations.length - handedOver,
    handedOver,
    botResolutionRate: ratio(conversations.length - handedOver, conversations.length),
    botFirstReply: spread(botFirst),
    humanFirstReply: spread(human),
    timeToTake: spread(take),
    timeToResolve: spread(resolve),
    requests: handovers.length,
    neverTaken,
    outsideHours,
    openNow: open.count,
    oldestOpenAt: open.oldestAt,
    oldestOpenNumber: open.oldestNumber,
    days: days.map(({ bot, human: h, ...d }) => ({ ...d, botFirstReplyMedian: quantile(bot, 0.5), humanFirstReplyMedian: quantile(h, 0.5) })),
  };
}
