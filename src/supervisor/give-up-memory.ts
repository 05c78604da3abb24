import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * The last time `botctl run` gave up, kept in the data folder. systemd restarts the unit after each give-up
 * (Restart=always), and a worker that cannot start gives up again half a minute later: without this memory the
 * on-call chat would get the same alert every restart until systemd's start limit.
 */
export interface GiveUpRecord {
  child: string;
  failure: string;
  /** When the on-call chat was last told (epoch ms). */
  alertedAt: number;
  /** Give-ups of this kind since then, the told one included. */
  count: number;
}

export const GIVE_UP_FILE = 'supervisor-give-up.json';
/** The same failure is told again after this long, so a loop that lasts all night is not forgotten. */
export const REPEAT_ALERT_AFTER_MS = 60 * 60_000;

/** Whether this give-up is news: a different child or failure, or the last alert is older than `repeatAfterMs`. */
export function isNews(previous: GiveUpRecord | null, child: string, failure: string, now: number, repeatAfterMs = REPEAT_ALERT_AFTER_MS): boolean {
  return !previous || previous.child !== child || previous.failure !== failure || now - previous.alertedAt >= repeatAfterMs;
}

export function readGiveUp(path: string): GiveUpRecord | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<GiveUpRecord>;
    return typeof value.child === 'string' && typeof value.failure === 'string' && typeof value.alertedAt === 'number' && typeof value.count === 'number' ? (value as GiveUpRecord) : null;
  } catch {
    return null; // none yet, or unreadable: better one alert too many than none
  }
}

/** Written by rename, so a crash mid-write leaves the old record, never half a file. */
export function writeGiveUp(path: string, record: GiveUpRecord): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(record), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}
