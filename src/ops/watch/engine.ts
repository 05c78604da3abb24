import type { Evaluation } from './rules.js';

/**
 * How alerts turn into messages (docs/decisions/0012-watch-alerting.md). A finding fires after it held for its
 * rule's `for`, or at once when it keeps coming back (flapOnsets onsets within flapWindow). A firing alert resolves
 * only after it stayed clear for clearFor. On-call hears "firing" once, a reminder every repeat while it holds,
 * "resolved" once. After a resolved message, an alert that keeps coming back (flapOnsets onsets in flapWindow, each
 * run shorter than max(for, clearFor)) stays quiet for cooldown, so the flaps merge into one "flapping" message; a
 * second outage that holds for its rule's `for` (or a flap that starts to last) is announced at once: the cooldown
 * never hides an outage. Such a reopened alert resolves only after staying clear for the cooldown, so repeated
 * outages cost one "back again" and one "resolved", not a pair each (docs/decisions/0023). Messages are at least minGap apart so a burst of changes becomes one message.
 */
export interface Policy {
  repeatMs: number;
  clearForMs: number;
  cooldownMs: number;
  flapOnsets: number;
  flapWindowMs: number;
  minGapMs: number;
  /** Per-rule overrides of `for` (tests, and operators via flags). */
  forMs?: Record<string, number>;
}

const MINUTE = 60_000;
export const DEFAULT_POLICY: Policy = {
  repeatMs: 3 * 60 * MINUTE,
  clearForMs: 5 * MINUTE,
  cooldownMs: 30 * MINUTE,
  flapOnsets: 3,
  flapWindowMs: 15 * MINUTE,
  minGapMs: 2 * MINUTE,
};

/** One alert (rule + subject): what is true now, and what on-call was last told. Serialised as is. */
export interface AlertRecord {
  key: string;
  rule: string;
  title: string;
  subject: string | null;
  summary: string;
  fix: string;
  /** Start of the current unbroken run of the condition; null while it is clear. */
  since: number | null;
  /** Start of the current clear run; null while the condition holds. */
  clearSince: number | null;
  firing: boolean;
  firedAt: number | null;
  /** Fired by coming back again and again rather than by holding for `for`. */
  flapping: boolean;
  /** When the condition began to hold, each time, within the flap window. */
  onsets: number[];
  told: 'firing' | 'resolved' | null;
  toldAt: number | null;
  /** When on-call was first told of the current firing. */
  toldFiringAt: number | null;
  /**
   * It fired again within the cooldown after on-call was told it resolved: it is announced, but resolves only after
   * staying clear for the cooldown, so an alert that keeps coming back costs one "back again", not a pair each time.
   */
  reopened?: boolean;
}

export interface WatchState {
  version: 1;
  alerts: Record<string, AlertRecord>;
  lastTickAt: number | null;
  lastSentAt: number | null;
}

export interface Notification {
  kind: 'firing' | 'repeat' | 'resolved';
  key: string;
  rule: string;
  title: string;
  subject: string | null;
  summary: string;
  fix: string;
  /** firing: it came back after a recent "resolved"; repeat: when it was first announced; resolved: how long it fired. */
  reopened: boolean;
  flapping: boolean;
  sinceAt: number | null;
}

export function emptyState(): WatchState {
  return { version: 1, alerts: {}, lastTickAt: null, lastSentAt: null };
}

/** Pure: the state after seeing these evaluations at `now`. Rules whose facts are unknown leave their alerts as they were. */
export function observe(state: WatchState, evaluations: readonly Evaluation[], now: number, policy: Policy): WatchState {
  const alerts: Record<string, AlertRecord> = structuredClone(state.alerts);
  const known = new Set(evaluations.map((e) => e.rule.id));
  for (const { rule, findings } of evaluations) {
    if (findings === null) continue;
    const forMs = policy.forMs?.[rule.id] ?? rule.forMs;
    const present = new Set<string>();
    for (const finding of findings) {
      if (present.has(finding.key)) continue;
      present.add(finding.key);
      const rec = alerts[finding.key] ?? newRecord(rule.id, rule.title, finding.key);
      if (rec.since === null) {
        rec.since = now;
        rec.clearSince = null;
        rec.onsets.push(now);
      }
      rec.onsets = rec.onsets.filter((t) => now - t < policy.flapWindowMs);
      Object.assign(rec, { title: rule.title, subject: finding.subject, summary: finding.summary, fix: finding.fix });
      const held = now - rec.since >= forMs;
      // A run that lasts as long as it takes to call a clear condition resolved is an outage, however often the
      // condition came and went before.
      const lasting = now - rec.since >= Math.max(forMs, policy.clearForMs);
      const flaps = rec.onsets.length >= policy.flapOnsets;
      if (!rec.firing) {
        if (held || flaps) {
          const reopened = rec.told === 'resolved' && now - (rec.toldAt ?? 0) < policy.cooldownMs;
          Object.assign(rec, { firing: true, firedAt: now, flapping: !held || (flaps && !lasting), reopened });
        }
      } else if (rec.flapping && held && lasting) {
        // It fired by coming back again and again, and now it stays: an outage, which no cooldown may hold back.
        rec.flapping = false;
      }
      alerts[finding.key] = rec;
    }
    for (const rec of Object.values(alerts)) {
      if (rec.rule === rule.id && !present.has(rec.key)) clear(rec, now, rec.reopened ? Math.max(policy.clearForMs, policy.cooldownMs) : policy.clearForMs, policy.flapWindowMs);
    }
  }
  // A rule this botctl no longer has (after an upgrade) can never clear by itself.
  for (const rec of Object.values(alerts)) if (!known.has(rec.rule)) clear(rec, now, 0, policy.flapWindowMs);
  return { ...state, alerts, lastTickAt: now };
}

function clear(rec: AlertRecord, now: number, clearForMs: number, flapWindowMs: number): void {
  if (rec.since !== null) {
    rec.since = null;
    rec.clearSince = now;
  }
  rec.onsets = rec.onsets.filter((t) => now - t < flapWindowMs);
  if (rec.firing && now - (rec.clearSince ?? now) >= clearForMs) Object.assign(rec, { firing: false, reopened: false });
}

/**
 * Pure: what on-call must be told now, and the state once they have been. The caller keeps `next` only when the
 * message was delivered, so an undelivered alert is tried again on the next tick.
 */
export function announce(state: WatchState, now: number, policy: Policy): { notifications: Notification[]; next: WatchState } {
  if (state.lastSentAt !== null && now - state.lastSentAt < policy.minGapMs) return { notifications: [], next: state };
  const alerts: Record<string, AlertRecord> = structuredClone(state.alerts);
  const notifications: Notification[] = [];
  const note = (rec: AlertRecord, kind: Notification['kind'], reopened: boolean, sinceAt: number | null) => notifications.push({
    kind, key: rec.key, rule: rec.rule, title: rec.title, subject: rec.subject, summary: rec.summary, fix: rec.fix, reopened, flapping: rec.flapping, sinceAt,
  });
  for (const rec of Object.values(alerts)) {
    if (rec.firing && rec.told !== 'firing') {
      // It keeps coming back soon after on-call was told it cleared: hold the flaps until the cooldown ends, then say
      // it is back (flapping). One that held for its rule's `for` is an outage: told now, cooldown or not.
      if (rec.told === 'resolved' && rec.flapping && now - (rec.toldAt ?? 0) < policy.cooldownMs) continue;
      note(rec, 'firing', rec.told === 'resolved', rec.firedAt);
      Object.assign(rec, { told: 'firing', toldAt: now, toldFiringAt: now });
    } else if (rec.firing && now - (rec.toldAt ?? 0) >= policy.repeatMs) {
      note(rec, 'repeat', false, rec.toldFiringAt);
      rec.toldAt = now;
    } else if (!rec.firing && rec.told === 'firing') {
      note(rec, 'resolved', false, rec.toldFiringAt);
      Object.assign(rec, { told: 'resolved', toldAt: now });
    }
    const idle = !rec.firing && rec.since === null && rec.onsets.length === 0;
    if (idle && (rec.told === null || (rec.told === 'resolved' && now - (rec.toldAt ?? 0) >= policy.cooldownMs))) delete alerts[rec.key];
  }
  return { notifications, next: { ...state, alerts, lastSentAt: notifications.length > 0 ? now : state.lastSentAt } };
}

function newRecord(rule: string, title: string, key: string): AlertRecord {
  return {
    key, rule, title, subject: null, summary: '', fix: '', since: null, clearSince: null, firing: false, firedAt: null,
    flapping: false, onsets: [], told: null, toldAt: null, toldFiringAt: null,
  };
}

/** Alerts firing now (whether or not on-call has been told yet). */
export function firingAlerts(state: WatchState): AlertRecord[] {
  return Object.values(state.alerts).filter((a) => a.firing);
}
