/**
 * Does a reply reveal the bot's instructions? Checked in code because a model can be talked into it:
 * any 6 consecutive words of the system instructions in the reply, a large share of the tenant's prompt repeated
 * verbatim, or the reply talking about its own prompt or instructions.
 */
const SELF_TALK = /(system prompt|системн\p{L}* промпт|системн\p{L}* инструкц|my instructions|мои инструкции|моих инструкци|мои правила|жүйелік промпт|нұсқаулықтарым)/iu;

function words(text: string): string[] {
  return text.toLowerCase().replaceAll('ё', 'е').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

function ngrams(tokens: string[], n: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + n <= tokens.length; i++) out.add(tokens.slice(i, i + n).join(' '));
  return out;
}

export function revealsInstructions(reply: string, systemInstructions: string, tenantPrompt: string): boolean {
  if (SELF_TALK.test(reply)) return true;
  const replyWords = words(reply);
  const reply6 = ngrams(replyWords, 6);
  for (const gram of ngrams(words(systemInstructions), 6)) if (reply6.has(gram)) return true;
  const promptWords = words(tenantPrompt);
  if (promptWords.length >= 30) {
    const prompt5 = ngrams(promptWords, 5);
    const reply5 = ngrams(replyWords, 5);
    let shared = 0;
    for (const gram of prompt5) if (reply5.has(gram)) shared++;
    if (shared / prompt5.size >= 0.4) return true;
  }
  return false;
}
