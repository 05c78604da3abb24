import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson, sleep, stillOpen } from '../local-http/http.js';
import { requestId, sendBadRequest, sendError } from './errors.js';
import type { EmbeddingRequest, EmbeddingStep } from './types.js';

/** Dimensions of OpenAI's models (PROTOCOLS.md §3c); any other model name gets 1,536. */
const MODEL_DIMENSIONS: Record<string, number> = { 'text-embedding-3-small': 1536, 'text-embedding-3-large': 3072, 'text-embedding-ada-002': 1536 };
const MAX_INPUTS = 2048;
const MAX_BODY = 32 * 1024 * 1024;

export interface EmbeddingsContext {
  requests: EmbeddingRequest[];
  /** A queued step for this request, else the standing failure, else undefined (answer normally). */
  nextStep(): EmbeddingStep | undefined;
  extraDelayMs(): number;
}

/**
 * The simulator's embedding of a text: a general function of its characters, NOT of its meaning. The text is lower-
 * cased, ё read as е, the Kazakh letters folded to their base letters, split into words; each word, padded with
 * spaces, is cut into character 3-grams and 4-grams, each hashed (sha1) into one of `dims` buckets with a hashed sign,
 * and the vector is normalised to unit length. Two texts are close when they share spellings (word stems, typos
 * with most letters right), never because they mean the same thing in other words or another language: it cannot
 * find "Во сколько вы открываетесь?" in "Часы работы". Figures measured with it prove the plumbing (batching,
 * storage, cosine, fusion, fallback), not retrieval by meaning.
 */
export function simulatedEmbedding(text: string, dims: number): Float32Array {
  const vector = new Float32Array(dims);
  const words = text.normalize('NFKC').toLowerCase().replaceAll('ё', 'е')
    .replace(/[әғқңөұүһі]/g, (ch) => ({ ә: 'а', ғ: 'г', қ: 'к', ң: 'н', ө: 'о', ұ: 'у', ү: 'у', һ: 'х', і: 'и' })[ch] ?? ch)
    .split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  for (const word of words) {
    const padded = ` ${word} `;
    for (const n of [3, 4]) {
      for (let i = 0; i + n <= padded.length; i++) {
        const digest = createHash('sha1').update(padded.slice(i, i + n)).digest();
        const bucket = digest.readUInt32LE(0) % dims;
        vector[bucket]! += digest[4]! & 1 ? 1 : -1;
      }
    }
  }
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < dims; i++) vector[i]! /= norm;
  return vector;
}

/** `POST /v1/embeddings` on the real wire format: float arrays, or base64 float32 when asked (the SDK's default). */
export async function handleEmbeddings(ctx: EmbeddingsContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req, MAX_BODY);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    sendBadRequest(res, 'We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.');
    return;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return sendBadRequest(res, 'The request body must be a JSON object.');
  if (typeof body.model !== 'string' || body.model === '') return sendBadRequest(res, 'you must provide a model parameter');
  const input = typeof body.input === 'string' ? [body.input] : body.input;
  if (!Array.isArray(input) || input.length === 0 || !input.every((t) => typeof t === 'string' && t !== '')) {
    return sendBadRequest(res, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'input', 'invalid_value');
  }
  if (input.length > MAX_INPUTS) return sendBadRequest(res, `'$.input' is too long: at most ${MAX_INPUTS} inputs per request.`, 'input', 'invalid_value');
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') return sendBadRequest(res, "'encoding_format' must be 'float' or 'base64'.", 'encoding_format', 'invalid_value');
  const native = MODEL_DIMENSIONS[body.model] ?? 1536;
  const dims = typeof body.dimensions === 'number' && Number.isInteger(body.dimensions) && body.dimensions > 0 && body.dimensions <= native ? body.dimensions : native;

  ctx.requests.push({ model: body.model, inputs: input as string[], dimensions: dims, encodingFormat: format, receivedAt: new Date() });
  const delay = ctx.extraDelayMs();
  if (delay > 0) await sleep(delay);
  let step = ctx.nextStep();
  for (;;) {
    if (!stillOpen(res)) return;
    if (step === undefined || step === 'ok') break;
    if ('hang' in step) return; // never answered: the client's timeout decides
    if ('delayMs' in step) {
      await sleep(step.delayMs);
      step = step.then;
      continue;
    }
    return sendError(res, step);
  }
  const data = (input as string[]).map((text, index) => {
    const vector = simulatedEmbedding(text, dims);
    return { object: 'embedding', index, embedding: format === 'base64' ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector) };
  });
  // About four characters per token, as the chat endpoint counts.
  const tokens = (input as string[]).reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
  sendJson(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, { 'x-request-id': requestId() });
}
