/**
 * The LLM as the brain sees it: chat completion with tools, and speech to text. The adapter (openai-llm.ts)
 * maps any OpenAI-compatible provider onto this; tests and the demo point it at the simulator.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface LlmResult {
  content: string | null;
  toolCalls: ToolCall[];
}

export interface LlmPort {
  readonly model: string;
  complete(request: { messages: ChatMessage[]; tools: ToolSpec[] }, options: { signal: AbortSignal; timeoutMs: number }): Promise<LlmResult>;
  transcribe(audio: Buffer, mimeType: string, options: { signal: AbortSignal; timeoutMs: number; language?: string }): Promise<string>;
}

export type LlmFailure = 'timeout' | 'rate_limited' | 'server' | 'network' | 'auth' | 'bad_request';

/** A failed LLM call, classified once: the brain retries only `retryable` ones, within its deadline. */
export class LlmError extends Error {
  readonly failure: LlmFailure;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(failure: LlmFailure, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'LlmError';
    this.failure = failure;
    this.retryable = failure !== 'auth' && failure !== 'bad_request';
    this.retryAfterMs = retryAfterMs;
  }
}
