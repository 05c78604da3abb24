/**
 * Keeps calls to one destination under `perSecond`: calls to a destination run one at a time, and each starts
 * at least `1000 / perSecond` ms (plus a margin) after the previous one *ended*. Spacing starts alone would not do:
 * a request delayed on its way (a busy host, a slow connect) can arrive right behind the next one. Spacing from
 * the end holds whatever the latency, because a request has arrived before its answer came back.
 *
 * In-process only: a stand-in until the job runner keeps per-destination budgets (then a job takes a unit of
 * `CRM_DESTINATIONS[provider].key(slug)` per call before it runs, and this pacer goes).
 */
export class RatePacer {
  private readonly lanes = new Map<string, { tail: Promise<void>; lastEnd: number }>();

  constructor(private readonly marginMs = 15) {}

  async run<T>(key: string, perSecond: number, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const lane = this.lanes.get(key) ?? { tail: Promise.resolve(), lastEnd: 0 };
    this.lanes.set(key, lane);
    const interval = Math.ceil(1000 / perSecond) + this.marginMs;
    let release!: () => void;
    const previous = lane.tail;
    lane.tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      await sleep(lane.lastEnd + interval - Date.now(), signal);
      return await fn();
    } finally {
      lane.lastEnd = Date.now();
      release();
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return signal?.aborted ? Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')) : Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }, { once: true });
  });
}
