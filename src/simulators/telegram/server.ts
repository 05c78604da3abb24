import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyError, sendJson } from '../local-http/http.js';
import type { CallbackBook } from './callbacks.js';
import { TelegramError } from './errors.js';
import type { FaultPlan } from './faults.js';
import { Described, findMethod } from './methods/index.js';
import { Params } from './params.js';
import type { SendLog } from './rate.js';
import type { UpdateQueue } from './updates.js';
import type { World } from './world.js';

/** One Bot API call as received (uploads appear as `{ upload: filename, size }`). */
export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  at: Date;
}

export interface BotApiDeps {
  token: string;
  world: World;
  updates: UpdateQueue;
  sendLog: SendLog;
  callbacks: CallbackBook;
  faults: FaultPlan;
  calls: ApiCall[];
  /** True while the simulator plays a Telegram outage answered by its front proxy. */
  badGateway: () => boolean;
}

// What Telegram's nginx front answers during an outage: HTML, not the JSON envelope.
const BAD_GATEWAY_HTML = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n';

/**
 * The HTTP face of the Bot API: `POST|GET /bot<token>/<method>` answered with `{ok, result}` or
 * `{ok:false, error_code, description, parameters?}` (status = error_code), and file downloads at
 * `/file/bot<token>/<file_path>`.
 */
export async function handleBotApi(deps: BotApiDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (deps.badGateway()) {
    res.writeHead(502, { 'content-type': 'text/html' }).end(BAD_GATEWAY_HTML);
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
  if (file && req.method === 'GET') {
    serveFile(deps, file[1]!, decodeURIComponent(file[2]!), res);
    return;
  }
  const call = /^\/bot([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
  if (!call) {
    answer(res, new TelegramError(404, 'Not Found'));
    return;
  }
  if (decodeURIComponent(call[1]!) !== deps.token) {
    answer(res, new TelegramError(401, 'Unauthorized'));
    return;
  }
  const method = findMethod(call[2]!);
  if (!method) {
    answer(res, new TelegramError(404, 'Not Found: method not found'));
    return;
  }
  const closed = new AbortController();
  res.once('close', () => closed.abort());
  try {
    const params = await Params.read(req, url);
    deps.calls.push({ method: method.name, params: params.toRecord(), at: new Date() });
    const fault = deps.faults.take(method.name);
    if (fault?.kind === 'hang') return; // never answered: the client's own timeout has to fire
    if (fault) throw fault.error;
    const result = await method.handler({ ...deps, closed: closed.signal }, params);
    if (result instanceof Described) sendJson(res, 200, { ok: true, result: result.result, description: result.description });
    else sendJson(res, 200, { ok: true, result });
  } catch (err) {
    if (err instanceof TelegramError) answer(res, err);
    else if (err instanceof BodyError) {
      answer(res, err.status === 413 ? new TelegramError(413, 'Request Entity Too Large') : new TelegramError(400, `Bad Request: ${err.message}`));
    } else throw err;
  }
}

function answer(res: ServerResponse, error: TelegramError): void {
  sendJson(res, error.errorCode, error.toJSON());
}

function serveFile(deps: BotApiDeps, token: string, path: string, res: ServerResponse): void {
  const stored = token === deps.token ? deps.world.fileByPath(path) : undefined;
  if (!stored) {
    answer(res, new TelegramError(404, 'Not Found'));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': stored.data.length }).end(stored.data);
}
