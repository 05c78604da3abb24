/**
 * A CRM's request limit as the simulators enforce it: more than `perSecond` requests inside any window of one
 * second is over the limit. Each over-limit request is counted in `breaches`, so a test can assert the client
 * never exceeded it (the answer to it is the API's own rate-limit error).
 */
export class RateWindow {
  private readonly times: number[] = [];
  breaches = 0;

  constructor(public perSecond: number, private readonly clock: () => number = Date.now) {}

  /** Records a request; true when it is over the limit. */
  hit(): boolean {
    const now = this.clock();
    while (this.times.length > 0 && this.times[0]! <= now - 1000) this.times.shift();
    this.times.push(now);
    const over = this.times.length > this.perSecond;
    if (over) this.breaches++;
    return over;
  }
}
