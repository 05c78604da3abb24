import type { MessageEntity } from 'grammy/types';
import { badRequest } from './errors.js';

export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

const TAGS: Record<string, MessageEntity['type']> = {
  b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
  s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', 'tg-spoiler': 'spoiler', span: 'spoiler',
  a: 'text_link', code: 'code', pre: 'pre', blockquote: 'blockquote', 'tg-emoji': 'custom_emoji',
};
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface Open { tag: string; start: number; attributes: Map<string, string> }

/**
 * Parses text sent with `parse_mode: 'HTML'` the way Telegram's server (tdlib's parse_html) does and
 * fails with the same "can't parse entities: …" descriptions: unsupported or unclosed tags, end tags
 * that do not match, and a `<` that opens no tag. One deliberate difference: Telegram keeps a stray
 * `&` as text, but its documentation requires escaping it, and a forgotten escape turns a customer's
 * "&lt;" into "<" silently — so the simulator refuses a `&` that does not start an entity.
 * Entity offsets are in UTF-16 code units, as in the Bot API.
 */
export function parseHtml(source: string): FormattedText {
  let text = '';
  const entities: MessageEntity[] = [];
  const stack: Open[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '&') {
      const entity = /^&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]+));/i.exec(source.slice(i));
      const decoded = entity && (entity[1] ? String.fromCodePoint(Number(entity[1]))
        : entity[2] ? String.fromCodePoint(parseInt(entity[2], 16)) : NAMED_ENTITIES[entity[3]!.toLowerCase()]);
      if (!entity || !decoded) fail(`Character '&' at byte offset ${byteOffset(source, i)} must be escaped as "&amp;"`);
      text += decoded;
      i += entity[0].length;
      continue;
    }
    if (c !== '<') {
      text += c;
      i++;
      continue;
    }
    const begin = i;
    if (source[i + 1] === '/') {
      const close = /^<\/([^\s>]*)\s*>/.exec(source.slice(i));
      if (!close) fail(`Unclosed end tag at byte offset ${byteOffset(source, begin)}`);
      const open = stack.pop();
      if (!open) fail(`Unexpected end tag at byte offset ${byteOffset(source, begin)}`);
      const name = close[1]!.toLowerCase();
      if (name !== '' && name !== open.tag) {
        fail(`Unmatched end tag at byte offset ${byteOffset(source, begin)}, expected "</${open.tag}>", found "</${name}>"`);
      }
      addEntity(entities, open, text.length, stack);
      i += close[0].length;
      continue;
    }
    const nameMatch = /^<([^\s>]*)/.exec(source.slice(i))!;
    const tag = nameMatch[1]!.toLowerCase();
    i += nameMatch[0].length;
    if (i >= source.length) fail(`Unclosed start tag at byte offset ${byteOffset(source, begin)}`);
    if (!Object.hasOwn(TAGS, tag)) fail(`Unsupported start tag "${tag}" at byte offset ${byteOffset(source, begin)}`);
    const attributes = new Map<string, string>();
    for (;;) {
      while (/\s/.test(source[i] ?? '')) i++;
      if (i >= source.length) fail(`Unclosed start tag at byte offset ${byteOffset(source, begin)}`);
      if (source[i] === '>') break;
      const attribute = /^([a-z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/i.exec(source.slice(i));
      if (!attribute) fail(`Unclosed start tag at byte offset ${byteOffset(source, begin)}`);
      if (attribute[2] === undefined && attribute[3] === undefined && attribute[4] === undefined && !isFlag(tag, attribute[1]!)) {
        fail(`Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${byteOffset(source, i)}`);
      }
      attributes.set(attribute[1]!.toLowerCase(), decodeAttribute(attribute[2] ?? attribute[3] ?? attribute[4] ?? ''));
      i += attribute[0].length;
    }
    i++; // the '>'
    if (tag === 'span' && attributes.get('class') !== 'tg-spoiler') fail('Tag "span" must have class "tg-spoiler"');
    if (tag === 'tg-emoji' && !attributes.get('emoji-id')) fail('Tag "tg-emoji" must have attribute "emoji-id"');
    stack.push({ tag, start: text.length, attributes });
  }
  const unclosed = stack.at(-1);
  if (unclosed) fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  return trim({ text, entities: entities.sort((a, b) => a.offset - b.offset || b.length - a.length) });
}

/** Attributes written without a value, as Telegram allows for `<blockquote expandable>`. */
function isFlag(tag: string, attribute: string): boolean {
  return tag === 'blockquote' && attribute.toLowerCase() === 'expandable';
}

function addEntity(entities: MessageEntity[], open: Open, end: number, stack: Open[]): void {
  const offset = open.start;
  const length = end - offset;
  if (length === 0) return;
  switch (TAGS[open.tag]) {
    case 'text_link': {
      const url = open.attributes.get('href');
      if (url) entities.push({ type: 'text_link', offset, length, url });
      return;
    }
    case 'custom_emoji':
      entities.push({ type: 'custom_emoji', offset, length, custom_emoji_id: open.attributes.get('emoji-id')! });
      return;
    case 'code': {
      // <pre><code class="language-x"> is a code block with a language, not inline code
      const parent = stack.at(-1);
      const language = open.attributes.get('class')?.replace(/^language-/, '');
      if (parent?.tag === 'pre' && language) parent.attributes.set('language', language);
      else entities.push({ type: 'code', offset, length });
      return;
    }
    case 'pre': {
      const language = open.attributes.get('language');
      entities.push(language ? { type: 'pre', offset, length, language } : { type: 'pre', offset, length });
      return;
    }
    case 'blockquote':
      entities.push({ type: open.attributes.has('expandable') ? 'expandable_blockquote' : 'blockquote', offset, length });
      return;
    default:
      entities.push({ type: TAGS[open.tag] as 'bold', offset, length });
  }
}

function decodeAttribute(value: string): string {
  return value.replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|(lt|gt|amp|quot));/gi, (all, dec?: string, hex?: string, name?: string) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : NAMED_ENTITIES[name!.toLowerCase()] ?? all);
}

/** Telegram strips leading and trailing whitespace from message text; entities move with the text. */
export function trim(formatted: FormattedText): FormattedText {
  const lead = formatted.text.length - formatted.text.trimStart().length;
  const text = formatted.text.trim();
  const entities = formatted.entities.flatMap((entity) => {
    const start = Math.max(0, entity.offset - lead);
    const end = Math.min(text.length, entity.offset + entity.length - lead);
    return end > start ? [{ ...entity, offset: start, length: end - start }] : [];
  });
  return { text, entities };
}

function byteOffset(source: string, index: number): number {
  return Buffer.byteLength(source.slice(0, index), 'utf8');
}

function fail(reason: string): never {
  throw badRequest(`can't parse entities: ${reason}`);
}
