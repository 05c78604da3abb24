import { describe, expect, test } from 'vitest';
import { BusinessHoursError, formatBusinessHours, parseBusinessHours } from '../../../src/tenants/business-hours.js';
import { validateBusinessHours } from '../../../src/tenants/settings.js';
import { UserError } from '../../../src/errors.js';

const h = (hh: number, mm = 0) => hh * 60 + mm;

describe('parseBusinessHours', () => {
  test('day ranges, single days and several parts', () => {
    expect(parseBusinessHours('mon-fri 09:00-18:00; sat 10:00-14:00')).toEqual({
      mon: [[h(9), h(18)]],
      tue: [[h(9), h(18)]],
      wed: [[h(9), h(18)]],
      thu: [[h(9), h(18)]],
      fri: [[h(9), h(18)]],
      sat: [[h(10), h(14)]],
    });
  });

  test('comma lists of days, several intervals per day sorted by start, upper case, one-digit hours and 24:00', () => {
    expect(parseBusinessHours('MON,wed,Fri 14:00-19:30, 9:00-13:00; sun 00:00-24:00')).toEqual({
      mon: [[h(9), h(13)], [h(14), h(19, 30)]],
      wed: [[h(9), h(13)], [h(14), h(19, 30)]],
      fri: [[h(9), h(13)], [h(14), h(19, 30)]],
      sun: [[0, 24 * 60]],
    });
  });

  test('parts naming the same day add intervals to it', () => {
    expect(parseBusinessHours('mon-tue 09:00-12:00; tue 15:00-18:00')).toEqual({
      mon: [[h(9), h(12)]],
      tue: [[h(9), h(12)], [h(15), h(18)]],
    });
  });

  test.each([
    ['', 'no days given'],
    [' ; ; ', 'no days given'],
    ['mon-fri', 'is not "days hh:mm-hh:mm"'],
    ['09:00-18:00', 'is not "days hh:mm-hh:mm"'],
    ['monday 09:00-18:00', 'is not a day or day range'],
    ['fri-mon 09:00-18:00', 'is not a day or day range'],
    ['mon- 09:00-18:00', 'is not a day or day range'],
    ['mon 9-18', 'is not a time range like 09:00-18:00'],
    ['mon 09:00 - 18:00', 'is not a time range like 09:00-18:00'],
    ['mon 09:00-18:00:00', 'is not a time range like 09:00-18:00'],
    ['mon 18:00-09:00', 'is not a valid range'],
    ['mon 09:00-09:00', 'is not a valid range'],
    ['mon 25:00-26:00', 'is not a valid range'],
    ['mon 09:60-10:00', 'is not a valid range'],
    ['mon 09:00-24:30', 'is not a valid range'],
    ['mon 09:00-18:00; tue', 'is not "days hh:mm-hh:mm"'],
  ])('malformed %j is refused (%s)', (text, message) => {
    expect(() => parseBusinessHours(text)).toThrow(BusinessHoursError);
    expect(() => parseBusinessHours(text)).toThrow(message);
  });
});

describe('formatBusinessHours', () => {
  test('null is always open', () => {
    expect(formatBusinessHours(null)).toBe('always open');
  });

  test('days in week order with zero-padded times', () => {
    expect(formatBusinessHours({ sat: [[h(10), h(14)]], mon: [[h(9), h(13)], [h(14), h(18, 5)]] })).toBe('mon 09:00-13:00,14:00-18:05; sat 10:00-14:00');
  });

  test('format then parse gives the same hours', () => {
    for (const text of ['mon-fri 09:00-18:00; sat 10:00-14:00', 'sun 00:00-24:00', 'tue,thu 08:30-12:00, 13:00-17:45']) {
      const hours = parseBusinessHours(text);
      expect(parseBusinessHours(formatBusinessHours(hours))).toEqual(hours);
    }
  });
});

describe('validateBusinessHours (what tenant add/update use)', () => {
  test('"always", "24/7" and an empty value mean always open', () => {
    expect(validateBusinessHours('always')).toBeNull();
    expect(validateBusinessHours('24/7')).toBeNull();
    expect(validateBusinessHours('ALWAYS')).toBeNull();
    expect(validateBusinessHours('')).toBeNull();
  });

  test('a malformed value is a UserError naming the flag, what is wrong and an example', () => {
    let caught: unknown;
    try {
      validateBusinessHours('mon-fri 18:00-09:00');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UserError);
    const text = String(caught);
    expect(text).toContain('--business-hours: "18:00-09:00" in "mon-fri 18:00-09:00" is not a valid range');
    expect(text).toContain('mon-fri 09:00-18:00; sat 10:00-14:00');
  });
});
