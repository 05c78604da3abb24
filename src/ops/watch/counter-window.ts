/**
 * How much a scraped number grew over the last `windowMs`, from the samples seen so far. For a counter a drop
 * means the process restarted (the new value is all growth); for a gauge (dead jobs) a drop is a retry or a
 * prune and adds nothing. The first sample is a baseline: growth before watch started is not known.
 */
export class GrowthWindow {
  private samples: { at: number; value: number }[] = [];

  constructor(private readonly windowMs: number, private readonly kind: 'counter' | 'gauge') {}

  add(at: number, value: number): void {
    this.samples.push({ at, value });
    // Keep one sample at or before the window's start, so the growth across the window's edge is counted.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
  }

  /** Growth within the window, or null before a second sample. */
  growth(): number | null {
    if (this.samples.length < 2) return null;
    let total = 0;
    for (let i = 1; i < this.samples.length; i++) {
      const step = this.samples[i]!.value - this.samples[i - 1]!.value;
      total += step >= 0 ? step : this.kind === 'counter' ? this.samples[i]!.value : 0;
    }
    return total;
  }
}
