import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { emptyState, type WatchState } from './engine.js';

/**
 * Alert state in a small JSON file (by default beside botctl.db), so a restarted watch neither re-announces what
 * on-call already heard nor forgets to say "resolved". A file rather than a table: watch also runs on another
 * host against a remote cell, where there is no database (docs/decisions/0012-watch-alerting.md).
 */
export class StateFile {
  constructor(readonly path: string) {}

  /** The saved state; an empty one when there is none yet. A damaged file is set aside, not fatal. */
  load(): { state: WatchState; problem: string | null } {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: emptyState(), problem: null };
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as WatchState;
      if (parsed?.version !== 1 || typeof parsed.alerts !== 'object' || parsed.alerts === null) throw new Error('not a watch state');
      return { state: parsed, problem: null };
    } catch (err) {
      const aside = `${this.path}.damaged-${Date.now()}`;
      renameSync(this.path, aside);
      return { state: emptyState(), problem: `${this.path} was unreadable (${(err as Error).message}); moved to ${aside} and started afresh` };
    }
  }

  /** The saved state for display (botctl status), or null when absent or unreadable; never changes anything. */
  peek(): WatchState | null {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as WatchState;
      return parsed?.version === 1 && typeof parsed.alerts === 'object' && parsed.alerts !== null ? parsed : null;
    } catch {
      return null;
    }
  }

  /** Write-then-rename, so a crash mid-write leaves the previous state rather than half a file. */
  save(state: WatchState): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
