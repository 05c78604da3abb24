import { describe, expect, test } from 'vitest';
import { checkWidgetLogin, WIDGET_MAX_AGE_MS } from '../../../src/dashboard/telegram-login.js';

// Computed apart, with Python's hashlib and hmac, from Telegram's description (PROTOCOLS.md §3b).
const TOKEN = '123456:ABC-test-token';
const FIELDS = { id: '501', first_name: 'Dana', username: 'dana_m', auth_date: '1790000000' };
const HASH = '56fcac5cb231899b057e6019b683ac191d242d3de9fc30479ed9c68703066099';
const AT = 1_790_000_000_000;

describe('Telegram Login Widget answers', () => {
  test('a genuine answer names the person', () => {
    expect(checkWidgetLogin({ ...FIELDS, hash: HASH }, TOKEN, AT + 60_000)).toEqual({ ok: true, user: { id: 501, name: 'Dana' } });
  });

  test.each([
    ['another bot\'s token', { ...FIELDS, hash: HASH }, '999:other', AT, 'bad_hash'],
    ['a changed field', { ...FIELDS, id: '502', hash: HASH }, TOKEN, AT, 'bad_hash'],
    ['an added field', { ...FIELDS, last_name: 'X', hash: HASH }, TOKEN, AT, 'bad_hash'],
    ['an old answer', { ...FIELDS, hash: HASH }, TOKEN, AT + WIDGET_MAX_AGE_MS + 1000, 'expired'],
    ['no hash', { ...FIELDS }, TOKEN, AT, 'incomplete'],
    ['a hash that is not hex', { ...FIELDS, hash: 'zz' }, TOKEN, AT, 'incomplete'],
  ] as const)('refused: %s', (_, fields, token, now, why) => {
    expect(checkWidgetLogin(fields as Record<string, string>, token, now)).toEqual({ ok: false, why });
  });
});
