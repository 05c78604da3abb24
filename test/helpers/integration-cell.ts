import { randomBytes } from 'node:crypto';
import type { Cell } from '../../src/cell.js';
import type { Config } from '../../src/config/config.js';
import type { AccountBatch, InboundMessage } from '../../src/channels/types.js';
import { Intake } from '../../src/conversation/intake.js';
import { integrationEvents } from '../../src/integrations/outbox.js';
import { registerIntegrationJobs } from '../../src/integrations/register.js';
import { Queue } from '../../src/jobs/queue.js';
import { JobRegistry } from '../../src/jobs/registry.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { createLogger } from '../../src/observability/logger.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { SqlIntakeStore } from '../../src/storage/intake-store.js';
import { JobStore } from '../../src/storage/job-store.js';
import { migratedDb } from './migrated-db.js';

export const PHONE_NUMBER_ID = '7000001';

/**
 * A cell in this process on a real SQLite file, with the real intake, integrations outbox and job runner, on a
 * clock the test moves forward (`advance`): hours of retries pass in seconds. Only the job kinds of integrations
 * are registered, so the customer's answer jobs wait in the queue untouched.
 */
export class IntegrationCell {
  offsetMs = 0;
  readonly clock = () => Date.now() + this.offsetMs;
  readonly cell: Cell;
  readonly queue: Queue;
  readonly runner: JobRunner;
  readonly intake: Intake;
  readonly tenantId: number;
  private wamid = 0;

  constructor(readonly slug = 'acme') {
    const { db, dataDir } = migratedDb();
    const secrets = new SecretBox(randomBytes(32));
    this.cell = { config: { dataDir } as Config, db, secrets, migrated: [], close: () => db.close() };
    const now = Date.now();
    this.tenantId = Number(db.prepare("INSERT INTO tenants (slug, name, timezone, created_at, updated_at) VALUES (?, 'Acme', 'Asia/Almaty', ?, ?)").run(slug, now, now).lastInsertRowid);
    db.prepare("INSERT INTO channel_accounts (tenant_id, channel, external_id, created_at, updated_at) VALUES (?, 'whatsapp', ?, ?, ?)").run(this.tenantId, PHONE_NUMBER_ID, now, now);
    const jobs = new JobStore(db);
    const registry = new JobRegistry();
    registerIntegrationJobs(this.cell, { registry, clock: this.clock });
    this.queue = new Queue(jobs, registry, this.clock);
    this.runner = new JobRunner(jobs, registry, createLogger({ level: 'silent' }), { concurrency: 8, leaseMs: 30_000, pollMs: 20, clock: this.clock });
    this.queue.onEnqueue(() => this.runner.wake());
    this.intake = new Intake(new SqlIntakeStore(db, secrets), this.queue, { record: () => undefined }, 0, this.clock, undefined, integrationEvents(db, this.queue, this.clock));
  }

  get db() {
    return this.cell.db;
  }

  /** A customer's text messages arriving through the real intake (each its own webhook delivery). */
  async customerSays(from: string, name: string, ...texts: string[]): Promise<void> {
    for (const text of texts) {
      const message: InboundMessage = { providerMessageId: `wamid.T${++this.wamid}`, from, phone: from, userId: null, profileName: name, sentAt: this.clock(), kind: 'text', text, media: null, replyTo: null, forwarded: false, reaction: null, raw: {} };
      const batch: AccountBatch = { accountExternalId: PHONE_NUMBER_ID, messages: [message], statuses: [], errors: [], rejected: [] };
      const account = new SqlIntakeStore(this.db, this.cell.secrets).findAccount('whatsapp', PHONE_NUMBER_ID)!;
      await this.intake.accept([{ account, batch }]);
    }
  }

  /** Jobs of integrations that are running, or due now and first of their key (so the runner can claim them). */
  busy(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM jobs j WHERE j.kind LIKE 'integrations.%' AND (j.state = 'running' OR (j.state = 'pending' AND j.run_at <= ?
      AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.concurrency_key = j.concurrency_key AND e.state = 'pending' AND e.id < j.id)))`).get(this.clock()) as { n: number }).n;
  }

  async settle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.runner.wake();
    while (this.busy() > 0) {
      if (Date.now() > deadline) throw new Error('integration jobs did not settle');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Moves the clock forward in steps, letting every job due at each step run. */
  async advance(totalMs: number, stepMs: number, stop: () => boolean = () => false): Promise<void> {
    for (let passed = 0; passed < totalMs && !stop(); passed += stepMs) {
      this.offsetMs += stepMs;
      await this.settle();
    }
  }

  async close(): Promise<void> {
    await this.runner.stop(2000);
    this.cell.close();
  }
}
