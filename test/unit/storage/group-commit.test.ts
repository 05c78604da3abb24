import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { GroupCommit } from '../../../src/storage/group-commit.js';
import { openDatabase } from '../../../src/storage/open-db.js';

function db() {
  const d = openDatabase(mkdtempSync(join(tmpdir(), 'group-commit-')));
  d.exec('CREATE TABLE t (v INTEGER PRIMARY KEY)');
  return d;
}

test('work submitted together commits in one transaction, each caller gets its own result after the commit', async () => {
  const d = db();
  const commits = new GroupCommit(d);
  const walBefore = (d.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
  const results = await Promise.all([1, 2, 3, 4, 5].map((v) => commits.run(() => d.prepare('INSERT INTO t (v) VALUES (?)').run(v).lastInsertRowid)));
  expect(results.map(Number)).toEqual([1, 2, 3, 4, 5]);
  expect(d.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 5 });
  // One commit: the five inserts share one transaction (its WAL frames), not five.
  const framesAfter = (d.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
  expect(framesAfter - walBefore).toBeLessThanOrEqual(3);
  expect(d.pragma('synchronous', { simple: true })).toBe(1);
});

test('a piece that throws is rolled back alone and its caller gets the error; the others commit', async () => {
  const d = db();
  const commits = new GroupCommit(d);
  const outcomes = await Promise.allSettled([
    commits.run(() => d.prepare('INSERT INTO t (v) VALUES (1)').run()),
    commits.run(() => {
      d.prepare('INSERT INTO t (v) VALUES (2)').run();
      throw new Error('bad delivery');
    }),
    commits.run(() => d.prepare('INSERT INTO t (v) VALUES (3)').run()),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('bad delivery'));
  expect(d.prepare('SELECT v FROM t ORDER BY v').all()).toEqual([{ v: 1 }, { v: 3 }]);
});

test('work submitted after a flush goes into the next commit', async () => {
  const d = db();
  const commits = new GroupCommit(d);
  await commits.run(() => d.prepare('INSERT INTO t (v) VALUES (1)').run());
  await commits.run(() => d.prepare('INSERT INTO t (v) VALUES (2)').run());
  expect(d.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
});
