import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startOpenAISimulator, type OpenAISimulator } from '../fakes/openai.js';
import { encodeLikeMeta, signWebhook, startWhatsappGraphSimulator, type WhatsappGraphSimulator } from '../fakes/whatsapp.js';
import type { RateLimits } from '../../src/simulators/whatsapp/index.js';
import type { TelegramSimulator } from '../fakes/telegram.js';
import { botctl, initCell, type TempCell } from './cli.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

export const APP_SECRET = 'test-app-secret-0123456789';
export const VERIFY_TOKEN = 'test-verify-token';
export const LLM_KEY = 'sk-test-pipeline-0123456789abcdef';

export interface TenantSpec {
  slug: string;
  name: string;
  phoneNumberId: string;
  token: string;
  locale?: string;
  prompt?: string;
  knowledge?: string[];
  extraFlags?: string[];
  /** The managers' group (default -100123456 for a cell's first tenant, then the next ids down: a group belongs to one tenant). */
  chatId?: number;
}

/** A cell with simulators for WhatsApp and the LLM, tenants added through the real CLI, and a real worker. */
export class PipelineCell {
  worker!: WorkerProcess;
  private debounceMs = 300;
  private workerFlags: string[] = [];
  private extraEnv: Record<string, string> = {};
  /** The worker's HTTP port, kept across restarts once the first worker chose it. */
  port: number | undefined;
  private defaultChats = 0;

  private constructor(readonly cell: TempCell, readonly graph: WhatsappGraphSimulator, readonly llm: OpenAISimulator | null, readonly telegram: TelegramSimulator | null, readonly oncallChatId: number | null) {}

  /** `worker: false` starts no worker: the test runs it itself (e.g. under `botctl run`, test/helpers/supervisor-process.ts). */
  static async start(options: {
    tenants: TenantSpec[]; llm?: boolean; workerFlags?: string[]; debounceMs?: number; telegram?: TelegramSimulator; oncallChatId?: number; worker?: boolean;
    /** The Graph simulator refuses sends over these limits, as Meta does. */
    graphLimits?: RateLimits;
    /** More environment for the worker (e.g. BOTCTL_PUBLIC_URL), and a port chosen in advance. */
    extraEnv?: Record<string, string>; port?: number;
  }): Promise<PipelineCell> {
    const cell = await initCell();
    const graph = await startWhatsappGraphSimulator(options.graphLimits ? { enforceLimits: options.graphLimits } : {});
    const llm = options.llm === false ? null : await startOpenAISimulator({ apiKey: LLM_KEY });
    const harness = new PipelineCell(cell, graph, llm, options.telegram ?? null, options.oncallChatId ?? null);
    for (const tenant of options.tenants) await harness.addTenant(tenant);
    harness.debounceMs = options.debounceMs ?? 300;
    harness.workerFlags = ['--poll-ms', '50', '--llm-timeout-ms', '1500', '--llm-deadline-ms', '4000', '--graph-timeout-ms', '1500', ...(options.workerFlags ?? [])];
    harness.extraEnv = options.extraEnv ?? {};
    harness.port = options.port;
    if (options.worker !== false) harness.worker = await startWorkerProcess(harness.env(harness.debounceMs), harness.workerFlags, harness.port);
    return harness;
  }

  env(debounceMs = 300): Record<string, string> {
    return {
      ...this.cell.env,
      WHATSAPP_GRAPH_URL: this.graph.url,
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      BOTCTL_DEBOUNCE_MS: String(debounceMs),
      ...(this.llm ? { OPENAI_API_KEY: LLM_KEY, OPENAI_BASE_URL: this.llm.url } : {}),
      ...(this.telegram ? { TELEGRAM_BOT_TOKEN: this.telegram.token, TELEGRAM_API_ROOT: this.telegram.url } : {}),
      ...(this.oncallChatId !== null ? { BOTCTL_ONCALL_CHAT_ID: String(this.oncallChatId) } : {}),
      ...this.extraEnv,
    };
  }

  /** Restarts the worker (after a kill) with the same settings, plus `extraEnv` from now on. */
  async restartWorker(flags: string[] = [], extraEnv: Record<string, string> = {}): Promise<void> {
    this.extraEnv = { ...this.extraEnv, ...extraEnv };
    this.worker = await startWorkerProcess(this.env(this.debounceMs), [...this.workerFlags, ...flags], this.port);
  }

  async addTenant(t: TenantSpec): Promise<void> {
    const run = async (args: string[]) => {
      const result = await botctl(args, this.cell.env);
      if (result.exitCode !== 0) throw new Error(`botctl ${args.join(' ')} failed: ${result.stderr}`);
    };
    await run(['tenant', 'add', t.slug, '--name', t.name, '--timezone', 'Asia/Almaty', '--locale', t.locale ?? 'ru',
      '--whatsapp-phone-number-id', t.phoneNumberId, '--whatsapp-token', t.token, '--telegram-chat-id', String(t.chatId ?? -100123456 - this.defaultChats++), ...(t.extraFlags ?? [])]);
    this.graph.setToken(t.phoneNumberId, t.token);
    if (t.prompt) {
      const file = join(this.cell.dir, `${t.slug}-prompt.md`);
      (await import('node:fs')).writeFileSync(file, t.prompt);
      await run(['prompt', 'set', t.slug, '--file', file]);
    }
    if (t.knowledge?.length) await run(['kb', 'add', t.slug, ...t.knowledge]);
  }

  /** POSTs a webhook body signed the way Meta signs it; returns the HTTP status. */
  async deliver(body: unknown, options: { secret?: string; signature?: string; raw?: string } = {}): Promise<number> {
    const raw = options.raw ?? encodeLikeMeta(body);
    const response = await fetch(`${this.worker.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': options.signature ?? signWebhook(raw, options.secret ?? APP_SECRET) },
      body: raw,
    });
    await response.arrayBuffer();
    return response.status;
  }

  db(): Database.Database {
    return new Database(join(this.cell.dataDir, 'botctl.db'), { readonly: true });
  }

  query<T>(sql: string, ...params: unknown[]): T[] {
    const db = this.db();
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }

  async close(): Promise<void> {
    await this.worker?.kill().catch(() => undefined);
    await this.graph.close();
    await this.llm?.close();
    await this.telegram?.close();
  }
}
