import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, AuthenticationError, PermissionDeniedError } from 'openai';
import { scrubText } from '../../observability/redact.js';
import { fail, ok, skip, warn, type CheckResult, type DoctorContext } from './check.js';

const G = 'llm';

/** The key works (GET /models answers) and BOTCTL_LLM_MODEL is among the models the provider serves. */
export async function llmChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const c = ctx.config;
  if (!c) return [skip(G, 'LLM', 'needs a valid configuration')];
  if (!c.openaiApiKey) return [skip(G, 'LLM', 'OPENAI_API_KEY is not set: the bot answers only exact FAQ matches and hands the rest to managers')];
  const client = new OpenAI({ apiKey: c.openaiApiKey, baseURL: c.openaiBaseUrl, maxRetries: 0, timeout: ctx.timeoutMs });
  let ids: string[];
  try {
    const page = await client.models.list();
    ids = page.data.map((m) => m.id);
  } catch (err) {
    return [llmFailure(err, c.openaiBaseUrl)];
  }
  const key = ok(G, 'LLM key', `${c.openaiBaseUrl} accepts OPENAI_API_KEY (${ids.length} models listed)`);
  if (ids.length === 0) return [key, warn(G, 'LLM model', `the provider lists no models, so ${c.llmModel} cannot be confirmed`, 'try it: botctl chat <slug> --message "hello"')];
  if (ids.includes(c.llmModel)) return [key, ok(G, 'LLM model', `${c.llmModel} is served`)];
  const some = ids.slice(0, 8).join(', ');
  return [key, fail(G, 'LLM model', `BOTCTL_LLM_MODEL=${c.llmModel} is not among the ${ids.length} models ${c.openaiBaseUrl} serves (${some}${ids.length > 8 ? ', …' : ''})`, `set BOTCTL_LLM_MODEL to one of them in the env file, e.g. BOTCTL_LLM_MODEL=${ids.find((id) => /gpt|chat|instruct/i.test(id)) ?? ids[0]}`)];
}

function llmFailure(err: unknown, baseUrl: string): CheckResult {
  if (err instanceof AuthenticationError || err instanceof PermissionDeniedError) {
    return fail(G, 'LLM key', `${baseUrl} refused OPENAI_API_KEY (HTTP ${err.status})`, 'set OPENAI_API_KEY to a valid key of this provider (for OpenAI: platform.openai.com/api-keys) in the env file, then restart: sudo systemctl restart botctl');
  }
  if (err instanceof APIConnectionTimeoutError || err instanceof APIConnectionError) {
    return fail(G, 'LLM key', `${baseUrl} did not answer (${scrubText(err.message)})`, 'check OPENAI_BASE_URL and that this host reaches it (firewall, DNS, proxy)');
  }
  if (err instanceof APIError && err.status === 404) {
    return warn(G, 'LLM key', `${baseUrl} has no /models endpoint, so the key and model cannot be checked this way`, 'try the bot: botctl chat <slug> --message "hello"');
  }
  const status = err instanceof APIError && err.status ? `HTTP ${err.status}: ` : '';
  return fail(G, 'LLM key', `${baseUrl} failed: ${status}${scrubText((err as Error).message ?? String(err)).slice(0, 200)}`, 'check the provider\'s status page, OPENAI_BASE_URL and OPENAI_API_KEY');
}
