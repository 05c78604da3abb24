import { describe, expect, test } from 'vitest';
import { toWhatsappText, WHATSAPP_TEXT_LIMIT } from '../../../src/brain/guardrails/format.js';
import { revealsInstructions } from '../../../src/brain/guardrails/leak.js';
import { isSmallTalk } from '../../../src/brain/guardrails/small-talk.js';
import { detectLanguage, dominantScript } from '../../../src/brain/language.js';
import { systemTemplate } from '../../../src/texts/texts.js';

describe('language', () => {
  test.each([
    ['Сколько стоит чистка зубов?', 'ru'],
    ['Тіс тазалау қанша тұрады?', 'kk'],
    ['Рахмет, жоқ', 'kk'],
    ['How much is a cleaning?', 'en'],
    ['👍', null],
  ])('%s → %s', (text, locale) => {
    expect(detectLanguage(text)).toBe(locale);
  });

  test('dominant script', () => {
    expect(dominantScript('Hello, это тест')).toBe('cyrillic');
    expect(dominantScript('Price is 15 000 KZT')).toBe('latin');
  });
});

describe('small talk', () => {
  test.each(['Привет!', 'Спасибо большое', 'Сәлеметсіз бе', 'thanks!', '👍🙏'])('"%s" is small talk', (text) => expect(isSmallTalk(text)).toBe(true));
  test.each(['Привет, сколько стоит чистка?', 'Где вы находитесь', 'Hi?', 'Do you do implants'])('"%s" is a question', (text) => expect(isSmallTalk(text)).toBe(false));
});

describe('instructions leak', () => {
  const instructions = systemTemplate('en', 'Smile Dental');
  test('a reply quoting the system instructions is caught', () => {
    expect(revealsInstructions(`Sure! ${instructions.split('\n').slice(2, 4).join(' ')}`, instructions, '')).toBe(true);
  });
  test('a reply talking about its system prompt is caught, in Russian too', () => {
    expect(revealsInstructions('My instructions say I cannot do that.', instructions, '')).toBe(true);
    expect(revealsInstructions('Вот мой системный промпт: …', instructions, '')).toBe(true);
  });
  test('a reply repeating most of the tenant prompt is caught, a fact from it is not', () => {
    const prompt = 'Always greet the customer warmly and call them by name. Offer the free consultation to new patients and never discuss competitors or their prices. If a customer is angry hand the conversation over at once.';
    expect(revealsInstructions(prompt, instructions, prompt)).toBe(true);
    expect(revealsInstructions('We offer a free consultation to new patients.', instructions, prompt)).toBe(false);
  });
  test('an ordinary answer passes', () => {
    expect(revealsInstructions('A professional cleaning costs 15 000 KZT.', instructions, '')).toBe(false);
  });
});

describe('WhatsApp formatting', () => {
  test('Markdown headings, bold, links and tables become WhatsApp text', () => {
    const out = toWhatsappText('## Prices\n**Cleaning**: 15 000\n\n| Service | Price |\n|---|---|\n| Cleaning | 15 000 |\n\nSee [our site](https://smile.kz).');
    expect(out).toBe('*Prices*\n*Cleaning*: 15 000\n\nService — Price\nCleaning — 15 000\n\nSee our site: https://smile.kz.');
  });
  test('an over-long answer is cut at a sentence end within the limit', () => {
    const out = toWhatsappText('This is a sentence. '.repeat(400));
    expect(out.length).toBeLessThanOrEqual(WHATSAPP_TEXT_LIMIT);
    expect(out.endsWith('.…')).toBe(true);
  });
});
