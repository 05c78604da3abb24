/**
 * Greetings, thanks and acknowledgements in ru/kk/en: the bot may answer these without knowledge, and they never
 * count as "a question about the business".
 */
const SMALL_TALK = new Set([
  'привет', 'здравствуйте', 'здравствуй', 'здрасте', 'добрый', 'доброе', 'день', 'вечер', 'утро', 'ночи', 'спасибо', 'благодарю',
  'большое', 'ок', 'окей', 'хорошо', 'понятно', 'ясно', 'пока', 'до', 'свидания', 'всего', 'доброго', 'отлично', 'супер', 'да', 'нет',
  'сәлем', 'салем', 'сәлеметсіз', 'салеметсиз', 'бе', 'рахмет', 'көп', 'жақсы', 'жаксы', 'түсінікті', 'сау', 'болыңыз', 'иә', 'жоқ',
  'hi', 'hello', 'hey', 'thanks', 'thank', 'you', 'ok', 'okay', 'bye', 'good', 'morning', 'evening', 'afternoon', 'great', 'yes', 'no', 'cool',
]);

export function isSmallTalk(text: string): boolean {
  const words = text.toLowerCase().replaceAll('ё', 'е').split(/[^\p{L}]+/u).filter(Boolean);
  if (words.length > 8) return false;
  return words.every((w) => SMALL_TALK.has(w)) && !/\?/.test(text) ? true : words.length === 0;
}
