import type { IncomingMessage } from 'node:http';
import { readBody } from '../local-http/http.js';
import { parseMultipart, type MultipartPart } from '../local-http/multipart.js';
import { badRequest } from './errors.js';

/** A file argument: uploaded in this request, an existing file_id, or a URL for Telegram to fetch. */
export type InputFileArg =
  | { kind: 'upload'; data: Buffer; filename: string | undefined }
  | { kind: 'file_id'; fileId: string }
  | { kind: 'url'; url: string };

// Telegram takes 50 MB uploads from bots; bigger bodies get 413.
const MAX_BODY = 50 * 1024 * 1024;

/**
 * The arguments of one Bot API call. Telegram accepts them as a query string, urlencoded, JSON or
 * multipart form, so scalar values may arrive as strings and objects as JSON text: the getters
 * coerce, and answer 400 the way Telegram does when a value cannot be read.
 */
export class Params {
  private constructor(
    private readonly values: Record<string, unknown>,
    private readonly parts: MultipartPart[],
  ) {}

  static async read(req: IncomingMessage, url: URL): Promise<Params> {
    const values: Record<string, unknown> = Object.fromEntries(url.searchParams);
    const contentType = (req.headers['content-type'] ?? '').toLowerCase();
    const body = await readBody(req, MAX_BODY);
    let parts: MultipartPart[] = [];
    if (body.length === 0) return new Params(values, parts);
    if (contentType.startsWith('application/json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw badRequest("can't parse JSON object");
      }
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) Object.assign(values, parsed);
    } else if (contentType.startsWith('multipart/form-data')) {
      parts = parseMultipart(body, req.headers['content-type'] ?? '');
      for (const part of parts) if (part.filename === undefined) values[part.name] = part.data.toString('utf8');
    } else {
      Object.assign(values, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
    }
    return new Params(values, parts);
  }

  has(name: string): boolean {
    return this.values[name] !== undefined && this.values[name] !== null && this.values[name] !== '';
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : String(value);
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw badRequest(`parameter "${name}" is required`);
    return value;
  }

  int(name: string): number | undefined {
    if (!this.has(name)) return undefined;
    const value = Number(this.values[name]);
    if (!Number.isInteger(value)) throw badRequest(`parameter "${name}" is not a valid integer`);
    return value;
  }

  requiredInt(name: string, emptyMessage = `parameter "${name}" is required`): number {
    const value = this.int(name);
    if (value === undefined) throw badRequest(emptyMessage);
    return value;
  }

  bool(name: string): boolean {
    const value = this.values[name];
    return value === true || value === 'true' || value === '1' || value === 1;
  }

  /** An object argument, sent as JSON or as JSON text inside a form. */
  json<T>(name: string, errorMessage: string): T | undefined {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return value as T;
    try {
      return JSON.parse(value) as T;
    } catch {
      throw badRequest(errorMessage);
    }
  }

  /** `chat_id` as a number. Telegram also takes "@username" for public chats; no simulated chat has one. */
  chatId(name = 'chat_id'): number {
    const raw = this.string(name);
    if (raw === undefined || raw === '') throw badRequest(`${name} is empty`);
    const id = Number(raw);
    if (!Number.isInteger(id)) throw badRequest('chat not found');
    return id;
  }

  /** A file argument; grammY uploads as `photo=attach://<part>` with the bytes in part `<part>`. */
  inputFile(name: string): InputFileArg | undefined {
    const direct = this.parts.find((p) => p.name === name && p.filename !== undefined);
    if (direct) return { kind: 'upload', data: direct.data, filename: direct.filename };
    const value = this.string(name);
    if (value === undefined || value === '') return undefined;
    if (value.startsWith('attach://')) {
      const part = this.parts.find((p) => p.name === value.slice('attach://'.length));
      if (!part) throw badRequest(`wrong file identifier/HTTP URL specified`);
      return { kind: 'upload', data: part.data, filename: part.filename };
    }
    if (/^https?:\/\//i.test(value)) return { kind: 'url', url: value };
    return { kind: 'file_id', fileId: value };
  }

  /** The arguments as recorded for tests: uploads appear as `{ upload: filename, size }` under their argument. */
  toRecord(): Record<string, unknown> {
    const record: Record<string, unknown> = { ...this.values };
    const summary = (part: MultipartPart) => ({ upload: part.filename, size: part.data.length });
    const attached = new Set<string>();
    for (const [name, value] of Object.entries(record)) {
      const part = typeof value === 'string' && value.startsWith('attach://')
        ? this.parts.find((p) => p.name === value.slice('attach://'.length)) : undefined;
      if (part) {
        record[name] = summary(part);
        attached.add(part.name);
      }
    }
    for (const part of this.parts) {
      if (part.filename !== undefined && !attached.has(part.name)) record[part.name] = summary(part);
    }
    return record;
  }
}
