import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openCell, type Cell } from '../cell.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load.js';
import { writeEnvFile } from '../config/write-env-file.js';
import { UserError } from '../errors.js';
import { createLogger } from '../observability/logger.js';
import { DeskBoardStore } from '../storage/desk-board-store.js';
import { startWorker, type RunningWorker } from '../worker/start-worker.js';
import { DashboardAuth } from '../dashboard/auth.js';
import { DashboardAuthStore } from '../storage/dashboard-auth-store.js';
import { BASE, consoleRoutes, type ConsoleRoutes } from './console-api.js';
import { connectDemoChannels } from './demo-channels.js';
import { demoCustomerChats } from './demo-chats.js';
import { DEMO_MANAGERS, DEMO_TENANT, displayName, seedDemoTenant } from './demo-tenant.js';
import { DeskConsole } from './desk-view.js';
import { startDemoSimulators, type DemoSimulators } from './demo-simulators.js';

export interface DemoOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The cell's folder; a fresh temporary one when not given. */
  dataDir?: string | undefined;
  /** Keep the temporary folder at stop (a given --data-dir is never removed). */
  keep: boolean;
  /** The demo tenant's reminder delay for untaken requests (`1m`, `10s`); set when the tenant is created. */
  remindAfter?: string | undefined;
  /** Where OPENAI_API_KEY, OPENAI_BASE_URL, BOTCTL_LLM_MODEL, BOTCTL_LOG_LEVEL and BOTCTL_DEBOUNCE_MS are read. */
  env: NodeJS.ProcessEnv;
}

export interface RunningDemo {
  /** The console: the one address a person needs. */
  url: string;
  dataDir: string;
  envFile: string;
  logFile: string;
  /** True when stop() deletes dataDir. */
  removesDataDir: boolean;
  /** The LLM in use: a short label and one sentence. */
  llm: { label: string; detail: string };
  port: number;
  /** Stops the console streams, the worker (draining), the simulators, closes the database, removes the temp folder. */
  stop(): Promise<void>;
}

// Only these reach the demo from the environment: the demo must never pick up a production cell's settings.
const PASSED_THROUGH = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'BOTCTL_LLM_MODEL', 'BOTCTL_LOG_LEVEL'] as const;
const DRAIN_MS = 5000;

/**
 * A whole cell on one folder: its env file and database, the seeded demo tenant (WhatsApp number, Instagram account,
 * customer bot, managers' group), simulated WhatsApp Cloud, Instagram Graph and Telegram Bot APIs on 127.0.0.1, the real worker (HTTP, jobs, desk, scheduler) with the console mounted at
 * /demo, and the LLM from OPENAI_API_KEY (the extractive fallback without one). Anything that fails on the way
 * up is torn down before the error is rethrown.
 */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const temporary = options.dataDir === undefined;
  // Absolute, as BOTCTL_DATA_DIR must be: `--data-dir demo-cell` means the folder here.
  const dataDir = options.dataDir !== undefined ? resolve(options.dataDir) : mkdtempSync(join(tmpdir(), 'botctl-demo-'));
  const envFile = join(dataDir, 'botctl.env');
  const logFile = join(dataDir, 'botctl-demo.log');
  const undo: (() => unknown)[] = [];
  const teardown = async () => {
    for (const step of undo.reverse()) await Promise.resolve().then(step).catch(() => undefined);
    undo.length = 0;
  };
  if (temporary && !options.keep) undo.push(() => rmSync(dataDir, { recursive: true, force: true }));

  try {
    if (!existsSync(envFile)) writeEnvFile(envFile, dataDir, false);
    const sims = await startDemoSimulators();
    undo.push(() => sims.close());
    const appSecret = randomBytes(24).toString('base64url');
    const config = demoConfig(options, envFile, dataDir, sims, appSecret);
    const cell: Cell = openCell({ ...config, httpPort: options.port }, { schema: 'apply' });
    undo.push(() => cell.close());
    const seeded = seedDemoTenant(cell, { remindAfter: options.remindAfter ?? '1m' });
    sims.graph.setToken(DEMO_TENANT.phoneNumberId, seeded.whatsappToken);
    const channels = connectDemoChannels(cell, seeded.tenant);
    sims.instagram.setAccount(DEMO_TENANT.instagramAccountId, channels.instagramToken, DEMO_TENANT.instagramUsername);
    await sims.startCustomerBot(channels.customerBotToken);

    // The worker's log goes to a file in the cell: the terminal shows only what a person needs (the URL).
    const fd = openSync(logFile, 'a');
    undo.push(() => closeSync(fd));
    const logger = createLogger({ level: config.logLevel, destination: { write: (line: string) => writeSync(fd, line) }, base: { proc: 'demo' } });

    let worker: RunningWorker | null = null;
    const connectHost = reachableHost(options.host);
    const { chats, whatsapp } = demoCustomerChats(sims, appSecret, () => `http://${connectHost}:${worker?.port ?? 0}`);
    const llm = describeLlm(config);
    const board = new DeskBoardStore(cell.db);
    const routes: ConsoleRoutes = consoleRoutes({
      chats, desk: new DeskConsole(sims.telegram, DEMO_TENANT.managersChatId, DEMO_MANAGERS, (chatId) => board.roles(chatId)),
      business: { name: DEMO_TENANT.name, phone: DEMO_TENANT.displayPhone, timezone: DEMO_TENANT.timezone }, llm,
      dashboardLink: () => demoDashboardLink(cell),
    });
    worker = await startWorker(cell, logger, { concurrency: 8, leaseMs: 30_000, pollMs: 100, routes: [{ path: '/', app: routes.app }] }).catch((err: Error & { hint?: string }) => {
      // startWorker's hint names BOTCTL_HTTP_PORT, which the demo does not read.
      throw err.hint ? new UserError(err.message, 'stop the other process, or give another --port (--port 0 picks a free one)') : err;
    });
    const running = worker;
    // Undone in reverse: the console's event streams end first (the HTTP server waits for open responses before it
    // closes), then the customers' apps stop (their webhooks on the way are answered), then the worker drains.
    undo.push(() => running.stop(DRAIN_MS));
    undo.push(() => Promise.all(Object.values(chats).map((chat) => chat.stop())));
    undo.push(() => routes.close());
    whatsapp.start();
    logger.info({ dataDir, llm, port: worker.port }, 'demo started');

    return {
      url: `http://${connectHost}:${worker.port}${BASE}/`,
      dataDir, envFile, logFile, llm, port: worker.port,
      removesDataDir: temporary && !options.keep,
      stop: teardown,
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}

function demoConfig(options: DemoOptions, envFile: string, dataDir: string, sims: DemoSimulators, appSecret: string): Config {
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_THROUGH) if (options.env[name] !== undefined) env[name] = options.env[name];
  return loadConfig({
    envFile,
    env,
    require: ['secretKey'],
    flags: {
      dataDir,
      httpHost: options.host,
      // Port 0 is not a valid BOTCTL_HTTP_PORT; it is given to the cell after validation (as botctl worker does).
      httpPort: options.port === 0 ? undefined : String(options.port),
      whatsappGraphUrl: sims.graph.url,
      whatsappAppSecret: appSecret,
      instagramGraphUrl: sims.instagram.url,
      telegramBotToken: sims.telegram.token,
      // One Bot API root for the desk bot and the tenant's customer bot, as api.telegram.org is in production.
      telegramApiRoot: sims.botApi.url,
      // Short enough that the bot feels quick, long enough to show two quick messages answered together.
      debounceMs: options.env.BOTCTL_DEBOUNCE_MS ?? '1000',
    },
  });
}

function describeLlm(config: Config): { label: string; detail: string } {
  if (!config.openaiApiKey) {
    return { label: 'No LLM: exact FAQ answers only', detail: 'OPENAI_API_KEY is not set: the bot answers exact FAQ matches only and hands everything else to a manager' };
  }
  const host = new URL(config.openaiBaseUrl).host;
  return { label: `LLM: ${config.llmModel} · ${host}`, detail: `the bot asks ${config.llmModel} at ${config.openaiBaseUrl} (OPENAI_BASE_URL), grounded in the knowledge base` };
}

/** The address this machine reaches the worker at: a wildcard listen address is reached on loopback. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** A one-time login to the demo clinic's dashboard as its first manager (the console acts as the managers). */
function demoDashboardLink(cell: Cell): string | null {
  const store = new DashboardAuthStore(cell.db);
  const tenant = store.tenantByChat(DEMO_TENANT.managersChatId);
  const manager = DEMO_MANAGERS[0]!;
  if (!tenant) return null;
  // No rate limit: the console is the visitor's own, and each click on its link makes a new one.
  const issued = new DashboardAuth(store, null).issuePath(tenant, { id: manager.id, name: displayName(manager) }, { rateLimit: false });
  return issued.ok ? issued.path : null;
}
