import { describe, expect, test } from 'vitest';
import type { JobSpec } from '../../../src/jobs/types.js';
import { LearningService, type Person } from '../../../src/learning/learning-service.js';
import { KnowledgeStore } from '../../../src/storage/knowledge-store.js';
import { LearningStore, type LearnedStatus } from '../../../src/storage/learning-store.js';
import { insertTenant, migratedDb } from '../../helpers/migrated-db.js';

const ALICE: Person = { id: 1, name: 'Alice', operator: false };
const BOB: Person = { id: 2, name: 'Bob', operator: false };

/** A real SQLite cell, a recording queue and audit log: the decisions' rules, in-process. */
function setup() {
  const { db } = migratedDb();
  const store = new LearningStore(db);
  const jobs: JobSpec[] = [];
  const audit: { action: string; actor: string; tenantSlug: string | null }[] = [];
  const service = new LearningService({ store, queue: { enqueue: (spec) => jobs.push(spec) }, audit: { record: (e) => audit.push(e) }, clock: () => 1_000 });
  const smile = { id: insertTenant(db, 'smile'), slug: 'smile', ownerChatId: 2 };
  const bolt = { id: insertTenant(db, 'bolt'), slug: 'bolt', ownerChatId: null };
  const item = (tenantId: number, status: LearnedStatus, question = 'Is there parking?', answer = 'Free parking for 20 cars.') => {
    const id = store.insertImported(tenantId, { origin: 'taught', question, answer, handoverNumber: 1, createdByName: 'Alice', createdAt: 1, decidedByName: null, decidedAt: null }, 1);
    store.update(tenantId, id, { status }, 1);
    return id;
  };
  const learnedChunks = (tenantId: number) => {
    const knowledge = new KnowledgeStore(db);
    const source = knowledge.findSource(tenantId, 'learned');
    return source ? knowledge.chunks(tenantId, source.id).map((c) => c.answer) : [];
  };
  return { db, store, jobs, audit, service, smile, bolt, item, learnedChunks };
}

describe('learning decisions (in-process, real SQLite)', () => {
  test('direct: Save puts the draft live in the learned source; a second press finds it decided', () => {
    const { service, store, smile, item, jobs, audit, learnedChunks } = setup();
    const id = item(smile.id, 'draft');
    expect(service.save(smile, id, ALICE)).toEqual({ ok: true, status: 'live' });
    expect(service.save(smile, id, BOB)).toMatchObject({ ok: false, reason: 'wrong_state' });
    expect(store.item(smile.id, id)).toMatchObject({ status: 'live', decidedById: 1, decidedByName: 'Alice' });
    expect(learnedChunks(smile.id)).toEqual(['Free parking for 20 cars.']);
    expect(jobs.map((j) => j.kind)).toEqual(['learning.show']);
    expect(audit).toEqual([expect.objectContaining({ action: 'kb.learned.approve', actor: 'telegram:1 Alice', tenantSlug: 'smile' })]);
  });

  test('approve: a manager\'s Save waits; only the approver (the owner) approves', () => {
    const { service, store, db, smile, item, learnedChunks } = setup();
    store.saveSettings(smile.id, { mode: 'approve', approverId: null, digestAt: '18:00' }, 1);
    const id = item(smile.id, 'draft');
    expect(service.save(smile, id, ALICE)).toEqual({ ok: true, status: 'pending' });
    expect(learnedChunks(smile.id)).toEqual([]);
    expect(service.approve(smile, id, ALICE)).toMatchObject({ ok: false, reason: 'not_approver' });
    expect(service.approve(smile, id, BOB)).toEqual({ ok: true });
    expect(store.item(smile.id, id)).toMatchObject({ status: 'live', submittedByName: 'Alice', decidedByName: 'Bob' });
    expect(learnedChunks(smile.id)).toHaveLength(1);
    db.close();
  });

  test('another tenant\'s item id does nothing', () => {
    const { service, store, smile, bolt, item } = setup();
    const id = item(smile.id, 'draft');
    for (const result of [service.save(bolt, id, ALICE), service.discard(bolt, id, ALICE), service.edit(bolt, id, ALICE), service.approve(bolt, id, ALICE)]) {
      expect(result).toMatchObject({ ok: false, reason: 'missing' });
    }
    expect(store.item(smile.id, id)!.status).toBe('draft');
  });

  test('an approved update replaces the learned entry it updates; a rejected proposal changes nothing', () => {
    const { service, store, db, smile, item, learnedChunks } = setup();
    const old = item(smile.id, 'live', 'Do you repair gearboxes?', 'From 70 000 ₸.');
    store.rebuildLearnedSource(smile.id, 1);
    const update = store.insertImported(smile.id, { origin: 'proposed', question: 'Do you repair gearboxes?', answer: 'From 80 000 ₸.', handoverNumber: 2, createdByName: null, createdAt: 1, decidedByName: null, decidedAt: null }, 1);
    // A proposal that updates the live entry (insertProposals needs a request; the columns are set directly here).
    db.prepare("UPDATE learned_items SET status = 'proposed', updates_item_id = ?, updates_source = 'learned' WHERE id = ?").run(old, update);
    const rejected = item(smile.id, 'proposed', 'Do you wash cars?', 'Yes.');
    expect(service.reject(smile, rejected, BOB)).toEqual({ ok: true });
    expect(service.approve(smile, update, BOB)).toEqual({ ok: true });
    expect(store.item(smile.id, old)!.status).toBe('replaced');
    expect(learnedChunks(smile.id)).toEqual(['From 80 000 ₸.']);
  });

  test('off: nothing is taught, saved or decided from Telegram; the operator still may', () => {
    const { service, store, smile, item } = setup();
    store.saveSettings(smile.id, { mode: 'off', approverId: null, digestAt: '18:00' }, 1);
    expect(service.teach(smile, 1, ALICE, { chatId: -1, threadId: null })).toEqual({ ok: false, reason: 'off' });
    expect(service.save(smile, item(smile.id, 'draft'), ALICE)).toMatchObject({ ok: false, reason: 'off' });
    expect(service.approve(smile, item(smile.id, 'proposed'), BOB)).toMatchObject({ ok: false, reason: 'off' });
    expect(service.approve(smile, item(smile.id, 'proposed'), { id: null, name: 'operator root', operator: true })).toEqual({ ok: true });
  });
});

describe('the digest', () => {
  test('gathers at most 15 proposals a message, oldest first; the rest wait for the next digest; an unsent digest is reused', () => {
    const { db, store, smile, bolt, item } = setup();
    const ids = Array.from({ length: 17 }, (_, i) => item(smile.id, 'proposed', `Question ${i}?`, `Answer ${i}.`));
    item(bolt.id, 'proposed');
    db.prepare("UPDATE learned_items SET origin = 'proposed'").run();
    const first = store.collectDigest(smile.id, 10);
    expect(store.collectDigest(smile.id, 11).id).toBe(first.id); // not sent yet: the same digest, nobody added twice
    expect(store.digestItems(smile.id, first.id).map((i) => i.id)).toEqual(ids.slice(0, 15));
    store.markDigestSent(smile.id, first.id, -1, 99, 12);
    const second = store.collectDigest(smile.id, 13);
    expect(store.digestItems(smile.id, second.id).map((i) => i.id)).toEqual(ids.slice(15));
    expect(store.digestItems(bolt.id, second.id)).toEqual([]);
  });
});
