import { BodyError } from './http.js';

export interface MultipartPart {
  name: string;
  /** Present for file parts. */
  filename?: string;
  /** The part's own content-type header, if it sent one. */
  contentType?: string;
  data: Buffer;
}

/**
 * Parses a multipart/form-data body (RFC 7578). Tolerant in the ways real clients differ: header names
 * in any case with or without a space after the colon, quoted or bare parameter values (grammY sends
 * `filename=photo.jpg` unquoted), and RFC 5987 `filename*=UTF-8''…`. Throws `BodyError` when the body
 * is not multipart at all, so the server answers 400 as the real APIs do.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const boundary = headerParams(contentType).get('boundary');
  if (!boundary) throw new BodyError('multipart body without a boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new BodyError('multipart body without its boundary');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts; // closing delimiter
    pos = skipLineBreak(body, pos);
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new BodyError('multipart part without a header end');
    const headers = parseHeaders(body.subarray(pos, headerEnd).toString('utf8'));
    const dataStart = headerEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), dataStart);
    if (next < 0) throw new BodyError('multipart body is not terminated');
    const disposition = headers.get('content-disposition');
    if (!disposition) throw new BodyError('multipart part without content-disposition');
    const params = headerParams(disposition);
    const name = params.get('name');
    if (name === undefined) throw new BodyError('multipart part without a name');
    const part: MultipartPart = { name, data: body.subarray(dataStart, next) };
    const filename = params.get('filename*') ?? params.get('filename');
    if (filename !== undefined) part.filename = filename;
    const partType = headers.get('content-type');
    if (partType) part.contentType = partType;
    parts.push(part);
    pos = next + 2;
  }
}

function skipLineBreak(body: Buffer, pos: number): number {
  if (body[pos] === 0x0d && body[pos + 1] === 0x0a) return pos + 2;
  if (body[pos] === 0x0a) return pos + 1;
  return pos;
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** `form-data; name="a"; filename=b` → {name: a, filename: b}; the first token (the value) is skipped. */
function headerParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const match of header.matchAll(re)) {
    const key = match[1]!.toLowerCase();
    let value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '').trim();
    if (key.endsWith('*')) value = decodeExtended(value);
    params.set(key, value);
  }
  return params;
}

/** RFC 5987: `UTF-8''na%C3%AFve.txt`. */
function decodeExtended(value: string): string {
  const quote = value.indexOf("''");
  const encoded = quote >= 0 ? value.slice(quote + 2) : value;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}
