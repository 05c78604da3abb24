import type { AnalyticsStore, AnalyticsTenant, HandoverFacts } from '../storage/analytics-store.js';
import type { BusinessHours } from '../tenants/business-hours.js';
import { CONVERSATION_GAP_MS, conversationsOf, LOOKAHEAD_MS, type Conversation } from './conversations.js';
import { knowledgeGaps, type KnowledgeGap } from './knowledge-gaps.js';
import { managersTable, type ManagerRow } from './managers.js';
import { computeOverview, type Overview } from './overview.js';
import { searchConversations, toRows, type ConversationFilter, type ConversationRow } from './conversation-search.js';
import { countReasons, type ReasonCount } from './reasons.js';
import type { TimeRange } from './time-range.js';

/** What the dashboard, `botctl report` and the digest show for one tenant and one range. */
export interface Report {
  tenant: { slug: string; name: string; timezone: string };
  overview: Overview;
  managers: ManagerRow[];
  reasons: ReasonCount[];
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

  /** The conversations that started in the range, newest first, with their requests. */
  conversations(tenantId: number, range: TimeRange): Conversation[] {
    return this.read(tenantId, range).conversations;
  }

  report(tenant: AnalyticsTenant, range: TimeRange): Report {
    const { points, handovers, conversations } = this.read(tenant.id, range);
    const overview = computeOverview({
      range, points, handovers, conversations, businessHours: hoursOf(tenant), open: this.store.openRequests(tenant.id),
    });
    return { tenant: { slug: tenant.slug, name: tenant.name, timezone: tenant.timezone }, overview, managers: managersTable(handovers), reasons: countReasons(handovers) };
  }

  /** Questions handed over for lack of knowledge in the range, grouped by similarity, newest group first. */
  knowledgeGaps(tenantId: number, range: Pick<TimeRange, 'from' | 'to'>): KnowledgeGap[] {
    return knowledgeGaps(this.store.knowledgeGaps(tenantId, range.from, range.to));
  }

  /** The conversations of the range that match `filter`, newest first, with their customers' names. */
  searchConversations(tenantId: number, range: TimeRange, filter: ConversationFilter = {}): ConversationRow[] {
    const conversations = this.conversations(tenantId, range);
    const contacts = this.store.contacts(tenantId, [...new Set(conversations.map((c) => c.contactId))]);
    return searchConversations(toRows(conversations, contacts), filter);
  }

  private read(tenantId: number, range: TimeRange): { points: ReturnType<AnalyticsStore['messagePoints']>; handovers: HandoverFacts[]; conversations: Conversation[] } {
    const points = this.store.messagePoints(tenantId, range.from - CONVERSATION_GAP_MS, range.to + LOOKAHEAD_MS);
    const all = this.store.handovers(tenantId, range.from, range.to + LOOKAHEAD_MS);
    const handovers = all.filter((h) => h.createdAt < range.to);
    // The overview counts only the points inside the range (computeOverview); the rest finish conversations at its edges.
    return { points, handovers, conversations: conversationsOf(points, all, range.from, range.to) };
  }
}

function hoursOf(tenant: AnalyticsTenant): BusinessHours | null {
  return tenant.businessHours ? (JSON.parse(tenant.businessHours) as BusinessHours) : null;
}
