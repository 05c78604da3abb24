import type { HandoverFacts, MessagePoint } from '../storage/analytics-store.js';
import type { Channel } from './channels.js';
import type { Conversation } from './conversations.js';
import { spread, type Spread } from './stats.js';
import type { TimeRange } from './time-range.js';

/** One line of the overview split by channel: the same definitions as the Overview's fields of the same names. */
export interface ChannelNumbers {
  channel: Channel;
  conversations: number;
  customerMessages: number;
  botOnly: number;
  handedOver: number;
  botFirstReply: Spread;
  humanFirstReply: Spread;
  requests: number;
}

export interface ByChannelInput {
  range: Pick<TimeRange, 'from' | 'to'>;
  /** The lines to make, in order; a channel without traffic gets a line of zeros. */
  channels: readonly Channel[];
  /** The channel of a contact of the tenant (a contact writes on one channel account). */
  channelOf: (contactId: number) => Channel | undefined;
  points: readonly MessagePoint[];
  conversations: readonly Conversation[];
  /** Handovers opened in the range. */
  handovers: readonly HandoverFacts[];
}

/**
 * The overview's counts and reply times per channel, from the rows computeOverview reads. A conversation, a message
 * and a request belong to their contact's channel, so each count summed over the channels is the overview's total.
 * Pure: no clock, no SQL.
 */
export function numbersByChannel(input: ByChannelInput): ChannelNumbers[] {
  const { range, channelOf } = input;
  const lines = new Map(input.channels.map((channel) => [channel, { channel, conversations: 0, customerMessages: 0, botOnly: 0, handedOver: 0, requests: 0, bot: [] as number[], human: [] as number[] }]));
  for (const [contactId, at, author] of input.points) {
    if (author !== 0 || at < range.from || at >= range.to) continue;
    const line = lines.get(channelOf(contactId)!);
    if (line) line.customerMessages++;
  }
  for (const c of input.conversations) {
    const line = lines.get(channelOf(c.contactId)!);
    if (!line) continue;
    line.conversations++;
    if (c.handovers.length > 0) line.handedOver++;
    else line.botOnly++;
    if (c.botFirstReplyMs !== null) line.bot.push(c.botFirstReplyMs);
  }
  for (const h of input.handovers) {
    const line = lines.get(channelOf(h.contactId)!);
    if (!line) continue;
    line.requests++;
    if (h.firstResponseAt !== null) line.human.push(h.firstResponseAt - h.createdAt);
  }
  return [...lines.values()].map(({ bot, human, ...line }) => ({ ...line, botFirstReply: spread(bot), humanFirstReply: spread(human) }));
}
