import { startTelegramSimulator, type TelegramSimulator } from '../simulators/telegram/index.js';
import { startWhatsappGraphSimulator, type WhatsappGraphSimulator } from '../simulators/whatsapp/index.js';
import { DEMO_MANAGERS, DEMO_TENANT } from './demo-tenant.js';

export interface DemoSimulators {
  graph: WhatsappGraphSimulator;
  telegram: TelegramSimulator;
  close(): Promise<void>;
}

/**
 * The WhatsApp Cloud API and the Telegram Bot API the demo's worker talks to: the same simulators the tests use,
 * on free ports of 127.0.0.1 whatever --host says (only the worker calls them). The managers' group is a
 * supergroup with the two demo managers; the bot is a plain member with privacy mode on, as most businesses
 * add it, so it sees replies to its cards and commands, not the managers' chatter.
 */
export async function startDemoSimulators(): Promise<DemoSimulators> {
  const graph = await startWhatsappGraphSimulator({ host: '127.0.0.1' });
  let telegram: TelegramSimulator;
  try {
    telegram = await startTelegramSimulator({ botUsername: 'smile_dental_desk_bot' });
  } catch (err) {
    await graph.close();
    throw err;
  }
  graph.setPhoneNumber(DEMO_TENANT.phoneNumberId, { displayPhoneNumber: DEMO_TENANT.displayPhone, verifiedName: DEMO_TENANT.name });
  telegram.createChat({ id: DEMO_TENANT.managersChatId, type: 'supergroup', title: DEMO_TENANT.managersChatTitle, members: [...DEMO_MANAGERS] });
  return {
    graph,
    telegram,
    async close() {
      await Promise.allSettled([telegram.close(), graph.close()]);
    },
  };
}
