import { describe, expect, test } from 'vitest';
import { unsupportedFacts } from '../../../src/brain/guardrails/facts.js';

const KNOWLEDGE = [
  'Профессиональная чистка зубов — 15 000 ₸. Отбеливание — 45 000 ₸.',
  'Мы работаем пн–пт 09:00–19:00, сб 10:00–15:00.',
  'Адрес: г. Алматы, ул. Абая, 150, 2 этаж. Телефон: +7 (727) 355-12-34. Сайт: https://smile-dental.kz/prices',
  'Email: hello@smile-dental.kz',
];

describe('facts guardrail', () => {
  test.each([
    ['a price from the knowledge base, written the same way', 'Чистка зубов стоит 15 000 ₸.'],
    ['a price written without the thousands space', 'Чистка стоит 15000 тенге.'],
    ['a price with a comma separator', 'Whitening costs 45,000 KZT.'],
    ['opening hours in another format', 'Мы открыты с 9:00 до 19:00.'],
    ['the phone in another format', 'Звоните: 8 727 355 12 34'],
    ['the address', 'Мы на улице Абая, 150.'],
    ['the URL without protocol', 'Цены: smile-dental.kz/prices'],
    ['the e-mail', 'Пишите на hello@smile-dental.kz'],
    ['numbered list markers are not facts', '1. Чистка — 15 000 ₸\n2. Отбеливание — 45 000 ₸'],
    ['no facts at all', 'Здравствуйте! Чем могу помочь?'],
  ])('allows %s', (_, reply) => {
    expect(unsupportedFacts(reply, KNOWLEDGE)).toEqual([]);
  });

  test.each([
    ['an invented price', 'Имплантация стоит 250 000 ₸.', { kind: 'number', value: '250000' }],
    ['an invented time', 'В воскресенье мы работаем до 14:00.', { kind: 'time', value: '14:00' }],
    ['an invented phone', 'Наш второй номер +7 701 999 88 77.', { kind: 'phone', value: '77019998877' }],
    ['an invented URL', 'Запишитесь на https://book.example.com/smile', { kind: 'url', value: 'book.example.com/smile' }],
    ['an invented street', 'Наш второй филиал на проспекте Достык.', { kind: 'address', value: 'достык' }],
    ['an invented percentage', 'Скидка 20% для студентов.', { kind: 'number', value: '20' }],
    ['an invented date', 'Акция до 31.12.', { kind: 'number', value: '31.12' }],
    ['an invented time of day', 'Приходите к 8.30', { kind: 'time', value: '8:30' }],
  ])('vetoes %s', (_, reply, violation) => {
    expect(unsupportedFacts(reply, KNOWLEDGE)).toContainEqual(violation);
  });

  test('facts the customer gave in the conversation count as sources', () => {
    expect(unsupportedFacts('Хорошо, записываю вас на 17:30.', [...KNOWLEDGE, 'Можно на 17:30?'])).toEqual([]);
  });
});
