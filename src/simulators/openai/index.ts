/**
 * A local OpenAI-compatible API for tests and `botctl demo`: point the `openai` SDK (or
 * `OPENAI_BASE_URL`) at `simulator.url`.
 */
import { OpenAISimulator } from './server.js';
import type { OpenAISimulatorOptions } from './types.js';

export { OpenAISimulator } from './server.js';
export { groundedResponder, keysOf, knowledgeSentences } from './responders.js';
export { simulatedEmbedding } from './embeddings.js';
export type {
  ChatRequest, EmbeddingRequest, EmbeddingStep, ErrorStep, OpenAISimulatorOptions, Responder, Step, TranscriptionRequest, TranscriptionStep,
} from './types.js';

/** Starts an OpenAI simulator on 127.0.0.1 (a free port unless `port` is given). */
export function startOpenAISimulator(options: OpenAISimulatorOptions = {}): Promise<OpenAISimulator> {
  return OpenAISimulator.start(options);
}
