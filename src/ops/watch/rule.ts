import type { Facts } from './facts.js';

/** One problem a rule sees now. `key` identifies it across evaluations (rule id plus subject, e.g. a tenant). */
export interface Finding {
  key: string;
  /** The tenant or thing it is about; null for cell-wide problems. */
  subject: string | null;
  /** What is wrong, with the numbers. */
  summary: string;
  /** What to do about it: commands and settings, not advice to "investigate". */
  fix: string;
}

export interface Rule {
  id: string;
  /** Headline in alert messages. */
  title: string;
  /** How long a finding must hold before it fires (see Policy for flapping). */
  forMs: number;
  /** Pure: the findings for these facts, or null when the facts needed are unknown (not the same as none). */
  evaluate(facts: Facts, limits: Limits): Finding[] | null;
}

/** Thresholds of the rules; the collection windows live here too so rules and collectors agree. */
export interface Limits {
  /** The oldest due pending job may wait this long. */
  backlogMs: number;
  /** A dead job alerts for this long after it died (or until retried). */
  deadWindowMs: number;
  /** Window of the outbound and LLM failure rates. */
  rateWindowMs: number;
  outboundFailureRate: number;
  llmErrorRate: number;
  /** Fewer attempts than this in the window say nothing about a rate. */
  minSample: number;
  /** A tenant is silent after silentFactor × its longest gap of the history window … */
  silentFactor: number;
  silentHistoryMs: number;
  /** … only with this much history and this many inbound messages … */
  silentMinHistoryMs: number;
  silentMinMessages: number;
  /** … and never sooner than this. */
  silentFloorMs: number;
  diskMaxRatio: number;
  replicaMaxAgeMs: number;
  /** A tenant's group or number whose jobs wait this long for its rate budget is saturated. */
  saturatedMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_LIMITS: Limits = {
  saturatedMs: 3 * MINUTE,
  backlogMs: 5 * MINUTE,
  deadWindowMs: DAY,
  rateWindowMs: 15 * MINUTE,
  outboundFailureRate: 0.2,
  llmErrorRate: 0.3,
  minSample: 10,
  silentFactor: 2,
  silentHistoryMs: 14 * DAY,
  silentMinHistoryMs: 7 * DAY,
  silentMinMessages: 30,
  silentFloorMs: 2 * HOUR,
  diskMaxRatio: 0.9,
  replicaMaxAgeMs: 15 * MINUTE,
};

/** A list of names for a message: the first few, then how many more. */
export function someOf(names: readonly string[], shown = 5): string {
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}
