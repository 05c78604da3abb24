import { describe, expect, test } from 'vitest';
import { LocalClock } from '../../../src/analytics/local-clock.js';
import { isOpen, parseBusinessHours } from '../../../src/tenants/business-hours.js';

describe('LocalClock agrees with isOpen', () => {
  const hours = parseBusinessHours('mon-fri 09:00-18:00; sat 10:00-14:00');
  test.each(['Europe/Moscow', 'Asia/Almaty', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'])('%s, every 7 minutes across two DST changes', (zone) => {
    const clock = new LocalClock(zone);
    const disagreements: string[] = [];
    for (const start of [Date.UTC(2026, 2, 26), Date.UTC(2026, 9, 22)]) {
      for (let at = start; at < start + 10 * 86_400_000; at += 7 * 60_000) {
        if (clock.isOpen(hours, at) !== isOpen(hours, zone, at)) disagreements.push(new Date(at).toISOString());
      }
    }
    expect(disagreements).toEqual([]);
  });
});
