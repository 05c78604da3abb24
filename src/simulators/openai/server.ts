import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { BodyError, closeServer, listenLocal, sendJson } from '../local-http/http.js';
import { handleChatCompletion } from './chat.js';
import { sendError } from './errors.js';
import { groundedResponder } from './responders.js';
import { handleEmbeddings } from './embeddings.js';
import { handleTranscription } from './transcriptions.js';
import type { ChatRequest, EmbeddingRequest, EmbeddingStep, OpenAISimulatorOptions, Responder, Step, TranscriptionRequest, TranscriptionStep } from './types.js';

const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'whisper-1', 'gpt-4o-mini-transcribe'];
// A fixed creation time keeps `models.list()` output identical between runs.
const MODEL_CREATED = 1_715_367_049;

/**
 * A local OpenAI-compatible API on 127.0.0.1: chat completions, embeddings, audio transcriptions, models. Answers
 * come from the queue (`enqueue`) first, then from the responder. Records every request it accepted.
 */
export class OpenAISimulator {
  readonly requests: ChatRequest[] = [];
  readonly transcriptions: TranscriptionRequest[] = [];
  readonly embeddingRequests: EmbeddingRequest[] = [];
  private readonly embeddingQueue: EmbeddingStep[] = [];
  private embeddingFailure: EmbeddingStep | null = null;
  private readonly queue: Step[] = [];
  private readonly transcriptionQueue: TranscriptionStep[] = [];
  private responder: Responder;
  private delayMs = 0;
  private open = 0;
  private peak = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly options: OpenAISimulatorOptions,
  ) {
    this.responder = options.responder ?? groundedResponder;
  }

  /** Starts the server; see `OpenAISimulatorOptions`. */
  static async start(options: OpenAISimulatorOptions = {}): Promise<OpenAISimulator> {
    let simulator: OpenAISimulator | undefined;
    const { server, port } = await listenLocal((req, res) => simulator!.route(req, res), options.port ?? 0);
    simulator = new OpenAISimulator(server, port, options);
    return simulator;
  }

  /** Base URL including `/v1`: what `OPENAI_BASE_URL` and the SDK's `baseURL` take. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Chat requests currently open (received, not yet answered or abandoned). */
  get inFlight(): number {
    return this.open;
  }

  /** The most chat requests that were open at once since start or `reset()`. */
  get peakInFlight(): number {
    return this.peak;
  }

  /** Queues answers for the next chat requests, in order. */
  enqueue(...steps: Step[]): void {
    this.queue.push(...steps);
  }

  /** Queues transcription results (the text) or failures (`{status}`) for the next uploads. */
  enqueueTranscription(...steps: TranscriptionStep[]): void {
    this.transcriptionQueue.push(...steps);
  }

  /** Queues what the next embeddings requests get ('ok', an error, a hang, a delay), in order. */
  enqueueEmbedding(...steps: EmbeddingStep[]): void {
    this.embeddingQueue.push(...steps);
  }

  /** Every embeddings request gets `step` until this is called with null (the API is down, slow or rate-limiting). */
  failEmbeddings(step: EmbeddingStep | null): void {
    this.embeddingFailure = step;
  }

  setResponder(responder: Responder): void {
    this.responder = responder;
  }

  /** Adds `ms` of latency to every chat and transcription answer (0 turns it off). */
  delayAll(ms: number): void {
    this.delayMs = ms;
  }

  /** Forgets queued steps, recordings, delay and peak; the responder goes back to the one given at start. */
  reset(): void {
    this.queue.length = 0;
    this.transcriptionQueue.length = 0;
    this.requests.length = 0;
    this.transcriptions.length = 0;
    this.embeddingRequests.length = 0;
    this.embeddingQueue.length = 0;
    this.embeddingFailure = null;
    this.responder = this.options.responder ?? groundedResponder;
    this.delayMs = 0;
    this.peak = this.open;
  }

  /** Stops the server and drops every connection, hung ones included. */
  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!this.authorized(req, res)) return;
    try {
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        await handleChatCompletion({
          requests: this.requests,
          nextStep: async (request) => this.queue.shift() ?? (await this.responder(request)),
          extraDelayMs: () => this.delayMs,
          trackInFlight: (r) => this.track(r),
        }, req, res);
      } else if (req.method === 'POST' && path === '/v1/audio/transcriptions') {
        await handleTranscription({
          transcriptions: this.transcriptions,
          nextTranscription: () => this.transcriptionQueue.shift() ?? this.options.defaultTranscription ?? 'This is a simulated transcription.',
          extraDelayMs: () => this.delayMs,
        }, req, res);
      } else if (req.method === 'POST' && path === '/v1/embeddings') {
        await handleEmbeddings({
          requests: this.embeddingRequests,
          nextStep: () => this.embeddingQueue.shift() ?? this.embeddingFailure ?? undefined,
          extraDelayMs: () => this.delayMs,
        }, req, res);
      } else if (req.method === 'GET' && path === '/v1/models') {
        sendJson(res, 200, { object: 'list', data: this.modelIds().map(model) });
      } else if (req.method === 'GET' && path.startsWith('/v1/models/')) {
        const id = decodeURIComponent(path.slice('/v1/models/'.length));
        if (this.modelIds().includes(id)) sendJson(res, 200, model(id));
        else sendError(res, { status: 404, message: `The model '${id}' does not exist` }, { code: 'model_not_found', param: 'model' });
      } else {
        sendError(res, { status: 404, message: `Invalid URL (${req.method} ${path})` }, { code: null });
      }
    } catch (err) {
      if (!(err instanceof BodyError)) throw err;
      sendError(res, { status: err.status, message: err.message });
    }
  }

  /** With an `apiKey` configured, the same 401 the real API gives for a missing or wrong key. */
  private authorized(req: IncomingMessage, res: ServerResponse): boolean {
    const expected = this.options.apiKey;
    if (expected === undefined) return true;
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (given === expected) return true;
    sendError(res, {
      status: 401,
      message: `Incorrect API key provided: ${mask(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    });
    return false;
  }

  private track(res: ServerResponse): void {
    this.open++;
    this.peak = Math.max(this.peak, this.open);
    res.once('close', () => this.open--);
  }

  private modelIds(): string[] {
    return this.options.models ?? DEFAULT_MODELS;
  }
}

function model(id: string) {
  return { id, object: 'model' as const, created: MODEL_CREATED, owned_by: id.startsWith('whisper') ? 'openai-internal' : 'system' };
}

/** The real API echoes a masked key: the first 3 and last 4 characters. */
function mask(key: string): string {
  if (key === '') return '(none)';
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 20))}${key.slice(-4)}`;
}
