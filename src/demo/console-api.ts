import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { templatesDir } from '../paths.js';
import { CUSTOMER_CHANNELS, type ChatView, type CustomerChannel, type CustomerChat } from './customer-chat.js';
import { DeskConsoleError, type DeskConsole, type DeskView } from './desk-view.js';

export const CONSOLE_DIR = join(templatesDir, 'console');
/** Where the console lives on the worker's server. */
export const BASE = '/demo';

/** The console's static files: nothing else is served from the folder. */
const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'customer.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'icon.svg': 'image/svg+xml',
};

// The page loads only its own files and talks only to this server: no CDN, no fonts, nothing external.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const MAX_DESK_TEXT = 4096;
const STATE_CHECK_MS = 150;

export interface ConsoleState {
  /** `timezone`: the business's, in which the console shows times (as the cards do). */
  business: { name: string; phone: string; timezone: string };
  llm: { label: string; detail: string };
  /** The customer's chat on each channel the visitor can write on. */
  chats: Record<CustomerChannel, ChatView>;
  /** The managers' Telegram group. */
  desk: DeskView;
}

export interface ConsoleDeps {
  /** The customer's app on each channel. */
  chats: Record<CustomerChannel, CustomerChat>;
  desk: DeskConsole;
  business: { name: string; phone: string; timezone: string };
  /** The LLM in use, shown in the header. */
  llm: { label: string; detail: string };
  /** A fresh one-time login path to the demo clinic's dashboard (`/dashboard/login/…`), or null when none can be made. */
  dashboardLink?: () => string | null;
}

export interface ConsoleRoutes {
  /** Mount at `/` of the worker's app: its paths already start with `/demo`. */
  app: Hono;
  state(): ConsoleState;
  /** Ends every open event stream (the worker's HTTP server cannot close while one is open). */
  close(): Promise<void>;
}

/**
 * The demo console's HTTP side, mounted at /demo on the worker's server: the page and its assets, `GET api/state`,
 * `GET api/events` (server-sent events: the whole state each time it changes), and the actions a person takes as
 * the customer on one channel (`POST api/customer/messages`, `api/customer/read`, each with `channel`: whatsapp,
 * instagram or telegram) or as a manager (`POST api/desk/press`, `api/desk/messages`). Errors answer `{ error }` with 400 (bad input), 409 (the page is out of date), 415 (not JSON)
 * or 502 (the worker refused the customer's webhook).
 */
export function consoleRoutes(deps: ConsoleDeps): ConsoleRoutes {
  const root = new Hono();
  const app = new Hono();
  // The page's URLs are relative (assets/…, api/…), so it must be served at /demo/ with the slash; a mounted
  // sub-app cannot tell /demo from /demo/, hence these two routes on their own.
  root.get(BASE, (c) => c.redirect(`${BASE}/`, 301));
  root.get(`${BASE}/`, (c) => asset(c, 'index.html'));
  // The owner's dashboard of the demo clinic, showing what was done here: logs the visitor in as its first manager.
  root.get(`${BASE}/dashboard`, (c) => {
    const path = deps.dashboardLink?.() ?? null;
    return path ? c.redirect(path, 302) : c.json({ error: 'the dashboard is not available in this demo' }, 503);
  });
  const streams = new Set<Promise<void>>();
  let closing = false;
  const state = () => buildState(deps);

  // Actions take JSON only: another site's page can POST a plain-text "simple request" to 127.0.0.1 without CORS,
  // but not one with this content type.
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'POST' && !(c.req.header('content-type') ?? '').startsWith('application/json')) {
      return c.json({ error: 'send JSON (content-type: application/json)' }, 415);
    }
    return next();
  });
  app.get('/assets/:file', (c) => asset(c, c.req.param('file')));
  app.get('/api/state', (c) => c.json(state()));

  app.get('/api/events', (c) => {
    // 204 tells EventSource not to reconnect: the demo is stopping.
    if (closing) return c.body(null, 204);
    return streamSSE(c, async (stream) => {
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      streams.add(finished);
      try {
        let last = '';
        while (!stream.aborted && !stream.closed && !closing) {
          const data = JSON.stringify(state());
          if (data !== last) {
            await stream.writeSSE({ event: 'state', data });
            last = data;
          }
          await stream.sleep(STATE_CHECK_MS);
        }
      } finally {
        streams.delete(finished);
        done();
      }
    });
  });

  app.post('/api/customer/messages', async (c) => {
    const body = await jsonBody(c);
    const chat = chatOf(deps, body.channel);
    if (!chat) return c.json({ error: `give a channel: ${CUSTOMER_CHANNELS.join(', ')}` }, 400);
    const text = typeof body.text === 'string' ? body.text.trim() : '';
    if (!text) return c.json({ error: 'write a message first' }, 400);
    if (text.length > chat.maxText) return c.json({ error: `${CHANNEL_NAMES[chat.channel]} takes at most ${chat.maxText} characters in a message` }, 400);
    const sent = await chat.write(text);
    return c.json(sent, sent.error ? 502 : 200);
  });

  app.post('/api/customer/read', async (c) => {
    const chat = chatOf(deps, (await jsonBody(c)).channel);
    if (!chat) return c.json({ error: `give a channel: ${CUSTOMER_CHANNELS.join(', ')}` }, 400);
    return c.json({ read: await chat.readAll() });
  });

  app.post('/api/desk/press', async (c) => {
    const body = await jsonBody(c);
    if (typeof body.managerId !== 'number' || typeof body.messageId !== 'number' || typeof body.data !== 'string') {
      return c.json({ error: 'give managerId, messageId and data' }, 400);
    }
    return deskAction(c, () => ({ queryId: deps.desk.press(body.managerId as number, body.messageId as number, body.data as string) }));
  });

  app.post('/api/desk/messages', async (c) => {
    const body = await jsonBody(c);
    const text = typeof body.text === 'string' ? body.text.trim() : '';
    if (typeof body.managerId !== 'number' || !text) return c.json({ error: 'give managerId and a text' }, 400);
    if (text.length > MAX_DESK_TEXT) return c.json({ error: `a Telegram message holds at most ${MAX_DESK_TEXT} characters` }, 400);
    const replyTo = typeof body.replyTo === 'number' ? body.replyTo : undefined;
    return deskAction(c, () => ({ messageId: deps.desk.send(body.managerId as number, text, replyTo) }));
  });

  // Hono copies a sub-app's routes when it is mounted: mount only after all of them are defined.
  root.route(BASE, app);
  return {
    app: root,
    state,
    async close() {
      closing = true;
      await Promise.all([...streams]);
    },
  };
}

const CHANNEL_NAMES: Record<CustomerChannel, string> = { whatsapp: 'WhatsApp', instagram: 'Instagram', telegram: 'Telegram' };

function chatOf(deps: ConsoleDeps, channel: unknown): CustomerChat | null {
  return CUSTOMER_CHANNELS.find((c) => c === channel) ? deps.chats[channel as CustomerChannel] : null;
}

function buildState(deps: ConsoleDeps): ConsoleState {
  const chats = Object.fromEntries(CUSTOMER_CHANNELS.map((channel) => [channel, deps.chats[channel].view()])) as Record<CustomerChannel, ChatView>;
  return { business: deps.business, llm: deps.llm, chats, desk: deps.desk.view() };
}

async function asset(c: Context, file: string): Promise<Response> {
  const type = ASSETS[file];
  if (!type) return c.json({ error: `no console file ${file}` }, 404);
  const bytes = await readFile(join(CONSOLE_DIR, file));
  // no-store: the assets are read from templates/ on every request, so an edited file shows on reload.
  return c.body(bytes, 200, { 'content-type': type, 'cache-control': 'no-store', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' });
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await c.req.json();
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function deskAction(c: Context, act: () => Record<string, unknown>): Response {
  try {
    return c.json(act());
  } catch (err) {
    if (err instanceof DeskConsoleError) return c.json({ error: err.message }, err.status);
    // The simulator refuses what Telegram would (a closed topic…) with a plain Error: the page shows it.
    return c.json({ error: err instanceof Error ? err.message : String(err) }, 409);
  }
}
