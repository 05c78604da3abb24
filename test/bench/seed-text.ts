/**
 * Synthetic but realistically shaped business texts for the benchmark's cell: each tenant is one of a few kinds of
 * business with its own services and prices, and its knowledge base reads like an operator's Markdown and FAQ files.
 * Word frequencies follow a Zipf law over a few hundred real Russian words plus a long tail of made-up ones, because
 * FTS5 cost depends on how many rows share a term (ADR 0008): uniform random words would make every term rare.
 * Everything is drawn from a seeded PRNG, so two runs of the same scale build the same cell.
 */

/** mulberry32: tiny, fast, good enough for shaping test data, and reproducible from a seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BusinessKind {
  name: string;
  /** [nominative, genitive] of each service, so sentences read naturally: «Стоимость чистки зубов — …». */
  services: [string, string][];
}

export const KINDS: BusinessKind[] = [
  { name: 'Стоматология', services: [['чистка зубов', 'чистки зубов'], ['отбеливание зубов', 'отбеливания зубов'], ['лечение кариеса', 'лечения кариеса'], ['удаление зуба', 'удаления зуба'], ['установка пломбы', 'установки пломбы'], ['имплантация зуба', 'имплантации зуба']] },
  { name: 'Салон красоты', services: [['женская стрижка', 'женской стрижки'], ['мужская стрижка', 'мужской стрижки'], ['окрашивание волос', 'окрашивания волос'], ['маникюр', 'маникюра'], ['педикюр', 'педикюра'], ['укладка волос', 'укладки волос']] },
  { name: 'Автосервис', services: [['замена масла', 'замены масла'], ['шиномонтаж', 'шиномонтажа'], ['диагностика двигателя', 'диагностики двигателя'], ['развал схождение', 'развала схождения'], ['замена колодок', 'замены колодок'], ['мойка автомобиля', 'мойки автомобиля']] },
  { name: 'Фитнес клуб', services: [['разовое посещение', 'разового посещения'], ['абонемент на месяц', 'абонемента на месяц'], ['персональная тренировка', 'персональной тренировки'], ['групповая тренировка', 'групповой тренировки'], ['заморозка абонемента', 'заморозки абонемента'], ['детская секция', 'детской секции']] },
  { name: 'Клининг', services: [['уборка квартиры', 'уборки квартиры'], ['мойка окон', 'мойки окон'], ['химчистка дивана', 'химчистки дивана'], ['генеральная уборка', 'генеральной уборки'], ['уборка офиса', 'уборки офиса'], ['чистка ковров', 'чистки ковров']] },
  { name: 'Кафе', services: [['бизнес ланч', 'бизнес ланча'], ['доставка пиццы', 'доставки пиццы'], ['торт на заказ', 'торта на заказ'], ['банкетное меню', 'банкетного меню'], ['детское меню', 'детского меню'], ['кофе с собой', 'кофе с собой']] },
  { name: 'Ветклиника', services: [['прием ветеринара', 'приема ветеринара'], ['вакцинация собаки', 'вакцинации собаки'], ['стрижка кошки', 'стрижки кошки'], ['анализ крови', 'анализа крови'], ['стерилизация кошки', 'стерилизации кошки'], ['чипирование питомца', 'чипирования питомца']] },
  { name: 'Языковая школа', services: [['курс английского', 'курса английского'], ['пробный урок', 'пробного урока'], ['подготовка к IELTS', 'подготовки к IELTS'], ['разговорный клуб', 'разговорного клуба'], ['курс казахского', 'курса казахского'], ['индивидуальное занятие', 'индивидуального занятия']] },
];

// The head of the Zipf distribution: words an operator's texts really repeat, shared by every kind of business.
const COMMON = `и в на с по для у вы мы наш ваш от до при это как также можно нужно если или все время день
работа работаем клиент клиенты услуга услуги цена цены стоимость оплата оплатить картой наличными скидка скидки
акция запись записаться заранее телефон адрес город улица дом офис этаж парковка вход рядом остановка будни
выходные суббота воскресенье утро вечер часы график праздничные дни мастер специалист врач менеджер администратор
консультация бесплатно гарантия качество материалы оборудование современный опыт лет более меньше минут час
результат процедура сеанс визит повторный первый второй каждый месяц неделя сегодня завтра удобно быстро
доступно подарочный сертификат бонус программа лояльности карта постоянный отзыв отзывы рекомендуем советуем
перед после во время необходимо важно пожалуйста вопрос вопросы ответ ответим свяжемся связаться написать
позвонить whatsapp сайт инстаграм онлайн предоплата возврат отмена перенос опоздание правила условия договор
документы паспорт ребенок дети взрослые семья пенсионеры студенты группа индивидуально комфорт чистота уют
безопасность стерильность лицензия сотрудник команда профессиональный внимательный вежливый тенге стоит стоить`.split(/\s+/);

const SYLLABLES = 'ба ве ги до жу за ки ло ми но пу ра си то фу ха це чи ша ще ю ян ар ем ин ок ул ыр ст пр тр кр'.split(' ');

/** A Zipf(s≈1.05) sampler over COMMON followed by `tail` made-up words, via an inverse-CDF table and binary search. */
export class Vocabulary {
  readonly words: string[];
  private readonly cdf: Float64Array;

  constructor(tail = 20_000, seed = 7) {
    const random = rng(seed);
    const made = new Set<string>();
    while (made.size < tail) {
      const n = 2 + Math.floor(random() * 3);
      let w = '';
      for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)]!;
      made.add(w);
    }
    this.words = [...COMMON, ...made];
    this.cdf = new Float64Array(this.words.length);
    let sum = 0;
    for (let r = 0; r < this.words.length; r++) this.cdf[r] = sum += 1 / Math.pow(r + 1, 1.05);
    for (let r = 0; r < this.cdf.length; r++) this.cdf[r]! /= sum;
  }

  word(random: () => number): string {
    const u = random();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return this.words[lo]!;
  }

  sentence(random: () => number, length: number): string {
    const parts: string[] = [];
    for (let i = 0; i < length; i++) parts.push(this.word(random));
    const s = parts.join(' ');
    return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
  }
}

export interface TenantTexts {
  kind: BusinessKind;
  /** The tenant's price per service (tenge), the facts its questions ask for. */
  prices: number[];
  markdown: string;
  csv: string;
  prompt: string;
}

const TOPICS = ['О компании', 'Часы работы', 'Адрес и парковка', 'Запись и отмена', 'Оплата', 'Скидки и акции', 'Гарантия', 'Правила', 'Для детей', 'Сертификаты'];

/**
 * One tenant's knowledge: a Markdown file of `sections` headed sections (one chunk each: a service with its price
 * or a general topic, padded with Zipf words to ~`words` words) and an FAQ CSV of `faqs` rows.
 */
export function tenantTexts(index: number, vocabulary: Vocabulary, options: { sections: number; faqs: number; words: number }): TenantTexts {
  const random = rng(1000 + index);
  const kind = KINDS[index % KINDS.length]!;
  const prices = kind.services.map(() => (5 + Math.floor(random() * 95)) * 1000);
  const pad = (n: number) => {
    const out: string[] = [];
    for (let left = n; left > 0;) {
      const len = Math.min(left, 6 + Math.floor(random() * 10));
      out.push(vocabulary.sentence(random, len));
      left -= len;
    }
    return out.join(' ');
  };
  const sections: string[] = [];
  for (let s = 0; s < options.sections; s++) {
    if (s < kind.services.length) {
      const [name, genitive] = kind.services[s]!;
      sections.push(`## ${cap(name)}\n\nСтоимость ${genitive} — ${prices[s]} тенге. ${pad(options.words - 8)}`);
    } else {
      sections.push(`## ${TOPICS[s % TOPICS.length]} ${Math.floor(s / TOPICS.length) + 1}\n\n${pad(options.words)}`);
    }
  }
  const markdown = `# ${kind.name} №${index}\n\n${sections.join('\n\n')}\n`;
  const rows = ['question,answer'];
  for (let f = 0; f < options.faqs; f++) {
    const s = f % kind.services.length;
    const [name, genitive] = kind.services[s]!;
    rows.push(f < kind.services.length
      ? `Сколько стоит ${name}?,Стоимость ${genitive} ${prices[s]} тенге.`
      : `${cap(vocabulary.sentence(random, 5).slice(0, -1))}?,"${pad(20)}"`);
  }
  const prompt = `Ты помощник компании «${kind.name} №${index}». Отвечай коротко и вежливо, только по базе знаний. ${pad(40)}`;
  return { kind, prices, markdown, csv: `${rows.join('\n')}\n`, prompt };
}

/** A customer's question that the tenant's knowledge answers (a service's price). */
export function answerableQuestion(kind: BusinessKind, random: () => number): string {
  const [name] = kind.services[Math.floor(random() * kind.services.length)]!;
  const forms = [`Здравствуйте! Сколько стоит ${name}?`, `Подскажите стоимость: ${name}`, `Какая стоимость ${name}?`, `${cap(name)} сколько стоит?`];
  return forms[Math.floor(random() * forms.length)]!;
}

/** A question nothing in the knowledge answers: the bot must hand it to the managers. */
export const UNANSWERABLE = ['Хочу пожаловаться на сотрудника, позовите руководителя', 'Верните деньги за вчерашний заказ', 'Позовите живого человека'];

/** What customers typically type, for the search benchmark: prices, hours, address, booking, discounts. */
export function searchQuestions(kind: BusinessKind): string[] {
  const [a, b] = [kind.services[0]![0], kind.services[1]![0]];
  return [
    `Сколько стоит ${a}?`, `Какая цена на ${b}`, 'Какие у вас часы работы в субботу?', 'Где вы находитесь, есть парковка?',
    `Можно записаться на ${a} завтра утром?`, 'Есть скидки для студентов и пенсионеров?', 'Можно оплатить картой?',
    'Как отменить запись?', `${b} гарантия есть?`, 'Здравствуйте, работаете в воскресенье?',
  ];
}

function cap(s: string): string {
  return `${s[0]!.toUpperCase()}${s.slice(1)}`;
}
