import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';

/** What the simulator answers to one chat completion request. */
export type Step =
  | { content: string }
  | { toolCall: { name: string; arguments: object }; content?: string }
  | ErrorStep
  | { hang: true }
  | { delayMs: number; then: Step };

/** An OpenAI error envelope. `retryAfterSeconds` adds the `retry-after` header (OpenAI sends it with 429). */
export interface ErrorStep {
  status: number;
  message?: string;
  retryAfterSeconds?: number;
}

/** One received chat completion request: the parsed JSON body exactly as sent, and when it arrived. */
export interface ChatRequest {
  body: ChatCompletionCreateParams;
  receivedAt: Date;
  headers: Record<string, string | string[] | undefined>;
}

/** Decides the answer when nothing is queued. May be async (e.g. to wait on a test's signal). */
export type Responder = (request: ChatRequest) => Step | Promise<Step>;

/** One received audio transcription upload. */
export interface TranscriptionRequest {
  model: string;
  fileName: string;
  /** The file part's content-type as sent by the client. */
  mimeType: string;
  size: number;
  language?: string;
  prompt?: string;
  responseFormat: string;
  receivedAt: Date;
}

export type TranscriptionStep = string | ErrorStep;

export interface OpenAISimulatorOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>`; otherwise any (or no) key is accepted. */
  apiKey?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Answers chat requests when the queue is empty; defaults to `groundedResponder`. */
  responder?: Responder;
  /** Ids listed by `GET /v1/models`. */
  models?: string[];
  /** What a transcription returns when nothing is queued. */
  defaultTranscription?: string;
}

/** What the embeddings endpoint does for one request: answer ('ok'), fail, never answer, or wait first. */
export type EmbeddingStep = 'ok' | ErrorStep | { hang: true } | { delayMs: number; then: EmbeddingStep };

/** One received embeddings request. */
export interface EmbeddingRequest {
  model: string;
  inputs: string[];
  dimensions: number;
  encodingFormat: string;
  receivedAt: Date;
}
