import type { HandoverFacts } from '../storage/analytics-store.js';
import { spread, type Spread } from './stats.js';

/** One line of the managers' table. A manager is known by their Telegram id; the name is the latest one recorded. */
export interface ManagerRow {
  id: number;
  name: string;
  /** Requests they hold or held at the end (taken, reassigned to them). */
  taken: number;
  resolved: number;
  /** From the request's opening to the first reply that reached the customer, for requests they took. */
  firstResponse: Spread;
  /** From the request's opening to their take. */
  timeToTake: Spread;
  /** Reminders the desk had to send them after they took a request and did not answer. */
  reminders: number;
}

/**
 * The managers' table over `handovers` (opened in the range). It reads only the handovers' own records, so a manager
 * who has since left the group keeps their line. A request resolved by the operator (no Telegram id) counts for no one.
 */
export function managersTable(handovers: readonly HandoverFacts[]): ManagerRow[] {
  const rows = new Map<number, { name: string; nameAt: number; taken: number; resolved: number; first: number[]; take: number[]; reminders: number }>();
  const row = (id: number, name: string | null, at: number) => {
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { name: name ?? String(id), nameAt: at, taken: 0, resolved: 0, first: [], take: [], reminders: 0 }));
    if (name && at >= r.nameAt) {
      r.name = name;
      r.nameAt = at;
    }
    return r;
  };
  for (const h of handovers) {
    if (h.assignedToId !== null && h.takenAt !== null) {
      const r = row(h.assignedToId, h.assignedToName, h.takenAt);
      r.taken++;
      r.take.push(h.takenAt - h.createdAt);
      if (h.firstResponseAt !== null) r.first.push(h.firstResponseAt - h.createdAt);
      r.reminders += h.remindersAfterTake;
    }
    if (h.resolvedById !== null && h.resolvedAt !== null) row(h.resolvedById, h.resolvedByName, h.resolvedAt).resolved++;
  }
  return [...rows].map(([id, r]) => ({ id, name: r.name, taken: r.taken, resolved: r.resolved, firstResponse: spread(r.first), timeToTake: spread(r.take), reminders: r.reminders }))
    .sort((a, b) => b.taken - a.taken || b.resolved - a.resolved || a.name.localeCompare(b.name));
}
