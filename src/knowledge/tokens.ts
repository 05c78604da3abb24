import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

export type Encoding = 'o200k_base' | 'cl100k_base';

/**
 * The tokenizer of a chat model's family: GPT-4o, GPT-4.1, GPT-5 and the o-series use o200k_base; GPT-4 and
 * GPT-3.5 use cl100k_base. A model of another provider is counted with o200k_base: its own tokenizer differs, so
 * the figure is an estimate for it (close for budgets; not for billing).
 */
export function encodingFor(model: string): Encoding {
  const m = model.toLowerCase().replace(/^.*\//, '');
  if (/^gpt-(4o|4\.1|4\.5|5)|^o\d|^chatgpt-4o/.test(m)) return 'o200k_base';
  if (/^gpt-(4|3\.5)|^text-embedding-(3|ada)/.test(m)) return 'cl100k_base';
  return 'o200k_base';
}

/** Tokens of a text in a model family's encoding (a real BPE count, not a character guess). */
export function countTokens(text: string, encoding: Encoding): number {
  if (text === '') return 0;
  return encoding === 'cl100k_base' ? countCl100k(text) : countO200k(text);
}

/** Tokens of a chat request's messages, with the API's per-message overhead (3 per message, 3 for the reply). */
export function countMessageTokens(messages: readonly { content: string }[], encoding: Encoding): number {
  return messages.reduce((sum, m) => sum + 3 + countTokens(m.content, encoding), 3);
}
