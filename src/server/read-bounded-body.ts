/** After a body passed the limit: how much more is read and dropped, and for how long, before the connection goes. */
const LINGER_BYTES = 8 * 1024 * 1024;
const LINGER_MS = 2_000;

/**
 * Reads a request body up to `limit` bytes. Returns null as soon as the body (declared or streamed, e.g. chunked
 * without a Content-Length) passes the limit: the rest is never buffered, so a huge or endless upload costs at most
 * `limit` bytes of memory. The caller's refusal (413) then goes out while a little more of the body is read and
 * dropped (a lingering close, as web servers do): cutting the connection while the sender is still writing makes its
 * TCP stack reset the connection and drop the 413 it had not read yet, so the sender learns nothing.
 */
export async function readBoundedBody(request: Request, limit: number): Promise<Uint8Array | null> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limit) return null;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      lingerThenCancel(reader);
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Reads and drops what the sender still writes, up to LINGER_BYTES or LINGER_MS, then cancels the body. */
function lingerThenCancel(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  const cancel = () => void reader.cancel().catch(() => undefined);
  const timer = setTimeout(cancel, LINGER_MS);
  timer.unref();
  void (async () => {
    let dropped = 0;
    try {
      while (dropped <= LINGER_BYTES) {
        const { done, value } = await reader.read();
        if (done) break;
        dropped += value.byteLength;
      }
    } catch {
      // the sender went away, or the timer cancelled the body
    }
    clearTimeout(timer);
    cancel();
  })();
}
