import { describe, expect, test } from 'vitest';
import { decideBooking } from '../../../src/sales/booking-states.js';
import { parseDurationMinutes, parseServicesFile } from '../../../src/sales/services.js';

describe('booking states: only a waiting request is decided, once', () => {
  test.each([
    ['requested', 'confirm', { ok: true, to: 'confirmed' }],
    ['requested', 'other_time', { ok: true, to: 'other_time' }],
    ['requested', 'decline', { ok: true, to: 'declined' }],
    ['confirmed', 'decline', { ok: false, reason: 'already_decided', state: 'confirmed' }],
    ['declined', 'confirm', { ok: false, reason: 'already_decided', state: 'declined' }],
    ['other_time', 'confirm', { ok: false, reason: 'already_decided', state: 'other_time' }],
  ] as const)('%s + %s', (state, decision, expected) => {
    expect(decideBooking(state, decision)).toEqual(expected);
  });
});

describe('the services file', () => {
  test('reads names, durations and prices', () => {
    expect(parseServicesFile('[{"name":" Чистка ","duration":"1h30m","price":"15 000 ₸"},{"name":"Осмотр","duration":20}]', 's.json'))
      .toEqual([{ name: 'Чистка', durationMin: 90, price: '15 000 ₸' }, { name: 'Осмотр', durationMin: 20, price: null }]);
    expect([parseDurationMinutes('45m'), parseDurationMinutes('2h'), parseDurationMinutes('0m'), parseDurationMinutes('soon')]).toEqual([45, 120, null, null]);
  });

  test.each([
    ['not json', /not valid JSON/],
    ['{"name":"x"}', /must hold a JSON array/],
    ['[{"duration":"1h"}]', /service #1 needs a "name"/],
    ['[{"name":"A","duration":"1h"},{"name":"a","duration":"1h"}]', /service #2: "a" is listed twice/],
    ['[{"name":"A","duration":"later"}]', /has no valid "duration"/],
    ['[{"name":"A","duration":"1h","price":{"x":1}}]', /"price" that is not text/],
  ])('%s is refused with the problem named', (text, message) => {
    expect(() => parseServicesFile(text, 's.json')).toThrow(message);
  });
});
