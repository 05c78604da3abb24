/**
 * Spaces calls to one destination so that no window of one second holds more than `perSecond` of them: each call
 * waits for its slot (`1000 / perSecond` ms after the previous one, plus a small margin for clock and network
 * jitter). In-process only: a stand-in until the job runner keeps per-destination budgets (then a job takes a unit
 * of `CRM_DESTINATIONS[provider].key(slug)` per call before it runs, and this pacer goes).
 */
export class RatePacer {
  private readonly next = new Map<string, number>();

  constructor(private readonly clock: () => number = Date.now, private readonly marginMs = 15) {}

  async take(key: string, perSecond: number, signal?: AbortSignal): Promise<void> {
    const interval = Math.ceil(1000 / perSecond) + this.marginMs;
    const now = this.clock();
    const slot = Math.max(now, this.next.get(key) ?? 0);
    this.next.set(key, slot + interval);
    const wait = slot - now;
    if (wait <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, wait);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      }, { once: true });
    });
  }
}
