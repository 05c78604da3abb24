import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { User } from 'grammy/types';
import type { Cell } from '../cell.js';
import { KnowledgeService } from '../knowledge/knowledge-service.js';
import { isSupportedFile } from '../knowledge/source-file.js';
import { templatesDir } from '../paths.js';
import { PromptService } from '../prompts/prompt-service.js';
import { TenantService } from '../tenants/tenant-service.js';

/** The example business the demo runs: its knowledge base and prompt live in templates/examples/dental-almaty. */
export const EXAMPLE_DIR = join(templatesDir, 'examples', 'dental-almaty');

export const DEMO_TENANT = {
  slug: 'dental-almaty',
  name: 'Smile Dental',
  phoneNumberId: '109876543210987',
  displayPhone: '+7 701 555 12 34',
  managersChatId: -1001987654321,
  managersChatTitle: 'Smile Dental · менеджеры',
  timezone: 'Asia/Almaty',
  /** The clinic's Instagram professional account (its numeric id, as the Meta app shows it) and username. */
  instagramAccountId: '17841400012345678',
  instagramUsername: 'smile_dental_almaty',
  /** The clinic's own Telegram bot for customers (not the desk bot): its id is the digits of its token. */
  customerBotId: '7123456789',
  customerBotUsername: 'smile_dental_almaty_bot',
} as const;

/** The two managers of the Telegram group; the console acts as either of them. */
export const DEMO_MANAGERS: readonly User[] = [
  { id: 700_001, is_bot: false, first_name: 'Алия', last_name: 'Сейтова', username: 'aliya_smile', language_code: 'ru' },
  { id: 700_002, is_bot: false, first_name: 'Данияр', last_name: 'Ахметов', username: 'daniyar_smile', language_code: 'ru' },
];

/**
 * The customers the console writes as, one per channel: separate people, because the cell keeps one contact per
 * channel identity and a visitor should tell their cards apart. WhatsApp's wa_id is a Kazakhstan mobile number
 * (digits only); Instagram's IGSID is the page-scoped id Meta's webhook gives (no name: the card shows the id).
 */
export const DEMO_CUSTOMERS = {
  whatsapp: { waId: '77011234567', name: 'Айгерим' },
  instagram: { igsid: '1784140077001234', name: 'Дана' },
  telegram: { id: 880_777_001, is_bot: false, first_name: 'Ерлан', username: 'erlan_almaty', language_code: 'ru' } satisfies User,
} as const;

export interface SeededTenant {
  tenant: { id: number; slug: string };
  /** The tenant's WhatsApp access token (the Graph simulator accepts only it for the demo number). */
  whatsappToken: string;
  /** False when the tenant was already there (a kept --data-dir run again). */
  created: boolean;
}

/**
 * Seeds the demo tenant through the same services the CLI uses (`tenant add`, `prompt set`, `kb add`), so the
 * demo runs on exactly what an operator would have set up (its Instagram account and customer bot: demo-channels.ts). Reminders are short (`remindAfter`, then as often again)
 * so a visitor sees one while trying the demo.
 */
export function seedDemoTenant(cell: Cell, options: { remindAfter: string } = { remindAfter: '1m' }): SeededTenant {
  const tenants = new TenantService(cell);
  const existing = tenants.list().find((t) => t.slug === DEMO_TENANT.slug);
  if (existing) return { tenant: existing, whatsappToken: tenants.whatsappToken(existing) ?? '', created: false };

  const whatsappToken = `EAAdemo${randomBytes(24).toString('base64url')}`;
  const tenant = tenants.add(DEMO_TENANT.slug, {
    name: DEMO_TENANT.name,
    locale: 'ru',
    timezone: DEMO_TENANT.timezone,
    whatsappPhoneNumberId: DEMO_TENANT.phoneNumberId,
    whatsappToken,
    telegramChatId: String(DEMO_TENANT.managersChatId),
    remindAfter: options.remindAfter,
    remindEvery: options.remindAfter,
    remindMax: '3',
    replyTimeout: '3m',
  });
  const prompts = new PromptService(cell);
  prompts.set(DEMO_TENANT.slug, prompts.readFile(join(EXAMPLE_DIR, 'prompt.md')), 'botctl demo');
  const knowledgeDir = join(EXAMPLE_DIR, 'knowledge');
  const files = readdirSync(knowledgeDir).filter((name) => isSupportedFile(name)).sort();
  new KnowledgeService(cell).addFiles(DEMO_TENANT.slug, files.map((name) => join(knowledgeDir, name)));
  return { tenant, whatsappToken, created: true };
}

/** "Алия Сейтова": how Telegram clients show a person. */
export function displayName(user: Pick<User, 'first_name' | 'last_name'>): string {
  return user.last_name ? `${user.first_name} ${user.last_name}` : user.first_name;
}
