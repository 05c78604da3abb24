import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenLocal } from '../../src/simulators/local-http/http.js';

/**
 * One Bot API root for several simulated bots, as api.telegram.org is for every bot: routes `/bot<token>/…` and
 * `/file/bot<token>/…` to the simulator that plays that bot. Lets a cell's desk bot and a tenant's customer bot
 * share TELEGRAM_API_ROOT in a test.
 */
export async function startBotApiRouter(bots: { token: string; url: string }[]): Promise<{ url: string; close(): Promise<void> }> {
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
      req.pipe(upstream);
    });
  });
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}
