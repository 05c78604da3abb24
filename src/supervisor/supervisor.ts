import type { Logger } from '../observability/logger.js';
import { scrubText } from '../observability/redact.js';
import { describeExit, type ChildExit, type ChildSpec } from './child-spec.js';
import { healthVerdict, probeHttp } from './health-probe.js';
import { outputLine } from './output-line.js';
import { decideRestart, NO_RESTARTS, type RestartPolicy, type RestartState } from './restart-policy.js';
import { RunningChild, type OutputStream } from './running-child.js';
import type { SdNotifier } from './sd-notify.js';

/** What the on-call alert says when a child restarts too often. */
export interface GiveUpReport {
  child: string;
  restarts: number;
  windowMs: number;
  /** "exited with code 1", "was killed by SIGKILL", "its health check has failed for 15.0 s". */
  lastFailure: string;
  /** The child's last output lines (stderr first when it wrote any), secrets scrubbed. */
  lastOutput: string[];
}

export interface SupervisorDeps {
  logger: Logger;
  policy: RestartPolicy;
  notifier: SdNotifier;
  /** Sends the one alert of a give-up; awaited (bounded by the caller) before the supervisor exits. */
  onGiveUp(report: GiveUpReport): Promise<void>;
  /** Where children's own JSON log lines go, unchanged (stdout, i.e. the journal). */
  write?: (line: string) => void;
  clock?: () => number;
}

/** A health restart sends SIGTERM, then SIGKILL after this: a blocked event loop never handles the SIGTERM. */
const UNHEALTHY_KILL_GRACE_MS = 3000;

interface Slot {
  spec: ChildSpec;
  child: RunningChild | null;
  restarts: RestartState;
  backoff: NodeJS.Timeout | null;
  healthTimer: NodeJS.Timeout | null;
  lastOkAt: number | null;
  /** Why the supervisor itself killed the current child (a failed health check), else null. */
  killedBecause: string | null;
  ready: boolean;
}

/**
 * `botctl run`'s loop: starts the children in order, restarts one that exits or fails its health check (backoff,
 * restart intensity), and on stop() drains them in reverse order (the worker before Litestream, so the worker's
 * last commits are replicated). `run()` resolves with the process exit code: 0 after a drain, 1 after giving up.
 */
export class Supervisor {
  private readonly slots: Slot[];
  private readonly clock: () => number;
  private stopping = false;
  private gaveUp = false;
  private readySent = false;
  private watchdog: NodeJS.Timeout | null = null;
  private finish: (code: number) => void = () => undefined;

  constructor(specs: ChildSpec[], private readonly deps: SupervisorDeps) {
    this.clock = deps.clock ?? Date.now;
    this.slots = specs.map((spec) => ({ spec, child: null, restarts: NO_RESTARTS, backoff: null, healthTimer: null, lastOkAt: null, killedBecause: null, ready: false }));
  }

  run(): Promise<number> {
    const done = new Promise<number>((resolve) => {
      this.finish = resolve;
    });
    const interval = this.deps.notifier.watchdogIntervalMs;
    if (interval !== null) {
      // Pinged from this process's own timer: if the supervisor's loop stalls, systemd notices and restarts the unit.
      this.watchdog = setInterval(() => void this.deps.notifier.watchdog(), interval);
      void this.deps.notifier.watchdog();
    }
    for (const slot of this.slots) this.start(slot);
    return done;
  }

  /** Drains: no more restarts; children get SIGTERM one at a time in reverse start order, each up to its stop timeout. */
  async stop(reason: string): Promise<void> {
    if (this.stopping) return;
    await this.drain(reason);
    if (!this.gaveUp) this.finish(0);
  }

  /** A second signal while draining: SIGKILL everything now. */
  killAll(): void {
    for (const slot of this.slots) {
      this.quiet(slot);
      slot.child?.signal('SIGKILL');
    }
  }

  private async drain(reason: string): Promise<void> {
    this.stopping = true;
    this.deps.logger.info({ reason }, 'draining');
    void this.deps.notifier.stopping(`draining (${reason})`);
    for (const slot of this.slots) this.quiet(slot);
    for (const slot of [...this.slots].reverse()) {
      const child = slot.child;
      if (!child) continue;
      const early = slot.spec.minUptimeBeforeStopMs - (this.clock() - child.startedAt);
      if (early > 0) await Promise.race([child.exited, new Promise((r) => setTimeout(r, early))]);
      const exit = await child.stop(slot.spec.stopTimeoutMs);
      this.deps.logger.info({ child: slot.spec.name, pid: child.pid, code: exit.code, signal: exit.signal }, 'child stopped');
    }
    if (this.watchdog) clearInterval(this.watchdog);
  }

  private start(slot: Slot): void {
    slot.backoff = null;
    if (this.stopping) return;
    const child = RunningChild.spawn(slot.spec, this.clock, (stream, line) => this.forward(slot.spec, stream, line));
    slot.child = child;
    slot.lastOkAt = null;
    slot.killedBecause = null;
    slot.ready = false;
    this.deps.logger.info({ child: slot.spec.name, pid: child.pid }, 'child started');
    void child.exited.then((exit) => this.onExit(slot, child, exit));
    if (slot.spec.health) {
      // The first probe comes soon, so READY reaches systemd as soon as the worker serves.
      this.scheduleProbe(slot, child, Math.min(250, slot.spec.health.intervalMs));
    } else {
      this.markReady(slot, child);
    }
  }

  /** Probes are chained, not on an interval: a probe that hangs until its timeout never overlaps the next. */
  private scheduleProbe(slot: Slot, child: RunningChild, delayMs: number): void {
    slot.healthTimer = setTimeout(() => {
      void this.probe(slot, child).then(() => {
        if (slot.child === child && slot.healthTimer && !slot.killedBecause && !this.stopping) this.scheduleProbe(slot, child, slot.spec.health!.intervalMs);
      });
    }, delayMs);
  }

  private async probe(slot: Slot, child: RunningChild): Promise<void> {
    const health = slot.spec.health;
    if (!health || slot.child !== child || slot.killedBecause || this.stopping) return;
    const result = await probeHttp(health.url, health.timeoutMs);
    if (slot.child !== child || slot.killedBecause || this.stopping) return;
    const now = this.clock();
    if (result.ok) {
      if (slot.lastOkAt === null) this.markReady(slot, child);
      slot.lastOkAt = now;
      return;
    }
    const verdict = healthVerdict(health, child.startedAt, slot.lastOkAt, now);
    if (verdict.state !== 'unhealthy') {
      if (verdict.state === 'healthy') this.deps.logger.warn({ child: slot.spec.name, pid: child.pid, probe: result.detail }, 'health check failed');
      return;
    }
    slot.killedBecause = verdict.reason;
    this.quiet(slot);
    this.deps.logger.error({ child: slot.spec.name, pid: child.pid, probe: result.detail, silentForMs: verdict.silentForMs }, `child is unhealthy (${verdict.reason}); restarting it`);
    await child.stop(UNHEALTHY_KILL_GRACE_MS);
  }

  private markReady(slot: Slot, child: RunningChild): void {
    slot.ready = true;
    this.deps.logger.info({ child: slot.spec.name, pid: child.pid }, 'child ready');
    if (this.slots.every((s) => s.ready)) {
      const status = this.slots.map((s) => `${s.spec.name} pid ${s.child?.pid ?? '-'}`).join(', ');
      if (!this.readySent) {
        this.readySent = true;
        void this.deps.notifier.ready(`running: ${status}`);
      } else {
        void this.deps.notifier.status(`running: ${status}`);
      }
    }
  }

  private onExit(slot: Slot, child: RunningChild, exit: ChildExit): void {
    if (slot.child !== child) return;
    this.quiet(slot);
    slot.child = null;
    slot.ready = false;
    if (this.stopping) return;
    const failure = slot.killedBecause ?? describeExit(exit);
    const decision = decideRestart(slot.restarts, this.clock(), exit.uptimeMs, this.deps.policy);
    slot.restarts = decision.state;
    const log = { child: slot.spec.name, pid: child.pid, code: exit.code, signal: exit.signal, uptimeMs: exit.uptimeMs };
    if (decision.action === 'give-up') {
      void this.giveUp(slot, child, failure, decision.restarts);
      return;
    }
    this.deps.logger.warn({ ...log, restartInMs: decision.delayMs, restartsInWindow: decision.state.recent.length }, `child ${failure}; restarting it`);
    void this.deps.notifier.status(`${slot.spec.name} ${failure}; restarting (${decision.state.recent.length} in the window)`);
    slot.backoff = setTimeout(() => this.start(slot), decision.delayMs);
  }

  private async giveUp(slot: Slot, child: RunningChild, failure: string, restarts: number): Promise<void> {
    if (this.gaveUp) return;
    this.gaveUp = true;
    const { windowMs } = this.deps.policy;
    this.deps.logger.fatal({ child: slot.spec.name, restarts, windowMs }, `${slot.spec.name} ${failure} after ${restarts} restarts within ${Math.round(windowMs / 1000)} s; giving up so systemd takes over`);
    const errors = child.lastLines.filter((l) => l.stream === 'stderr');
    const lastOutput = (errors.length > 0 ? errors : child.lastLines).slice(-3).map((l) => scrubText(l.line).slice(0, 500));
    // The alert and the drain of the other children run together; the alert is bounded by the caller.
    await Promise.all([
      this.deps.onGiveUp({ child: slot.spec.name, restarts, windowMs, lastFailure: failure, lastOutput }).catch((err: Error) => {
        this.deps.logger.error({ err: err.message }, 'the give-up alert could not be sent');
      }),
      this.drain(`${slot.spec.name} restarted too often`),
    ]);
    this.finish(1);
  }

  /** Stops the timers of a slot (health probes, a pending restart). */
  private quiet(slot: Slot): void {
    if (slot.healthTimer) clearTimeout(slot.healthTimer);
    if (slot.backoff) clearTimeout(slot.backoff);
    slot.healthTimer = null;
    slot.backoff = null;
  }

  private forward(spec: ChildSpec, stream: OutputStream, line: string): void {
    const out = outputLine(spec, stream, line);
    if ('level' in out) this.deps.logger[out.level]({ child: spec.name, ...out.fields }, out.message);
    else (this.deps.write ?? ((l: string) => process.stdout.write(`${l}\n`)))(out.raw);
  }
}
