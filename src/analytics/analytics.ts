import type { AnalyticsStore, AnalyticsTenant, HandoverFacts, MessagePoint } from '../storage/analytics-store.js';
import type { BusinessHours } from '../tenants/business-hours.js';
import { numbersByChannel, type ChannelNumbers } from './by-channel.js';
import { inChannelOrder, type Channel } from './channels.js';
import { CONVERSATION_GAP_MS, conversationsOf, LOOKAHEAD_MS, type Conversation } from './conversations.js';
import { knowledgeGaps, type KnowledgeGap } from './knowledge-gaps.js';
import { managersTable, type ManagerRow } from './managers.js';
import { computeOverview, type Overview } from './overview.js';
import { searchConversations, toRows, type ConversationFilter, type ConversationRow } from './conversation-search.js';
import { countReasons, type ReasonCount } from './reasons.js';
import type { TimeRange } from './time-range.js';

/** What the dashboard, `botctl report` and the digest show for one tenant, one range and all channels or one. */
export interface Report {
  tenant: { slug: string; name: string; timezone: string };
  /** The channel every number below is limited to, or null for all of them. */
  channel: Channel | null;
  /** The channels the tenant has an account on, WhatsApp, Instagram, Telegram in that order. */
  channels: Channel[];
  overview: Overview;
  /** The overview per channel: one line for each of `channels`, or only `channel` when limited to it. */
  byChannel: ChannelNumbers[];
  managers: ManagerRow[];
  reasons: ReasonCount[];
}

/** Limits the numbers to the customers of one channel; null or left out is every channel. */
export type ChannelScope = Channel | null | undefined;

/** The tenant's channels and the channel of each contact in view. */
interface Channels {
  /** WhatsApp, Instagram, Telegram, those the tenant has an account on. */
  list: Channel[];
  channelOf: (contactId: number) => Channel | undefined;
  /** The account of each channel, for what is read by account (open requests). */
  accountOf: Map<Channel, number>;
}

interface Read {
  points: MessagePoint[];
  handovers: HandoverFacts[];
  conversations: Conversation[];
  channels: Channels;
}

/**
 * The owner's numbers: the one place that reads them (through AnalyticsStore) and computes them (the pure functions
 * of this folder). The dashboard, `botctl report` and the digest all call this, so they can never disagree.
 */
export class Analytics {
  constructor(private readonly store: AnalyticsStore) {}

  tenant(tenantId: number): AnalyticsTenant | null {
    return this.store.tenant(tenantId);
  }

  /** The channels the tenant has an account on, in the order the numbers show them. */
  channels(tenantId: number): Channel[] {
    return inChannelOrder(this.store.channelAccounts(tenantId).map((a) => a.channel));
  }

  /** The conversations that started in the range (of customers on `channel` when given), newest first, with their requests. */
  conversations(tenantId: number, range: TimeRange, channel?: ChannelScope): Conversation[] {
    return this.read(tenantId, range, channel ?? null).conversations;
  }

  report(tenant: AnalyticsTenant, range: TimeRange, channel?: ChannelScope): Report {
    const only = channel ?? null;
    const { points, handovers, conversations, channels } = this.read(tenant.id, range, only);
    const account = only === null ? null : channels.accountOf.get(only);
    const open = account === undefined ? { count: 0, oldestAt: null, oldestNumber: null } : this.store.openRequests(tenant.id, account);
    const overview = computeOverview({ range, points, handovers, conversations, businessHours: hoursOf(tenant), open });
    const byChannel = numbersByChannel({ range, channels: only ? [only] : channels.list, channelOf: channels.channelOf, points, conversations, handovers });
    return {
      tenant: { slug: tenant.slug, name: tenant.name, timezone: tenant.timezone }, channel: only, channels: channels.list, overview, byChannel,
      managers: managersTable(handovers), reasons: countReasons(handovers),
    };
  }

  /** Questions handed over for lack of knowledge in the range, grouped by similarity, newest group first. */
  knowledgeGaps(tenantId: number, range: Pick<TimeRange, 'from' | 'to'>, channel?: ChannelScope): KnowledgeGap[] {
    const handovers = this.store.knowledgeGaps(tenantId, range.from, range.to);
    if (!channel) return knowledgeGaps(handovers);
    const { channelOf } = this.channelsOf(tenantId, [], handovers);
    return knowledgeGaps(handovers.filter((h) => channelOf(h.contactId) === channel));
  }

  /** The conversations of the range that match `filter`, newest first, with their customers' names and channels. */
  searchConversations(tenantId: number, range: TimeRange, filter: ConversationFilter = {}, channel?: ChannelScope): ConversationRow[] {
    const { conversations, channels } = this.read(tenantId, range, channel ?? null);
    const contacts = this.store.contacts(tenantId, new Set(conversations.map((c) => c.contactId)));
    return searchConversations(toRows(conversations, contacts, channels.channelOf), filter);
  }

  /**
   * The tenant's channels and the channel of each contact of `points` and `handovers`. A business on one channel (most)
   * needs no lookup: every contact writes on its one account. Otherwise each contact is looked up once, by primary key.
   */
  private channelsOf(tenantId: number, points: readonly MessagePoint[], handovers: readonly HandoverFacts[]): Channels {
    const accounts = this.store.channelAccounts(tenantId);
    const list = inChannelOrder(accounts.map((a) => a.channel));
    const accountOf = new Map(accounts.map((a) => [a.channel, a.id]));
    if (accounts.length <= 1) {
      const only = accounts[0]?.channel;
      return { list, accountOf, channelOf: () => only };
    }
    const ids = new Set<number>();
    for (const point of points) ids.add(point[0]);
    for (const h of handovers) ids.add(h.contactId);
    const channelOfAccount = new Map(accounts.map((a) => [a.id, a.channel]));
    const byContact = new Map<number, Channel>();
    for (const [contactId, account] of this.store.contactAccounts(tenantId, ids)) {
      const channel = channelOfAccount.get(account);
      if (channel) byContact.set(contactId, channel);
    }
    return { list, accountOf, channelOf: (contactId) => byContact.get(contactId) };
  }

  private read(tenantId: number, range: TimeRange, channel: Channel | null): Read {
    let points = this.store.messagePoints(tenantId, range.from - CONVERSATION_GAP_MS, range.to + LOOKAHEAD_MS);
    let all = this.store.handovers(tenantId, range.from, range.to + LOOKAHEAD_MS);
    const channels = this.channelsOf(tenantId, points, all);
    if (channel) {
      // A contact writes on one channel account, so keeping its rows whole keeps its conversations whole.
      const on = (contactId: number) => channels.channelOf(contactId) === channel;
      points = points.filter((p) => on(p[0]));
      all = all.filter((h) => on(h.contactId));
    }
    const handovers = all.filter((h) => h.createdAt < range.to);
    // The overview counts only the points inside the range (computeOverview); the rest finish conversations at its edges.
    return { points, handovers, conversations: conversationsOf(points, all, range.from, range.to), channels };
  }
}

function hoursOf(tenant: AnalyticsTenant): BusinessHours | null {
  return tenant.businessHours ? (JSON.parse(tenant.businessHours) as BusinessHours) : null;
}
