import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Thrown while reading a request; the servers turn it into their API's error envelope. */
export class BodyError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
    this.name = 'BodyError';
  }
}

/** Reads the whole request body, refusing more than `limitBytes` (the real APIs cap uploads too). */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new BodyError(`request body larger than ${limitBytes} bytes`, 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** True until the client hangs up; lets long polls and hangs stop waiting for a dead socket. */
export function stillOpen(res: ServerResponse): boolean {
  return !res.destroyed && !res.writableEnded;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A node:http server on 127.0.0.1. `port` 0 picks a free one. Handler errors become a 500 so a bug in
 * a simulator shows up as a failed request in the test rather than an unhandled rejection.
 */
export async function listenLocal(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port = 0,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      sendJson(res, 500, { error: { message: `simulator bug: ${err instanceof Error ? err.message : String(err)}` } });
    });
  });
  await listenOn(server, port);
  return { server, port: (server.address() as AddressInfo).port };
}

export function listenOn(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Stops listening and destroys every connection, including hung and keep-alive ones: clients such as
 * grammY keep sockets alive, and `server.close()` alone would wait for them forever.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      server.closeAllConnections();
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
