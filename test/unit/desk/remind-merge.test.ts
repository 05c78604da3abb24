import { describe, expect, test } from 'vitest';
import { remind, reminderStep } from '../../../src/desk/jobs/remind.js';
import type { Job } from '../../../src/jobs/types.js';
import { CHAT, cell, T0 } from './desk-cell.js';

const MIN = 60_000;
const reminderJob = (handoverId: number, n = 1): Job => ({ id: handoverId, kind: 'desk.remind', tenantId: 1, payload: { handoverId, reminder: 'untaken', n } } as unknown as Job);

/** Requests 1…count waiting with their cards posted (defaults: first reminder 5 min after the request began waiting). */
function carded(count: number) {
  const c = cell();
  for (let n = 1; n <= count; n++) {
    c.open(n);
    c.db.prepare('UPDATE handovers SET telegram_chat_id = ?, telegram_message_id = ? WHERE id = ?').run(CHAT, 10 + n, n);
    c.db.prepare('UPDATE conversations SET handover_id = ? WHERE id = ?').run(n, n);
  }
  return c;
}

describe('reminders due together for one group go out as one message', () => {
  test('the first due reminder names every request due within a minute; their own jobs then post nothing', async () => {
    const c = carded(3);
    // Request 3 began waiting 2 minutes after the others: its reminder is not due with theirs.
    c.db.prepare('UPDATE conversations SET state_changed_at = ? WHERE id = 3').run(T0 + 2 * MIN);
    c.setNow(T0 + 5 * MIN + 1000);
    expect(reminderStep(c.ctx.store, reminderJob(1), T0 + 5 * MIN + 1000).action).toBe('post');
    await remind(reminderJob(1), c.ctx);
    expect(c.api.calls).toHaveLength(1);
    expect(c.api.calls[0]!.text).toMatch(/^⏰ Всё ещё ждут менеджера \(2\): №1 \d+ мин, №2 \d+ мин\./);
    expect(c.api.calls[0]!.chatId).toBe(CHAT);

    // Request 2's own job finds its reminder sent: nothing to post, so it also needs no unit of the group's budget.
    expect(reminderStep(c.ctx.store, reminderJob(2), T0 + 5 * MIN + 2000).action).toBe('skip');
    await remind(reminderJob(2), c.ctx);
    expect(c.api.calls).toHaveLength(1);
    // Both have their next reminder scheduled; request 3 is reminded on its own time.
    expect(c.enqueued.filter((j) => j.kind === 'desk.remind').map((j) => j.payload)).toEqual([
      { handoverId: 1, reminder: 'untaken', n: 2 }, { handoverId: 2, reminder: 'untaken', n: 2 },
    ]);
    expect(reminderStep(c.ctx.store, reminderJob(3), T0 + 5 * MIN + 2000)).toMatchObject({ action: 'wait', at: T0 + 7 * MIN });
  });

  test('a reminder with nothing due beside it is posted under its own card as before', async () => {
    const c = carded(1);
    c.setNow(T0 + 5 * MIN + 1000);
    await remind(reminderJob(1), c.ctx);
    expect(c.api.calls).toHaveLength(1);
    expect(c.api.calls[0]!.text).toMatch(/^⏰ Запрос №1 ждёт уже \d+ мин/);
  });
});
