import type { CustomerChannel, CustomerChat } from './customer-chat.js';
import type { DemoSimulators } from './demo-simulators.js';
import { DEMO_CUSTOMERS, DEMO_TENANT } from './demo-tenant.js';
import { InstagramPhone } from './instagram-phone.js';
import { TelegramPhone } from './telegram-phone.js';
import { WhatsappPhone } from './whatsapp-phone.js';

/**
 * The demo customer's app on each channel, talking to the worker at `workerUrl` (`http://host:port`) as that
 * channel's platform does: Meta's signed webhooks for WhatsApp and Instagram (both signed with the cell's app secret:
 * INSTAGRAM_APP_SECRET is not set, so WHATSAPP_APP_SECRET signs both), and the customer bot's update queue for Telegram.
 */
export function demoCustomerChats(sims: DemoSimulators, appSecret: string, workerUrl: () => string): { chats: Record<CustomerChannel, CustomerChat>; whatsapp: WhatsappPhone } {
  const whatsapp = new WhatsappPhone({
    graph: sims.graph, appSecret, webhookUrl: () => `${workerUrl()}/webhooks/whatsapp`,
    business: { name: DEMO_TENANT.name, phoneNumberId: DEMO_TENANT.phoneNumberId, displayPhone: DEMO_TENANT.displayPhone },
    customer: DEMO_CUSTOMERS.whatsapp,
  });
  const instagram = new InstagramPhone({
    instagram: sims.instagram, appSecret, webhookUrl: () => `${workerUrl()}/webhooks/instagram`,
    business: { name: DEMO_TENANT.name, accountId: DEMO_TENANT.instagramAccountId, username: DEMO_TENANT.instagramUsername },
    customer: DEMO_CUSTOMERS.instagram,
  });
  const telegram = new TelegramPhone({
    bot: () => {
      if (!sims.customerBot) throw new Error('the customer bot is not started yet');
      return sims.customerBot;
    },
    business: { name: DEMO_TENANT.name, botUsername: DEMO_TENANT.customerBotUsername },
    customer: DEMO_CUSTOMERS.telegram,
  });
  return { chats: { whatsapp, instagram, telegram }, whatsapp };
}
