import { describe, expect, test } from 'vitest';
import { alertConfigProblem, escapeHtml, formatAlert } from '../../../../src/ops/alerts/telegram-notifier.js';
import { giveUpAlert } from '../../../../src/supervisor/give-up-alert.js';

describe('alert text', () => {
  test('everything is HTML-escaped; the title is bold and the fix is labelled', () => {
    expect(escapeHtml('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(formatAlert({ title: 'worker <down>', lines: ['Error: x & y'], fix: 'run <this>' })).toBe('<b>worker &lt;down&gt;</b>\nError: x &amp; y\n<b>Fix:</b> run &lt;this&gt;');
    expect(formatAlert({ title: 'only a title' })).toBe('<b>only a title</b>');
  });

  test('a huge log line is cut to what Telegram accepts, never inside an entity', () => {
    const text = formatAlert({ title: 't', lines: ['&'.repeat(5000)], fix: 'f' });
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text).toMatch(/(&amp;)+…\n<b>Fix:<\/b> f$/);
  });

  test('missing settings are named with their fix', () => {
    expect(alertConfigProblem({ telegramBotToken: null, telegramApiRoot: 'https://api.telegram.org', oncallChatId: -100 })?.toString()).toMatch(/^alerts cannot be sent: TELEGRAM_BOT_TOKEN is not set: set it/);
    expect(alertConfigProblem({ telegramBotToken: '1:x', telegramApiRoot: 'https://api.telegram.org', oncallChatId: null })?.toString()).toMatch(/BOTCTL_ONCALL_CHAT_ID is not set: add the bot/);
    expect(alertConfigProblem({ telegramBotToken: '1:x', telegramApiRoot: 'https://api.telegram.org', oncallChatId: -100 })).toBeNull();
  });

  test('the give-up alert names the child, the count, its last words and the fix', () => {
    const alert = giveUpAlert({ child: 'worker', restarts: 3, windowMs: 60_000, lastFailure: 'exited with code 1', lastOutput: ['Error: the database is at schema version 999'] }, 'vps-1');
    expect(alert.title).toBe('botctl on vps-1: the worker keeps failing; botctl run gave up');
    expect(alert.lines?.join('\n')).toContain('It exited with code 1 after 3 restarts within 1m.');
    expect(alert.lines).toContain('Error: the database is at schema version 999');
    expect(alert.fix).toMatch(/journalctl -u botctl/);
  });
});
