import { startInstagramGraphSimulator, type InstagramGraphSimulator } from '../simulators/instagram/index.js';
import { startBotApiRouter, startTelegramSimulator, type BotApiRouter, type TelegramSimulator } from '../simulators/telegram/index.js';
import { startWhatsappGraphSimulator, type WhatsappGraphSimulator } from '../simulators/whatsapp/index.js';
import { DEMO_MANAGERS, DEMO_TENANT } from './demo-tenant.js';

export interface DemoSimulators {
  graph: WhatsappGraphSimulator;
  instagram: InstagramGraphSimulator;
  /** The Telegram Bot API as the cell's desk bot sees it (the managers' group). */
  telegram: TelegramSimulator;
  /** The Bot API root the cell is given (TELEGRAM_API_ROOT): the desk bot's and the customer bot's calls both go there. */
  botApi: BotApiRouter;
  /** The tenant's customer bot, once `startCustomerBot` ran. */
  customerBot: TelegramSimulator | null;
  /** Starts the Telegram Bot API of the tenant's customer bot, reached through `botApi` like the desk bot. */
  startCustomerBot(token: string): Promise<TelegramSimulator>;
  close(): Promise<void>;
}

/**
 * The WhatsApp Cloud API, Instagram's Graph API and the Telegram Bot API the demo's worker talks to: the same
 * simulators the tests use, on free ports of 127.0.0.1 whatever --host says (only the worker calls them). The
 * managers' group is a supergroup with the two demo managers; the desk bot is a plain member with privacy mode on,
 * as most businesses add it, so it sees replies to its cards and commands, not the managers' chatter. The customer
 * bot is a second bot with its own simulator, started once its token is known (it is the tenant's, kept in the cell).
 */
export async function startDemoSimulators(): Promise<DemoSimulators> {
  const started: { close(): Promise<void> }[] = [];
  const closeAll = async () => {
    await Promise.allSettled(started.reverse().map((s) => s.close()));
  };
  try {
    const graph = await startWhatsappGraphSimulator({ host: '127.0.0.1' });
    started.push(graph);
    const instagram = await startInstagramGraphSimulator();
    started.push(instagram);
    const telegram = await startTelegramSimulator({ botUsername: 'smile_dental_desk_bot' });
    started.push(telegram);
    const botApi = await startBotApiRouter([{ token: telegram.token, url: telegram.url }]);
    started.push(botApi);
    graph.setPhoneNumber(DEMO_TENANT.phoneNumberId, { displayPhoneNumber: DEMO_TENANT.displayPhone, verifiedName: DEMO_TENANT.name });
    telegram.createChat({ id: DEMO_TENANT.managersChatId, type: 'supergroup', title: DEMO_TENANT.managersChatTitle, members: [...DEMO_MANAGERS] });
    const sims: DemoSimulators = {
      graph, instagram, telegram, botApi,
      customerBot: null,
      async startCustomerBot(token) {
        const bot = await startTelegramSimulator({ token, botUsername: DEMO_TENANT.customerBotUsername });
        started.push(bot);
        botApi.route(token, bot.url);
        sims.customerBot = bot;
        return bot;
      },
      close: closeAll,
    };
    return sims;
  } catch (err) {
    await closeAll();
    throw err;
  }
}
