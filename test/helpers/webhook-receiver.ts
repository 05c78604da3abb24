import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, listenLocal, readBody } from '../../src/simulators/local-http/http.js';

export interface Received {
  eventId: string;
  type: string;
  body: Record<string, unknown>;
  raw: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A webhook receiver written from docs/integrations/webhooks.md alone (it does not import botctl's signer):
 * parse `Botctl-Signature`, refuse a timestamp more than 5 minutes from its clock, compare each `v1` with its own
 * HMAC-SHA256 of "<t>.<raw body>" in constant time, and refuse an event id it already accepted. While `down`, it
 * answers 503 (or drops the connection when `down = 'drop'`) without looking at the request.
 */
export class WebhookReceiver {
  readonly accepted: Received[] = [];
  readonly rejected: { reason: string; raw: string }[] = [];
  readonly seen = new Set<string>();
  down: false | 503 | 'drop' = false;
  attemptsWhileDown = 0;
  private server!: Server;
  port = 0;

  constructor(public secrets: string[], private readonly now: () => number = Date.now, private readonly toleranceSeconds = 300) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/botctl`;
  }

  async start(): Promise<this> {
    const { server, port } = await listenLocal((req, res) => this.handle(req, res));
    this.server = server;
    this.port = port;
    return this;
  }

  /** The doc's check, as a receiver would write it. */
  verify(raw: string, header: string | undefined): string | null {
    if (!header) return 'no signature header';
    const parts = header.split(',').map((p) => p.split('='));
    const t = Number(parts.find(([k]) => k === 't')?.[1]);
    const v1 = parts.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
    if (!Number.isInteger(t) || v1.length === 0) return 'malformed signature header';
    if (Math.abs(this.now() / 1000 - t) > this.toleranceSeconds) return 'timestamp outside tolerance';
    for (const secret of this.secrets) {
      const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
      if (v1.some((s) => s.length === 64 && timingSafeEqual(Buffer.from(s, 'hex'), expected))) return null;
    }
    return 'no signature matches';
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.down === 'drop') {
      this.attemptsWhileDown++;
      req.socket.destroy();
      return;
    }
    if (this.down) {
      this.attemptsWhileDown++;
      res.writeHead(this.down).end();
      return;
    }
    const raw = (await readBody(req, 1_000_000)).toString('utf8');
    const problem = this.verify(raw, req.headers['botctl-signature'] as string | undefined);
    const body = problem ? null : (JSON.parse(raw) as Record<string, unknown>);
    const replay = body && this.seen.has(String(body.id)) ? 'event id already accepted (replay)' : null;
    if (problem || replay || !body) {
      this.rejected.push({ reason: (problem ?? replay)!, raw });
      res.writeHead(problem ? 400 : 200).end(); // a duplicate is acknowledged so the sender stops, but not applied
      return;
    }
    this.seen.add(String(body.id));
    this.accepted.push({ eventId: String(body.id), type: String(body.type), body, raw, headers: req.headers });
    res.writeHead(204).end();
  }

  /** Replays a captured delivery byte for byte (an attacker who recorded it), optionally with the body changed. */
  async replay(r: Received, options: { body?: string } = {}): Promise<number> {
    const response = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json', 'botctl-signature': String(r.headers['botctl-signature']) }, body: options.body ?? r.raw });
    await response.arrayBuffer();
    return response.status;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }
}
