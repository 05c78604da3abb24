import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenLocal } from '../local-http/http.js';

export interface BotApiRouter {
  /** What `TELEGRAM_API_ROOT` takes: one root for every routed bot. */
  url: string;
  /** Routes a bot's calls and file downloads to the simulator that plays it (added or replaced at any time). */
  route(token: string, url: string): void;
  close(): Promise<void>;
}

/**
 * One Bot API root for several simulated bots, as api.telegram.org is for every bot: routes `/bot<token>/…` and
 * `/file/bot<token>/…` to the simulator that plays that bot; an unknown token gets Telegram's 404. Lets a cell's desk
 * bot and a tenant's customer bot share TELEGRAM_API_ROOT (in tests and in `botctl demo`).
 */
export async function startBotApiRouter(bots: { token: string; url: string }[] = []): Promise<BotApiRouter> {
  const byToken = new Map(bots.map((b) => [b.token, new URL(b.url)]));
  const { server, port } = await listenLocal(async (req: IncomingMessage, res: ServerResponse) => {
    const token = /^\/(?:file\/)?bot([^/]+)\//.exec(req.url ?? '')?.[1];
    const target = token ? byToken.get(decodeURIComponent(token)) : undefined;
    if (!target) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
      return;
    }
    await new Promise<void>((resolve) => {
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
      });
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        resolve();
      });
      // A client that gives up (a long poll aborted at shutdown) must not leave the upstream call open.
      res.once('close', () => {
        upstream.destroy();
        resolve();
      });
      req.pipe(upstream);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    route: (token, url) => void byToken.set(token, new URL(url)),
    close: () => closeServer(server),
  };
}
