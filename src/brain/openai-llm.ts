import OpenAI, { toFile } from 'openai';
import { LlmError, type ChatMessage, type LlmPort, type LlmResult, type ToolSpec } from './llm.js';

export interface OpenAiLlmOptions {
  apiKey: string;
  baseURL: string;
  model: string;
  transcriptionModel?: string;
}

/** LlmPort over the official `openai` client (Chat Completions with tools), so any compatible provider works. */
export class OpenAiLlm implements LlmPort {
  readonly model: string;
  private readonly client: OpenAI;
  private readonly transcriptionModel: string;

  constructor(options: OpenAiLlmOptions) {
    // Retries are the brain's decision (within its deadline), so the client makes exactly one attempt.
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0 });
    this.model = options.model;
    this.transcriptionModel = options.transcriptionModel ?? 'whisper-1';
  }

  async complete(request: { messages: ChatMessage[]; tools: ToolSpec[] }, options: { signal: AbortSignal; timeoutMs: number }): Promise<LlmResult> {
    try {
      const completion = await this.client.chat.completions.create(
        {
          model: this.model,
          messages: request.messages,
          temperature: 0.2,
          ...(request.tools.length > 0 ? {
            tools: request.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } })),
            tool_choice: 'auto' as const,
          } : {}),
        },
        { signal: options.signal, timeout: options.timeoutMs },
      );
      const message = completion.choices[0]?.message;
      if (!message) throw new LlmError('server', 'the LLM answered without a choice');
      const toolCalls = (message.tool_calls ?? []).flatMap((call) => {
        if (call.type !== 'function') return [];
        return [{ name: call.function.name, arguments: parseArguments(call.function.arguments) }];
      });
      return { content: message.content ?? null, toolCalls };
    } catch (err) {
      throw toLlmError(err, options.signal);
    }
  }

  async transcribe(audio: Buffer, mimeType: string, options: { signal: AbortSignal; timeoutMs: number; language?: string }): Promise<string> {
    try {
      const extension = mimeType.includes('ogg') ? 'ogg' : mimeType.includes('mpeg') ? 'mp3' : mimeType.includes('mp4') ? 'm4a' : 'bin';
      const result = await this.client.audio.transcriptions.create(
        { file: await toFile(audio, `voice.${extension}`, { type: mimeType.split(';')[0] }), model: this.transcriptionModel, ...(options.language ? { language: options.language } : {}) },
        { signal: options.signal, timeout: options.timeoutMs },
      );
      return result.text;
    } catch (err) {
      throw toLlmError(err, options.signal);
    }
  }
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function toLlmError(err: unknown, signal: AbortSignal): unknown {
  if (err instanceof LlmError) return err;
  if (signal.aborted) return signal.reason ?? err;
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new LlmError('timeout', 'the LLM did not answer in time');
  if (err instanceof OpenAI.APIConnectionError) return new LlmError('network', `the LLM could not be reached: ${err.message}`);
  if (err instanceof OpenAI.RateLimitError) {
    const retryAfter = Number(err.headers?.get?.('retry-after'));
    return new LlmError('rate_limited', `the LLM rate-limited us (429): ${err.message}`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined);
  }
  if (err instanceof OpenAI.AuthenticationError || err instanceof OpenAI.PermissionDeniedError) return new LlmError('auth', `the LLM refused our key (${err.status}): check OPENAI_API_KEY`);
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    if (status >= 500 || status === 408 || status === 409) return new LlmError('server', `the LLM failed (${status}): ${err.message}`);
    return new LlmError('bad_request', `the LLM rejected the request (${status}): ${err.message}`);
  }
  return new LlmError('network', `the LLM call failed: ${err instanceof Error ? err.message : String(err)}`);
}
