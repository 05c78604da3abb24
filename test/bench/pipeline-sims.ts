import { setTimeout as sleep } from 'node:timers/promises';
import { groundedResponder, startOpenAISimulator, type ChatRequest, type OpenAISimulator } from '../../src/simulators/openai/index.js';
import { startTelegramSimulator, type TelegramSimulator } from '../../src/simulators/telegram/index.js';
import { startWhatsappGraphSimulator, type WhatsappGraphSimulator } from '../../src/simulators/whatsapp/index.js';
import { APP_SECRET, LLM_KEY, VERIFY_TOKEN } from './context.js';
import type { SeededTenant } from './seed.js';

export interface PipelineSims {
  graph: WhatsappGraphSimulator;
  llm: OpenAISimulator;
  telegram: TelegramSimulator;
  /** When the fake LLM answered each request (epoch ms), recorded right before the answer is written. */
  answeredAt: WeakMap<ChatRequest, number>;
  /** What a worker needs to talk to these simulators. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The three remote APIs as the product's own simulators, in this process. The LLM is the default grounded
 * responder (it answers with a knowledge sentence, so the guardrails let the answer through) after `llmDelayMs`:
 * the delay sits in the responder rather than in `delayAll` so the moment of each answer can be recorded.
 * Every tenant of the burst gets its managers' group in the Telegram simulator and its token in the Graph one.
 */
export async function startPipelineSims(tenants: readonly SeededTenant[], llmDelayMs: number, options: { enforceLimits?: boolean } = {}): Promise<PipelineSims> {
  const answeredAt = new WeakMap<ChatRequest, number>();
  // With enforceLimits the simulators refuse sends over Telegram's and Meta's limits, as the real APIs do.
  const graph = await startWhatsappGraphSimulator(options.enforceLimits ? { enforceLimits: { perNumberPerSecond: 80, perPairSeconds: 6, pairBurst: 3 } } : {});
  const llm = await startOpenAISimulator({
    apiKey: LLM_KEY,
    responder: async (request) => {
      await sleep(llmDelayMs);
      const step = groundedResponder(request);
      answeredAt.set(request, Date.now());
      return step;
    },
  });
  const telegram = await startTelegramSimulator(options.enforceLimits ? { enforceLimits: { perGroupPerMinute: 20, overallPerSecond: 30 } } : {});
  const manager = { id: 5001, is_bot: false, first_name: 'Менеджер' };
  for (const tenant of tenants) {
    graph.setToken(tenant.phoneNumberId, tenant.token);
    telegram.createChat({ id: tenant.chatId, type: 'supergroup', title: `${tenant.slug} managers`, members: [manager] });
  }
  return {
    graph, llm, telegram, answeredAt,
    env: {
      WHATSAPP_GRAPH_URL: graph.url, WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      OPENAI_API_KEY: LLM_KEY, OPENAI_BASE_URL: llm.url, TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url,
    },
    async close() {
      await Promise.all([graph.close(), llm.close(), telegram.close()]);
    },
  };
}
