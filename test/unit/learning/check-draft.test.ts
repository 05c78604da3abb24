import { describe, expect, test } from 'vitest';
import { checkDraft, parseCorrection } from '../../../src/learning/check-draft.js';
import { customerDetails, findCustomerDetails, scrubCustomerDetails } from '../../../src/learning/customer-details.js';
import { approverOf, mayDecide, saveOutcome } from '../../../src/learning/policy.js';
import { nextDigestAt, parseDigestTime } from '../../../src/learning/digest-time.js';

const conversation = [
  { author: 'customer' as const, text: 'Hi, my name is Aigerim Bekova. Can I pay by card? My e-mail is aigerim.b@mail.kz, phone +7 701 222 33 44, order #48213.' },
  { author: 'manager' as const, text: 'Aigerim, yes: we take Visa and Mastercard, and Kaspi QR. A receipt goes to aigerim.b@mail.kz; for order #48213 call us at +7 727 355 00 11.' },
];
const details = customerDetails({ phone: '77012223344', name: 'Aigerim B.' }, conversation);
const sources = { managerWords: [conversation[1]!.text], conversation: conversation.map((l) => l.text) };

describe('customer details never reach an entry', () => {
  test.each([
    ['phone', 'Call the customer back at +7 701 222 33 44 or 87012223344 if needed.', /222\s*33\s*44|87012223344/],
    ['name', 'Aigerim, yes: we take Visa and Mastercard.', /Aigerim/i],
    ['name with an ending', 'We told Aigerimу that we take Visa.', /Aigerim/i],
    ['e-mail', 'A receipt goes to aigerim.b@mail.kz after payment.', /aigerim\.b@mail\.kz/],
    ['order number', 'For order #48213 the payment is by card.', /48213/],
  ])('the customer\'s %s is taken out of the answer', (_kind, answer, pattern) => {
    const check = checkDraft({ question: 'Can I pay by card?', answer }, { ...sources, managerWords: [answer] }, details);
    expect(check.entry.answer).not.toMatch(pattern);
    expect(findCustomerDetails(check.entry.answer, details)).toEqual([]);
  });

  test('the business\'s own phone and facts stay, tidied where the details were', () => {
    const scrubbed = scrubCustomerDetails(conversation[1]!.text, details);
    expect(scrubbed).toBe('Yes: we take Visa and Mastercard, and Kaspi QR. A receipt goes to; for order call us at +7 727 355 00 11.');
    expect(scrubbed).toContain('+7 727 355 00 11');
  });

  test('details are read from the contact and from what the customer wrote', () => {
    expect(details.phones).toEqual(expect.arrayContaining(['77012223344']));
    expect(details.emails).toEqual(['aigerim.b@mail.kz']);
    expect(details.names).toEqual(expect.arrayContaining(['aigerim', 'bekova']));
    expect(details.other).toContain('48213');
  });
});

describe('the facts guardrail checks a draft against the manager\'s own words', () => {
  const manager = 'A night guard costs 25 000 ₸ and is ready in 5 days. Questions: +7 727 355 00 12.';
  test.each([
    ['kept facts, new wording', 'Night guards are 25 000 ₸, made in 5 days; ask at +7 727 355 00 12.', true, []],
    ['an altered price', 'A night guard costs 20 000 ₸ and is ready in 5 days.', false, ['number 20000']],
    ['an altered phone', 'A night guard costs 25 000 ₸. Questions: +7 727 355 00 99.', false, ['phone 77273550099']],
    ['an invented time', 'A night guard costs 25 000 ₸; pick it up after 16:00.', false, ['time 16:00']],
  ])('%s', (_name, answer, ok, facts) => {
    const check = checkDraft({ question: 'How much is a night guard?', answer }, { managerWords: [manager], conversation: ['How much is a night guard?'] }, customerDetails({ phone: '77011110003', name: null }, []));
    expect(check.ok).toBe(ok);
    if (!check.ok && check.reason === 'changed_facts') expect(check.facts.map((f) => `${f.kind} ${f.value}`)).toEqual(facts);
  });

  test('an empty draft is refused', () => {
    expect(checkDraft({ question: 'Aigerim?', answer: 'Aigerim' }, sources, details)).toMatchObject({ ok: false, reason: 'empty' });
  });
});

describe('a manager\'s correction', () => {
  test.each([
    ['the answer alone keeps the question', 'Open 10:00–15:00.', { question: 'Open on holidays?', answer: '' }, { question: 'Open on holidays?', answer: 'Open 10:00–15:00.' }],
    ['a first line ending in "?" is the question', 'When are you open on holidays?\nFrom 10:00 to 15:00.', { question: 'Old?', answer: '' }, { question: 'When are you open on holidays?', answer: 'From 10:00 to 15:00.' }],
    ['no question known and none given', 'From 10:00.', null, null],
  ])('%s', (_name, text, current, expected) => {
    expect(parseCorrection(text, current)).toEqual(expected);
  });
});

describe('who decides', () => {
  test.each([
    ['direct: any manager\'s save is live', 'direct', null, 5, 'live'],
    ['approve: the approver\'s save is live', 'approve', 9, 9, 'live'],
    ['approve: another manager\'s save waits', 'approve', 9, 5, 'pending'],
    ['off: nothing', 'off', 9, 9, 'off'],
  ] as const)('%s', (_name, mode, approver, user, outcome) => {
    expect(saveOutcome(mode, approver, user)).toBe(outcome);
  });

  test('approve/reject: only the approver under approve, any member under direct, the operator always, nobody when off', () => {
    expect(mayDecide('approve', 9, { id: 5, operator: false })).toBe(false);
    expect(mayDecide('approve', 9, { id: 9, operator: false })).toBe(true);
    expect(mayDecide('direct', null, { id: 5, operator: false })).toBe(true);
    expect(mayDecide('off', 9, { id: 9, operator: false })).toBe(false);
    expect(mayDecide('approve', null, { id: null, operator: true })).toBe(true);
  });

  test('the approver is the chosen one, else the owner\'s private chat; a group is nobody', () => {
    expect(approverOf({ approverId: 42 }, 7)).toBe(42);
    expect(approverOf({ approverId: null }, 7)).toBe(7);
    expect(approverOf({ approverId: null }, -100123)).toBeNull();
  });
});

describe('the digest time', () => {
  test('the next 18:00 in the tenant\'s timezone', () => {
    const noonAlmaty = Date.UTC(2026, 11, 4, 7, 0); // 12:00 in Asia/Almaty (UTC+5)
    expect(new Date(nextDigestAt(noonAlmaty, 'Asia/Almaty', '18:00')).toISOString()).toBe('2026-12-04T13:00:00.000Z');
    const lateAlmaty = Date.UTC(2026, 11, 4, 14, 0); // 19:00: tomorrow
    expect(new Date(nextDigestAt(lateAlmaty, 'Asia/Almaty', '18:00')).toISOString()).toBe('2026-12-05T13:00:00.000Z');
  });

  test.each([['18:00', '18:00'], ['9:30', '09:30'], ['24:00', null], ['6pm', null]])('%s reads as %s', (text, expected) => {
    expect(parseDigestTime(text)).toBe(expected);
  });
});
