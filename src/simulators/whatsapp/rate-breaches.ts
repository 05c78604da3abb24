/**
 * Counts how often recorded sends broke WhatsApp's throughput limits, for benchmarks of the send pipeline.
 *
 * - Per number: a send breaches when more than `perNumberPerSecond` sends of the same phone number id fall in the
 *   sliding second ending at it (Meta's default is 80 msg/s per number).
 * - Per pair (business number, customer): Meta allows about one message per `perPairSeconds` (6 s) to one user and
 *   lets bursts "borrow" from later quota. We model that as a token bucket per pair holding at most `pairBurst`
 *   tokens (default 1: strictly one message per 6 s), refilled by one token every `perPairSeconds`. Each send
 *   takes a token; a send that finds the bucket empty is a breach and takes nothing (Meta would have refused it).
 */

export interface RateLimits {
  perNumberPerSecond?: number;
  perPairSeconds?: number;
  pairBurst?: number;
}

export interface RateBreaches {
  /** Sends over the per-number limit. */
  perNumber: number;
  /** Sends over the per-pair limit. */
  perPair: number;
}

export interface TimedSend {
  phoneNumberId: string;
  to: string;
  at: number;
}

export function countRateBreaches(sends: readonly TimedSend[], limits: RateLimits = {}): RateBreaches {
  const perSecond = limits.perNumberPerSecond ?? 80;
  const refillMs = (limits.perPairSeconds ?? 6) * 1000;
  const burst = Math.max(1, limits.pairBurst ?? 1);

  let perNumber = 0;
  for (const times of groupTimes(sends, (s) => s.phoneNumberId)) {
    let start = 0;
    times.forEach((t, i) => {
      while (t - times[start]! >= 1000) start++;
      if (i - start + 1 > perSecond) perNumber++;
    });
  }

  let perPair = 0;
  for (const times of groupTimes(sends, (s) => `${s.phoneNumberId}\u0000${s.to}`)) {
    let tokens = burst;
    let last = times[0]!;
    for (const t of times) {
      tokens = Math.min(burst, tokens + (t - last) / refillMs);
      last = t;
      // The epsilon absorbs float drift from many fractional refills.
      if (tokens >= 1 - 1e-9) tokens -= 1;
      else perPair++;
    }
  }
  return { perNumber, perPair };
}

function groupTimes(sends: readonly TimedSend[], key: (s: TimedSend) => string): number[][] {
  const groups = new Map<string, number[]>();
  for (const s of sends) {
    const list = groups.get(key(s)) ?? [];
    list.push(s.at);
    groups.set(key(s), list);
  }
  return [...groups.values()].map((times) => times.sort((a, b) => a - b));
}
