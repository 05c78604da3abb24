import type { IncomingMessage, ServerResponse } from 'node:http';
import type OpenAI from 'openai';
import { readBody, sendJson, sleep, stillOpen } from '../local-http/http.js';
import { buildCompletion } from './completion.js';
import { requestId, sendBadRequest, sendError } from './errors.js';
import type { ChatRequest, Step } from './types.js';

/** What the chat handler needs from the simulator: the script, the recordings, the counters. */
export interface ChatContext {
  requests: ChatRequest[];
  nextStep(request: ChatRequest): Promise<Step>;
  extraDelayMs(): number;
  trackInFlight(res: ServerResponse): void;
}

const MAX_BODY = 20 * 1024 * 1024;

/** `POST /v1/chat/completions`, non-streaming only. */
export async function handleChatCompletion(ctx: ChatContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.trackInFlight(res);
  const raw = await readBody(req, MAX_BODY);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    sendBadRequest(res, 'We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.');
    return;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    sendBadRequest(res, 'The request body must be a JSON object.');
    return;
  }
  const params = body as Record<string, unknown>;
  if (typeof params.model !== 'string' || params.model === '') {
    sendBadRequest(res, 'you must provide a model parameter', null, null);
    return;
  }
  if (!Array.isArray(params.messages) || params.messages.length === 0) {
    sendBadRequest(res, "Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
    return;
  }
  // Streaming would need server-sent events; the application does not stream, so refuse it loudly
  // rather than answer in a shape the SDK would misread.
  if (params.stream === true) {
    sendBadRequest(res, 'Streaming is not supported by the botctl OpenAI simulator; send stream: false.', 'stream', 'unsupported_parameter');
    return;
  }

  const request: ChatRequest = { body: params as unknown as OpenAI.Chat.ChatCompletionCreateParams, receivedAt: new Date(), headers: req.headers };
  ctx.requests.push(request);
  let step: Step;
  try {
    step = await ctx.nextStep(request);
  } catch (err) {
    sendError(res, { status: 500, message: `simulator responder failed: ${err instanceof Error ? err.message : String(err)}` });
    return;
  }
  const delay = ctx.extraDelayMs();
  if (delay > 0) await sleep(delay);
  await answer(res, request, step);
}

async function answer(res: ServerResponse, request: ChatRequest, step: Step): Promise<void> {
  for (;;) {
    if (!stillOpen(res)) return; // the client gave up while we waited
    if ('delayMs' in step) {
      await sleep(step.delayMs);
      step = step.then;
      continue;
    }
    // Never answered: the socket stays open until the client aborts or the simulator closes.
    if ('hang' in step) return;
    if ('status' in step) {
      sendError(res, step);
      return;
    }
    const completion = buildCompletion(request.body.model, request.body.messages, step);
    sendJson(res, 200, completion, { 'x-request-id': requestId(), 'openai-processing-ms': '1' });
    return;
  }
}
