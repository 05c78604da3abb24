// Small drawing helpers of the demo console (no framework): element building, icons, a keyed list, and
// Telegram's formatting entities turned into elements.

export const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('data-') || key.startsWith('aria-') || key === 'role' || key === 'title' || key === 'type') node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
};
export const svg = (markup, cls) => {
  const holder = document.createElement('span');
  holder.innerHTML = markup; // only the ICON markup below, never data
  const node = holder.firstElementChild;
  if (cls) node.setAttribute('class', cls);
  return node;
};
export const ICON = {
  check: '<svg viewBox="0 0 16 11" aria-hidden="true"><path d="M11.1.6 4.7 7 2.2 4.5 1 5.7l3.7 3.7 7.6-7.6z"/></svg>',
  double: '<svg viewBox="0 0 16 11" aria-hidden="true"><path d="M11.1.6 4.7 7 2.2 4.5 1 5.7l3.7 3.7 7.6-7.6zM15 .6 8.6 7l-.9-.9-1.2 1.2 2.1 2.1L16.2 1.8z"/></svg>',
  clock: '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zm0 1.4a5.1 5.1 0 1 1 0 10.2A5.1 5.1 0 0 1 8 2.9zM7.3 4.5v4.1l3.2 1.9.7-1.1-2.5-1.5V4.5z"/></svg>',
  failed: '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM7.2 4h1.6v5H7.2zm0 6.2h1.6v1.6H7.2z"/></svg>',
};
export const NAME_COLORS = ['#e17076', '#7bc862', '#6ec9cb', '#65aadd', '#a695e7', '#ee7aae', '#faa774'];
/** HH:MM in the business's timezone, as its cards in Telegram write times. */
export const time = (ms, timeZone) => new Date(ms).toLocaleTimeString('ru-RU', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone });

// ── drawing: a keyed list, so unchanged messages keep their element (no flicker, no lost scroll) ──

export function reconcile(list, items) {
  const existing = new Map([...list.children].map((node) => [node.dataset.key, node]));
  let previous = null;
  for (const item of items) {
    let node = existing.get(item.key);
    if (!node || node.dataset.sig !== item.sig) {
      const fresh = item.build();
      fresh.dataset.key = item.key;
      fresh.dataset.sig = item.sig;
      if (node) node.replaceWith(fresh);
      node = fresh;
    }
    existing.delete(item.key);
    if (item.update) item.update(node);
    const expected = previous ? previous.nextSibling : list.firstChild;
    if (expected !== node) list.insertBefore(node, expected);
    previous = node;
  }
  for (const node of existing.values()) node.remove();
}

export const nearBottom = (box) => box.scrollHeight - box.scrollTop - box.clientHeight < 120;

// Telegram formatting entities → elements (offsets are UTF-16 code units, as JavaScript strings count).
export function formatted(text, entities) {
  const root = el('span', { class: 'text' });
  const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  const build = (parent, start, end, list) => {
    let pos = start;
    for (let i = 0; i < list.length;) {
      const entity = list[i];
      const stop = Math.min(entity.offset + entity.length, end);
      const inner = [];
      let j = i + 1;
      while (j < list.length && list[j].offset < stop) inner.push(list[j++]);
      if (entity.offset > pos) parent.append(text.slice(pos, entity.offset));
      const node = entityElement(entity, text.slice(entity.offset, stop));
      build(node, Math.max(entity.offset, pos), stop, inner);
      parent.append(node);
      pos = Math.max(pos, stop);
      i = j;
    }
    if (pos < end) parent.append(text.slice(pos, end));
  };
  build(root, 0, text.length, sorted);
  return root;
}

function entityElement(entity, covered) {
  const tags = { bold: 'strong', italic: 'em', underline: 'u', strikethrough: 's', code: 'code', pre: 'pre', blockquote: 'blockquote' };
  if (tags[entity.type]) return el(tags[entity.type]);
  if (entity.type === 'spoiler') return el('span', { class: 'spoiler' });
  const href = entity.type === 'text_link' ? entity.url : entity.type === 'url' ? covered : null;
  if (href && /^https?:\/\//i.test(href)) return el('a', { href, target: '_blank', rel: 'noopener noreferrer' });
  return el('span');
}
