import { randomBytes } from 'node:crypto';
import type OpenAI from 'openai';

type ChatCompletion = OpenAI.Chat.ChatCompletion;
type MessageParam = OpenAI.Chat.ChatCompletionMessageParam;

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random id in the style of the real API (`chatcmpl-…`, `call_…`). */
export function openaiId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += ALPHANUM[byte % ALPHANUM.length];
  return `${prefix}${id}`;
}

/** The text of a message's content, whether a string or an array of parts (only text parts count). */
export function contentText(content: MessageParam['content'] | undefined): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join('\n');
}

/** Rough token count (about 4 characters per token), deterministic so tests can assert usage. */
function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * A complete `chat.completion` object as the real API returns it (fields the SDK types mark as
 * required are all present). A tool call makes `finish_reason` 'tool_calls' and `content` null unless
 * the step also carried text.
 */
export function buildCompletion(
  model: string,
  messages: MessageParam[],
  answer: { content?: string; toolCall?: { name: string; arguments: object } },
): ChatCompletion {
  const toolCalls = answer.toolCall
    ? [{
        id: openaiId('call_', 24),
        type: 'function' as const,
        function: { name: answer.toolCall.name, arguments: JSON.stringify(answer.toolCall.arguments) },
      }]
    : undefined;
  const content = answer.content ?? null;
  const promptTokens = messages.reduce((sum, m) => sum + tokens(contentText(m.content)) + 4, 0);
  const completionTokens = tokens(content ?? '') + (toolCalls ? tokens(toolCalls[0]!.function.arguments) + 8 : 0);
  return {
    id: openaiId('chatcmpl-', 29),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: 'fp_botctl_sim',
    choices: [{
      index: 0,
      message: {
        role: 'assistant',
        content,
        refusal: null,
        annotations: [],
        ...(toolCalls ? { tool_calls: toolCalls } : {}),
      },
      logprobs: null,
      finish_reason: toolCalls ? 'tool_calls' : 'stop',
    }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}
