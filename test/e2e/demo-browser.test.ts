import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConsoleState } from '../../src/demo/console-api.js';
import type { CustomerChannel } from '../../src/demo/customer-chat.js';
import { packageRoot } from '../../src/paths.js';
import { startOpenAISimulator, type OpenAISimulator } from '../fakes/openai.js';
import { startDemoProcess, type DemoProcess } from '../helpers/demo-process.js';
import { freePort } from '../helpers/ports.js';

// Debian's Chromium (.ci/run installs it); playwright-core downloads no browser of its own.
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(packageRoot, 'test-results', 'demo-browser');
const DESKTOP = { width: 1366, height: 820 };
const PHONE = { width: 390, height: 844 };
const WAIT = 20_000;

let browser: BrowserContext;
let profile: string;
const running: DemoProcess[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'botctl-chromium-'));
  // A persistent context is how playwright takes a fresh --user-data-dir (it refuses the flag in args).
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, viewport: DESKTOP });
}, 60_000);

afterAll(async () => {
  for (const demo of running) if (demo.running()) await demo.interrupt();
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
});

/** Opens the console and records what a person would notice: script errors, failed requests, any non-local request. */
async function open(demo: DemoProcess): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('requestfailed', (r) => { if (!r.url().endsWith('/api/events')) problems.push(`failed: ${r.url()}`); });
  page.on('request', (r) => { if (!new URL(r.url()).hostname.startsWith('127.0.0.1')) problems.push(`external request: ${r.url()}`); });
  await page.setViewportSize(DESKTOP);
  await page.goto(demo.url);
  return { page, problems };
}

/** A message of the customer's chat on screen; `channel` (default WhatsApp) is the chat it must belong to. */
const bubble = (page: Page, from: 'customer' | 'business', text: string, channel: CustomerChannel = 'whatsapp'): Locator =>
  page.locator(`[data-testid=chat-message][data-from=${from}][data-channel=${channel}]`).filter({ hasText: text });

async function snap(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400); // let the arrival animations finish
  await page.screenshot({ path: join(ARTIFACTS, `${name}-page.png`) });
  for (const pane of ['customer', 'desk']) {
    const locator = page.getByTestId(`pane-${pane}`);
    if (await locator.isVisible()) await locator.screenshot({ path: join(ARTIFACTS, `${name}-${pane}.png`) });
  }
}

describe('the demo console in Chromium', () => {
  test('offline: FAQ answered, hand over, Take, greeting, manager reply, Resolve — both panes live', async () => {
    const demo = await startDemoProcess(['--port', String(await freePort())]);
    running.push(demo);
    const { page, problems } = await open(demo);
    await page.getByTestId('llm').filter({ hasText: 'No LLM: exact FAQ answers only' }).waitFor({ timeout: WAIT });
    await expect(page.getByTestId('channel-whatsapp').getAttribute('aria-checked')).resolves.toBe('true');

    // 1. An FAQ question typed by hand: the bot's exact FAQ answer; the worker reads the customer's message.
    await page.getByTestId('chat-input').fill('Сколько стоит профессиональная чистка зубов?');
    await page.getByTestId('chat-send').click();
    await bubble(page, 'business', 'Профессиональная чистка зубов стоит 15 000 ₸').waitFor({ timeout: WAIT });
    await page.locator('[data-testid=chat-message][data-from=customer][data-status=read]').first().waitFor({ timeout: WAIT });

    // 2. A question the knowledge base does not cover (an example chip): holding reply and a card.
    await page.locator('#chat-chips button', { hasText: 'Пирсинг языка?' }).click();
    await bubble(page, 'business', 'передал ваш вопрос менеджеру').waitFor({ timeout: WAIT });
    const card = page.getByTestId('tg-card').filter({ hasText: 'Запрос №1' });
    await card.waitFor({ timeout: WAIT });
    await expect(card.locator('strong', { hasText: 'Запрос №1' }).count()).resolves.toBe(1); // the bot's <b> rendered
    await expect(card.getByTestId('tg-button').allTextContents()).resolves.toEqual(['Взять', 'Решено']);
    await snap(page, '1-card');

    // 3. Take as Алия (the default manager): the bot's answer shows as a toast; the customer is greeted by name.
    await card.getByTestId('tg-button').filter({ hasText: 'Взять' }).click();
    await page.getByTestId('tg-toast').filter({ hasText: 'Запрос №1 ваш' }).waitFor({ timeout: WAIT });
    await bubble(page, 'business', 'Меня зовут Алия').waitFor({ timeout: WAIT });
    await card.getByTestId('tg-button').filter({ hasText: 'Вернуть в очередь' }).waitFor({ timeout: WAIT });

    // 4. Reply to the card as the manager: it reaches the customer's WhatsApp.
    await card.getByTestId('tg-reply').click();
    await page.getByTestId('tg-input').fill('Пирсинг мы не делаем, но будем рады видеть вас на консультации.');
    await page.getByTestId('tg-send').click();
    await bubble(page, 'business', 'Пирсинг мы не делаем').waitFor({ timeout: WAIT });
    await page.getByTestId('tg-message').filter({ hasText: 'прочитано' }).waitFor({ timeout: WAIT }); // the read receipt came back
    await snap(page, '2-replied');

    // 5. Resolve: the card shows the outcome and loses its buttons, except "Teach the bot" (a manager answered).
    await card.getByTestId('tg-button').filter({ hasText: 'Решено' }).click();
    await card.filter({ hasText: 'Решён' }).waitFor({ timeout: WAIT });
    await expect(card.getByTestId('tg-button').allTextContents()).resolves.toEqual(['🎓 Научить бота']);
    await expect(page.locator('[data-testid=chat-message][data-from=business]').count()).resolves.toBe(4);
    await snap(page, '3-resolved');

    // 6. On a phone: one pane at a time, switched by tabs.
    await page.setViewportSize(PHONE);
    await expect(page.getByTestId('tab-customer').isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('pane-desk').isVisible()).resolves.toBe(false);
    await snap(page, '4-phone-customer');
    await page.getByTestId('tab-desk').click();
    await expect(page.getByTestId('pane-customer').isVisible()).resolves.toBe(false);
    await card.waitFor({ timeout: WAIT });
    await snap(page, '5-phone-desk');

    expect(problems).toEqual([]);
    expect(await demo.interrupt()).toBe(0);
  }, 120_000);

  test('Instagram and Telegram: the visitor picks the channel, the bot answers there, the card names it, the manager\'s reply arrives there', async () => {
    const demo = await startDemoProcess(['--port', String(await freePort())]);
    running.push(demo);
    const { page, problems } = await open(demo);
    const state = async () => (await demo.api<ConsoleState>('api/state')).body;
    const texts = async (channel: CustomerChannel) => (await state()).chats[channel].messages.map((m) => `${m.from}: ${m.text}`);
    const pick = async (channel: CustomerChannel) => {
      await page.getByTestId(`channel-${channel}`).click();
      await page.locator(`[data-testid=pane-customer][data-channel=${channel}]`).waitFor({ timeout: WAIT });
    };
    const write = async (text: string) => {
      await page.getByTestId('chat-input').fill(text);
      await page.getByTestId('chat-send').click();
    };
    const card = (n: number) => page.getByTestId('tg-card').filter({ hasText: `Запрос №${n}` });

    // 1. Instagram: the header is the clinic's Instagram account; an FAQ question gets the FAQ answer in the Instagram chat.
    await pick('instagram');
    await page.locator('#chat-status', { hasText: '@smile_dental_almaty' }).waitFor({ timeout: WAIT });
    await expect(page.locator('#chat-customer-name').textContent()).resolves.toBe('Дана');
    await write('Сколько стоит профессиональная чистка зубов?');
    await bubble(page, 'business', 'Профессиональная чистка зубов стоит 15 000 ₸', 'instagram').waitFor({ timeout: WAIT });
    // 2. A question the knowledge base does not cover: the holding reply on Instagram, and a card that says Instagram.
    await page.locator('#chat-chips button', { hasText: 'Пирсинг языка?' }).click();
    await bubble(page, 'business', 'передал ваш вопрос менеджеру', 'instagram').waitFor({ timeout: WAIT });
    await card(1).waitFor({ timeout: WAIT });
    await expect(card(1).textContent()).resolves.toContain('Клиент: Instagram · 1784140077001234');
    await snap(page, '7-instagram');

    // 3. Telegram: Start (a /start command) gets the tenant's greeting, the FAQ question its answer, and the uncovered
    // question a card that says Telegram.
    await pick('telegram');
    await page.locator('#chat-status', { hasText: '@smile_dental_almaty_bot' }).waitFor({ timeout: WAIT });
    await page.locator('#chat-chips button', { hasText: 'Start' }).click();
    await bubble(page, 'business', 'Здравствуйте! Это Smile Dental.', 'telegram').waitFor({ timeout: WAIT });
    await write('Сколько стоит профессиональная чистка зубов?');
    await bubble(page, 'business', 'Профессиональная чистка зубов стоит 15 000 ₸', 'telegram').waitFor({ timeout: WAIT });
    await write('Вы делаете пирсинг языка?');
    await bubble(page, 'business', 'передал ваш вопрос менеджеру', 'telegram').waitFor({ timeout: WAIT });
    await card(2).waitFor({ timeout: WAIT });
    await expect(card(2).textContent()).resolves.toContain('Клиент: Telegram · Ерлан · @erlan_almaty');

    // 4. Данияр takes the Telegram request and answers it: the greeting and the answer arrive in the Telegram chat.
    await page.locator('[data-testid=tg-manager][data-manager="700002"]').click();
    await card(2).getByTestId('tg-button').filter({ hasText: 'Взять' }).click();
    await bubble(page, 'business', 'Меня зовут Данияр', 'telegram').waitFor({ timeout: WAIT });
    await card(2).getByTestId('tg-reply').click();
    await page.getByTestId('tg-input').fill('Пирсинг мы не делаем, приходите на консультацию в Telegram-чате.');
    await page.getByTestId('tg-send').click();
    await bubble(page, 'business', 'Пирсинг мы не делаем, приходите на консультацию в Telegram-чате.', 'telegram').waitFor({ timeout: WAIT });
    await snap(page, '8-telegram');

    // 5. Алия answers the Instagram request while the visitor looks at Telegram: Instagram's button counts it unread,
    // and the answer is in the Instagram chat, not in Telegram's.
    await page.locator('[data-testid=tg-manager][data-manager="700001"]').click();
    await card(1).getByTestId('tg-button').filter({ hasText: 'Взять' }).click();
    await card(1).getByTestId('tg-reply').click();
    await page.getByTestId('tg-input').fill('Пирсинг мы не делаем, отвечаю вам в Instagram.');
    await page.getByTestId('tg-send').click();
    await page.getByTestId('channel-instagram').locator('.badge', { hasText: /^[1-9]/ }).waitFor({ timeout: WAIT });
    await pick('instagram');
    await bubble(page, 'business', 'Меня зовут Алия', 'instagram').waitFor({ timeout: WAIT });
    await bubble(page, 'business', 'Пирсинг мы не делаем, отвечаю вам в Instagram.', 'instagram').waitFor({ timeout: WAIT });
    await expect(page.getByTestId('channel-instagram').locator('.badge').isHidden()).resolves.toBe(true);

    // Each channel's chat holds only what happened on it; WhatsApp was not touched.
    expect(await texts('whatsapp')).toEqual([]);
    expect((await texts('telegram')).filter((t) => t.includes('Instagram') || t.includes('Алия'))).toEqual([]);
    expect((await texts('instagram')).filter((t) => t.includes('Telegram') || t.includes('Данияр') || t.includes('Здравствуйте! Это'))).toEqual([]);
    expect(problems).toEqual([]);
    expect(await demo.interrupt()).toBe(0);
  }, 120_000);

  test('with OPENAI_API_KEY and OPENAI_BASE_URL the real openai client asks the given API', async () => {
    const llm: OpenAISimulator = await startOpenAISimulator({ apiKey: 'sk-demo-test-0123456789abcdef' });
    try {
      const demo = await startDemoProcess(['--port', String(await freePort())], { OPENAI_API_KEY: 'sk-demo-test-0123456789abcdef', OPENAI_BASE_URL: llm.url });
      running.push(demo);
      const { page, problems } = await open(demo);
      await page.getByTestId('llm').filter({ hasText: `LLM: gpt-4o-mini · 127.0.0.1:${llm.port}` }).waitFor({ timeout: WAIT });

      await page.getByTestId('chat-input').fill('Сколько стоит профессиональная чистка зубов?');
      await page.getByTestId('chat-send').click();
      const answer = page.locator('[data-testid=chat-message][data-from=business]').first();
      await answer.waitFor({ timeout: WAIT });
      // The simulator answered: it got the request with the tenant's prompt and the retrieved knowledge.
      expect(llm.requests.length).toBeGreaterThan(0);
      const request = JSON.stringify(llm.requests[0]!.body);
      expect(llm.requests[0]!.body.model).toBe('gpt-4o-mini');
      expect(request).toContain('Smile Dental');
      expect(request).toContain('15 000');
      await expect(answer.textContent()).resolves.toContain('15 000 ₸');
      await snap(page, '6-llm');
      expect(problems).toEqual([]);
      expect(await demo.interrupt()).toBe(0);
    } finally {
      await llm.close();
    }
  }, 120_000);
});
