/**
 * When to restart a child and when to give up (DESIGN.md, Processes): exponential backoff between restarts,
 * and a restart-intensity limit in the manner of Erlang/OTP supervisors — more than `maxRestarts` restarts
 * within `windowMs` means restarting does not help, so the supervisor alerts and exits for systemd to take over.
 * Pure functions: the supervisor loop owns the clock and the state.
 */
export interface RestartPolicy {
  /** Delay before the first restart after a stable run (the issue asks for "within 2 s"). */
  initialDelayMs: number;
  /** The delay doubles with every restart in a row, up to this. */
  maxDelayMs: number;
  /** Most restarts of one child allowed within `windowMs`; one more and the supervisor gives up. */
  maxRestarts: number;
  windowMs: number;
  /** A child that ran this long before exiting starts the backoff over (it was not a crash loop). */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRestarts: 5,
  windowMs: 5 * 60_000,
  stableAfterMs: 60_000,
};

/** What the supervisor remembers about one child's restarts. */
export interface RestartState {
  /** Restarts in a row without a stable run in between (0 = the next restart is the first). */
  inARow: number;
  /** Times of the restarts still inside the window, oldest first. */
  recent: readonly number[];
}

export const NO_RESTARTS: RestartState = { inARow: 0, recent: [] };

export type RestartDecision =
  | { action: 'restart'; delayMs: number; state: RestartState }
  | { action: 'give-up'; restarts: number; state: RestartState };

/** The delay before restart number `inARow` (1-based): initial, doubling, capped. */
export function backoffDelay(inARow: number, policy: RestartPolicy): number {
  const exponent = Math.max(0, inARow - 1);
  // 2 ** 40 ms is centuries: past that the cap has long applied, and the power would lose precision.
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(exponent, 40));
}

/**
 * Decides what follows a child's exit at `now`, after it ran for `uptimeMs`. Restarting would be restart number
 * `recent.length + 1` inside the window: beyond `maxRestarts` the answer is to give up.
 */
export function decideRestart(state: RestartState, now: number, uptimeMs: number, policy: RestartPolicy): RestartDecision {
  const recent = state.recent.filter((at) => now - at < policy.windowMs);
  const inARow = (uptimeMs >= policy.stableAfterMs ? 0 : state.inARow) + 1;
  if (recent.length + 1 > policy.maxRestarts) {
    return { action: 'give-up', restarts: recent.length, state: { inARow, recent } };
  }
  return { action: 'restart', delayMs: backoffDelay(inARow, policy), state: { inARow, recent: [...recent, now] } };
}

/** Checks a policy given on the command line; returns the problem in words, or null. */
export function policyProblem(policy: RestartPolicy): string | null {
  if (policy.initialDelayMs > policy.maxDelayMs) return 'the first restart delay is longer than the longest one';
  if (policy.maxRestarts < 1) return 'at least one restart must be allowed';
  if (policy.windowMs <= 0) return 'the restart window must be longer than 0';
  return null;
}
