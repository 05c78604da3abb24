import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, UserError } from '../../errors.js';
import { scrubText } from '../../observability/redact.js';
import type { AlertSink } from './alert-sink.js';
import { announce, observe, type Notification, type Policy, type WatchState } from './engine.js';
import type { Facts } from './facts.js';
import { renderAlertMessage } from './render.js';
import type { Limits } from './rule.js';
import { evaluateRules, RULES, type Evaluation } from './rules.js';
import type { Rule } from './rule.js';

export interface StateStore {
  load(): { state: WatchState; problem: string | null };
  save(state: WatchState): void;
}

export interface WatcherDeps {
  collect: () => Promise<Facts>;
  sink: AlertSink;
  store: StateStore;
  limits: Limits;
  policy: Policy;
  /** The cell's name in messages (host name or public URL host). */
  cell: string;
  clock: () => number;
  rules?: readonly Rule[];
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface TickResult {
  facts: Facts;
  evaluations: Evaluation[];
  /** What on-call was told this tick (empty when nothing changed, or when sending failed). */
  sent: Notification[];
  sendError: string | null;
}

/** One watch: collect → evaluate → observe → announce → send → persist, once per tick. */
export class Watcher {
  state: WatchState;

  constructor(private readonly deps: WatcherDeps) {
    const { state, problem } = deps.store.load();
    this.state = state;
    if (problem) deps.log?.('warn', problem);
  }

  async tick(): Promise<TickResult> {
    const d = this.deps;
    const facts = await d.collect();
    const evaluations = evaluateRules(facts, d.limits, d.rules ?? RULES);
    const now = d.clock();
    const observed = observe(this.state, evaluations, now, d.policy);
    const { notifications, next } = announce(observed, now, d.policy);
    let sent: Notification[] = [];
    let sendError: string | null = null;
    this.state = observed;
    if (notifications.length > 0) {
      try {
        await d.sink.send(renderAlertMessage(notifications, { cell: d.cell, now }));
        this.state = next;
        sent = notifications;
        d.log?.('info', 'alert sent', { firing: notifications.filter((n) => n.kind !== 'resolved').map((n) => n.key), resolved: notifications.filter((n) => n.kind === 'resolved').map((n) => n.key) });
      } catch (err) {
        // Not marked as told: the same alerts are tried again next tick.
        sendError = scrubText(err instanceof UserError ? err.toString() : errorMessage(err));
        d.log?.('error', 'alert not delivered; retrying next tick', { error: sendError, pending: notifications.map((n) => n.key) });
      }
    }
    d.store.save(this.state);
    return { facts, evaluations, sent, sendError };
  }

  /** Ticks every `intervalMs` until `signal` aborts; a failing tick is logged and the loop goes on. */
  async run(intervalMs: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = Date.now();
      try {
        await this.tick();
      } catch (err) {
        this.deps.log?.('error', 'watch tick failed', { error: scrubText(errorMessage(err)) });
      }
      try {
        await sleep(Math.max(0, intervalMs - (Date.now() - started)), undefined, { signal });
      } catch {
        return; // aborted
      }
    }
  }
}
