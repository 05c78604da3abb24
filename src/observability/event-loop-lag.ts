import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';

export interface LagWindow {
  p99Ms: number;
  maxMs: number;
  /** How many delay samples the window holds; a window with few samples says little. */
  samples: number;
}

/** What the health check reads: the event loop delay of the recent past. */
export interface LagReader {
  recent(): LagWindow;
}

const NS_PER_MS = 1e6;

/**
 * Event loop delay from `perf_hooks.monitorEventLoopDelay`. Two ways to read it:
 * - `take()` reads and resets (one Prometheus scrape = one window);
 * - with `windowMs`, a timer closes a window every `windowMs`, and `recent()` reports the worse of the last closed
 *   window and the one in progress, so a health probe sees a stall even right after a window turned over.
 * The histogram samples on a libuv timer, so a blocked loop shows up as one long sample once it unblocks.
 */
export class EventLoopLag implements LagReader {
  private readonly histogram: ELDHistogram;
  private readonly timer: NodeJS.Timeout | null;
  private closed: LagWindow = { p99Ms: 0, maxMs: 0, samples: 0 };

  constructor(options: { resolutionMs?: number; windowMs?: number } = {}) {
    this.histogram = monitorEventLoopDelay({ resolution: options.resolutionMs ?? 20 });
    this.histogram.enable();
    this.timer = options.windowMs ? setInterval(() => (this.closed = this.take()), options.windowMs) : null;
    // The monitor must never keep a draining worker alive.
    this.timer?.unref();
  }

  /** The window so far, then a fresh one. */
  take(): LagWindow {
    const window = this.peek();
    this.histogram.reset();
    return window;
  }

  recent(): LagWindow {
    const current = this.peek();
    return current.samples > 0 && current.p99Ms >= this.closed.p99Ms ? current : { ...this.closed, maxMs: Math.max(this.closed.maxMs, current.maxMs) };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.histogram.disable();
  }

  private peek(): LagWindow {
    const samples = this.histogram.count;
    if (samples === 0) return { p99Ms: 0, maxMs: 0, samples: 0 };
    return { p99Ms: this.histogram.percentile(99) / NS_PER_MS, maxMs: this.histogram.max / NS_PER_MS, samples };
  }
}
