import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { LearningStore } from '../../src/storage/learning-store.js';
import { botctl, initCell, type TempCell } from '../helpers/cli.js';

const PASSPHRASE = { BOTCTL_TRANSFER_PASSPHRASE: 'four random words here' };
let a: TempCell;
let b: TempCell;

const run = async (cell: TempCell, args: string[], env: Record<string, string> = {}) => botctl(args, { ...cell.env, ...env });

/** Learned entries as managers' presses leave them (the Telegram path is covered by test/e2e/learning-*.test.ts). */
function teach(cell: TempCell, slug: string, entries: { question: string; answer: string; by: string; request: number }[]): number[] {
  const db = new Database(join(cell.dataDir, 'botctl.db'));
  try {
    const tenantId = (db.prepare('SELECT id FROM tenants WHERE slug = ?').get(slug) as { id: number }).id;
    const store = new LearningStore(db);
    return store.transaction(() => {
      const ids = entries.map((e) => store.insertImported(tenantId, { origin: 'taught', question: e.question, answer: e.answer, handoverNumber: e.request, createdByName: e.by, createdAt: Date.UTC(2026, 11, 1), decidedByName: e.by, decidedAt: Date.UTC(2026, 11, 1, 0, 5) }, Date.now()));
      store.rebuildLearnedSource(tenantId, Date.now());
      return ids;
    });
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  [a, b] = await Promise.all([initCell(), initCell()]);
  const add = await run(a, ['tenant', 'add', 'smile', '--name', 'Smile Dental', '--timezone', 'Asia/Almaty', '--locale', 'en', '--telegram-chat-id', '-1001234567890']);
  expect(add.exitCode, add.stderr).toBe(0);
  expect(add.stdout).toContain('learning: direct; proposals digest at 18:00');
}, 60_000);

describe('botctl kb learned | proposals | remove learned:<id>, tenant --learning, and tenant moves carry learned entries', () => {
  test('tenant add|update --learning: bad values are refused with the fix; approve needs an approver', async () => {
    for (const [flags, error] of [
      [['--learning', 'sometimes'], /--learning "sometimes" is not a learning mode: use --learning direct/],
      [['--learning-approver', '-100123'], /--learning-approver "-100123" is not a Telegram user id/],
      [['--learning-digest-at', '25:00'], /--learning-digest-at "25:00" is not a time of day/],
      [['--learning', 'approve'], /--learning approve needs someone to approve: tenant smile has no approver and no owner chat/],
    ] as const) {
      const result = await run(a, ['tenant', 'update', 'smile', ...flags]);
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stderr).toMatch(error);
    }
    const ok = await run(a, ['tenant', 'update', 'smile', '--learning', 'approve', '--owner-chat-id', '555001', '--learning-digest-at', '9:30']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('learning: approve, approver 555001 (owner); proposals digest at 09:30');
    expect((await run(a, ['tenant', 'show', 'smile'])).stdout).toContain('learning: approve, approver 555001 (owner)');
  });

  test('kb learned lists entries with provenance; they are knowledge; kb remove learned:<id> takes one out, with --yes', async () => {
    expect((await run(a, ['kb', 'learned', 'smile'])).stdout).toContain('has no learned entries yet');
    const [parking, guard] = teach(a, 'smile', [
      { question: 'Is there parking?', answer: 'Free parking for 20 cars behind the building.', by: 'Alice', request: 3 },
      { question: 'How much is a night guard?', answer: 'A night guard costs 25 000 ₸.', by: 'Bob', request: 7 },
    ]);
    const listed = await run(a, ['kb', 'learned', 'smile']);
    expect(listed.stdout).toContain(`learned:${parking}  Is there parking?`);
    expect(listed.stdout).toContain('taught by Alice from request №3, 2026-12-01T00:00:00.000Z; approved by Alice 2026-12-01T00:05:00.000Z');
    expect((await run(a, ['kb', 'search', 'smile', 'parking for cars'])).stdout).toContain('learned');

    const unconfirmed = await run(a, ['kb', 'remove', 'smile', `learned:${guard}`]);
    expect(unconfirmed.exitCode).toBe(1);
    expect(unconfirmed.stderr).toContain(`run botctl kb remove smile learned:${guard} --yes to confirm`);
    const removed = await run(a, ['kb', 'remove', 'smile', `learned:${guard}`, '--yes']);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`Removed learned entry ${guard} ("How much is a night guard?")`);
    expect(JSON.parse((await run(a, ['kb', 'learned', 'smile', '--json'])).stdout).map((e: { id: number }) => e.id)).toEqual([parking]);
    expect((await run(a, ['kb', 'search', 'smile', 'night guard'])).stdout).not.toContain('25 000');
    const again = await run(a, ['kb', 'remove', 'smile', `learned:${guard}`, '--yes']);
    expect(again.stderr).toContain(`entry ${guard} of smile cannot be removed: it is removed`);
    expect((await run(a, ['kb', 'proposals', 'smile', 'approve', '999'])).stderr).toContain('tenant smile has no learned entry 999');
    expect((await run(a, ['kb', 'proposals', 'smile'])).stdout).toContain('Nothing waits for a decision in smile.');

    // A file cannot take the learned entries' place.
    const file = join(a.dir, 'learned');
    writeFileSync(file, '# Parking\nNone.\n');
    const clash = await run(a, ['kb', 'add', 'smile', file, '--format', 'md']);
    expect(clash.exitCode).toBe(1);
    expect(clash.stderr).toContain('is named "learned", the source of what managers taught the bot');
    expect(JSON.parse((await run(a, ['kb', 'learned', 'smile', '--json'])).stdout)).toHaveLength(1);
  }, 60_000);

  test('export and import carry the learning setting and the learned entries with their provenance', async () => {
    const out = join(a.dir, 'smile.botctl.jsonl.gz');
    const exported = await run(a, ['tenant', 'export', 'smile', '--out', out, '--without-secrets']);
    expect(exported.exitCode, exported.stderr).toBe(0);
    const imported = await run(b, ['tenant', 'import', out]);
    expect(imported.exitCode, imported.stderr).toBe(0);
    const learned = JSON.parse((await run(b, ['kb', 'learned', 'smile', '--json'])).stdout);
    expect(learned).toMatchObject([{ question: 'Is there parking?', answer: 'Free parking for 20 cars behind the building.', taughtBy: 'Alice', request: 3, decidedBy: 'Alice' }]);
    expect((await run(b, ['kb', 'search', 'smile', 'parking for cars'])).stdout).toContain('Free [parking] for 20 [cars] behind the building.');
    expect((await run(b, ['tenant', 'show', 'smile'])).stdout).toContain('learning: approve, approver 555001 (owner); proposals digest at 09:30');
  }, 60_000);
});
