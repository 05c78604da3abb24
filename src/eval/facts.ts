import type { ChatMessage } from '../brain/llm.js';

/** Lower case, ё as е, every run of spaces (also no-break and thin spaces) as one space: "15 000" finds "15 000". */
export function normalizeFact(text: string): string {
  return text.toLowerCase().replaceAll('ё', 'е').replace(/[\s\u00a0\u202f\u2009]+/gu, ' ');
}

/** The facts of `facts` that are not in the system message the model is given (its instructions, prompt and knowledge). */
export function factsMissingFromPrompt(facts: readonly string[], messages: readonly ChatMessage[]): string[] {
  const system = normalizeFact(messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n'));
  return facts.filter((fact) => !system.includes(normalizeFact(fact)));
}

/** The facts of `facts` the reply does not state. */
export function factsMissingFromReply(facts: readonly string[], reply: string): string[] {
  const text = normalizeFact(reply);
  return facts.filter((fact) => !text.includes(normalizeFact(fact)));
}
