import { describe, expect, test } from 'vitest';
import { asksToBeForgotten } from '../../../src/sales/forget.js';
import { inventsDiscount, isComplaining, offersQuoted, type Offer } from '../../../src/sales/offers.js';

describe('"forget me" is a request about the customer\'s own data, in ru, kk and en', () => {
  test.each([
    'Забудьте меня', 'пожалуйста забудь обо мне', 'Удалите мои данные', 'сотрите всю мою информацию', 'удалите все мои сообщения', 'удалите меня из базы',
    'Мені ұмытыңыз', 'деректерімді жойыңыз', 'forget me please', 'Please delete my data', 'erase my personal information',
  ])('%s → forget', (text) => expect(asksToBeForgotten([text])).toBe(true));

  test.each([
    'Я забыл зонтик у вас', 'Вы удаляете данные клиентов?', 'не забудьте про мою запись', 'удалите зуб мудрости', 'удалите меню из заказа', 'Don\'t forget my appointment',
    'How do you delete data?', 'Ұмытып қалдым', 'Сколько стоит чистка?',
  ])('%s → not a request to be forgotten', (text) => expect(asksToBeForgotten([text])).toBe(false));
});

describe('offers in replies', () => {
  const offers: Offer[] = [{ id: 1, when: 'чистка', text: 'С чисткой отбеливание со скидкой 20%: 36 000 ₸.', service: null }];

  test('an offer counts as quoted when its words are all there, whatever the case and punctuation', () => {
    expect(offersQuoted('Кстати, с чисткой отбеливание со скидкой 20%: 36 000 ₸!', offers).map((o) => o.id)).toEqual([1]);
    expect(offersQuoted('Отбеливание со скидкой 20%.', offers)).toEqual([]);
  });

  test('a discount is invented unless a source promises one', () => {
    expect(inventsDiscount('Сегодня скидка 10% на всё', ['Чистка — 15 000 ₸.'])).toBe(true);
    expect(inventsDiscount('Get 15% off today!', ['Cleaning is 15 000 ₸.'])).toBe(true);
    expect(inventsDiscount('Жеңілдік бар!', ['Тазалау 15 000 ₸.'])).toBe(true);
    expect(inventsDiscount('Сегодня скидка 10% на всё', ['По понедельникам скидка 10% пенсионерам.'])).toBe(false);
    expect(inventsDiscount('Чистка стоит 15 000 ₸.', [])).toBe(false);
  });

  test('a complaining customer is recognised in ru, kk and en', () => {
    expect(isComplaining(['Ужасное обслуживание!'])).toBe(true);
    expect(isComplaining(['Мен наразымын'])).toBe(true);
    expect(isComplaining(['I want a refund'])).toBe(true);
    expect(isComplaining(['Сколько стоит чистка?', 'Thanks!'])).toBe(false);
  });
});
